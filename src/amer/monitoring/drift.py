"""Drift detection: does recent traffic still look like the documents the model was built on?

Each request is reduced to a few numbers (never text): its length, the share of its tokens
outside the training vocabulary, the share covered by terminology (lexicon) matches, and
entities per label per 100 tokens. :func:`build_reference` bins these for the training-time
documents (deciles); :func:`compute_drift` bins a window of live traffic the same way and
reports the population stability index (PSI) of every feature and a chi-square test of the
label mix. PSI measured on finite samples is biased upwards: with ``k`` bins, ``n`` window and
``m`` reference documents it averages ``(k - 1) * (1/n + 1/m)`` when nothing has drifted, so
each PSI is reported less that expected value (``psi``; the uncorrected value is ``psi_raw``)
and the threshold means the same for any window size. The drift ``score`` is the largest
corrected PSI; drift is flagged when it exceeds ``settings.drift_threshold`` or the label-mix
p-value falls below ``settings.drift_pvalue``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from amer.errors import DataError
from amer.model import AmerModel, DocStats
from amer.settings import AMER_LABELS, Settings

logger = logging.getLogger(__name__)

REFERENCE_FILE = "drift_reference.json"
"""The reference distribution, saved in the model directory beside the pipeline."""
REFERENCE_FORMAT = 1
_QUANTILES = tuple(q / 10 for q in range(1, 10))
_SMOOTHING = 0.5
"""Pseudo-count added to every bin, so an empty bin does not make the PSI infinite."""
DENSITY_PREFIX = "entities_per_100_tokens."
LABEL_MIX = "label_mix"


@dataclass(frozen=True)
class DriftResult:
    """The outcome of one drift check; ``score`` is what alerts and retraining read."""

    score: float
    drifted: bool
    threshold: float
    psi: dict[str, float]
    label_chi2: float | None
    label_pvalue: float | None
    pvalue_threshold: float
    n_window: int
    n_reference: int
    psi_raw: dict[str, float] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    computed_at: str = ""
    model: str | None = None

    @property
    def worst_feature(self) -> str:
        """The feature with the largest PSI."""
        return max(self.psi, key=lambda k: self.psi[k])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with ``score`` at the top level."""
        return asdict(self)


def document_features(
    stats: Sequence[DocStats], labels: Sequence[str]
) -> dict[str, NDArray[np.float64]]:
    """Per-request features: one array (a value per document) per feature name."""
    tokens = np.array([max(s.n_tokens, 0) for s in stats], dtype=np.float64)
    per_token = np.where(tokens > 0, 1.0 / np.maximum(tokens, 1.0), 0.0)
    feats = {
        "text_length": np.array([s.n_chars for s in stats], dtype=np.float64),
        "oov_share": np.array([s.oov_tokens for s in stats], dtype=np.float64) * per_token,
        "lexicon_share": np.array([s.lexicon_tokens for s in stats], dtype=np.float64) * per_token,
    }
    for label in labels:
        counts = np.array([s.entities_per_label.get(label, 0) for s in stats], dtype=np.float64)
        feats[DENSITY_PREFIX + label] = 100.0 * counts * per_token
    return feats


def build_reference(stats: Sequence[DocStats]) -> dict[str, Any]:
    """The reference distribution of a model's documents, as a JSON-ready dict.

    Pass the stats of documents like those the model will see (``model.analyse_batch``). A
    feature that is constant zero here (the out-of-vocabulary share, when the documents are
    the vocabulary's own or the model has none) carries no information and is skipped, with
    the reason kept in the reference.

    Raises:
        DataError: ``stats`` is empty.
    """
    if not stats:
        raise DataError("cannot build a drift reference from no documents")
    labels = sorted(set(AMER_LABELS) | {label for s in stats for label in s.entities_per_label})
    features: dict[str, dict[str, list[float] | list[int]]] = {}
    skipped: dict[str, str] = {}
    for name, values in document_features(stats, labels).items():
        if name == "oov_share" and not values.any():
            skipped[name] = (
                "no reference document has out-of-vocabulary tokens "
                "(the vocabulary's own documents, or a model without one)"
            )
            logger.warning("drift reference: oov_share skipped (%s)", skipped[name])
            continue
        edges = _edges(values)
        features[name] = {"edges": edges, "counts": _bin_counts(values, edges).tolist()}
    return {
        "format": REFERENCE_FORMAT,
        "n_documents": len(stats),
        "created_at": _now(),
        "labels": labels,
        "features": features,
        "skipped": skipped,
        "label_counts": _label_counts(stats, labels),
        "label_mix": dict(zip(labels, _label_mix(stats, labels), strict=True)),
    }


def compute_drift(
    reference: dict[str, Any], window: Sequence[DocStats], *, settings: Settings
) -> DriftResult:
    """Compare a window of traffic with the reference; thresholds come from ``settings``.

    Raises:
        DataError: the reference is malformed, or the window holds fewer than
            ``settings.drift_min_requests`` documents.
    """
    _check_reference(reference)
    if len(window) < settings.drift_min_requests:
        raise DataError(
            f"only {len(window)} requests recorded; drift needs at least "
            f"{settings.drift_min_requests} (setting drift_min_requests)"
        )
    labels = list(reference["labels"])
    values = document_features(window, labels)
    counts: dict[str, tuple[Sequence[float], Sequence[float]]] = {
        name: (spec["counts"], _bin_counts(values[name], spec["edges"]).tolist())
        for name, spec in reference["features"].items()
    }
    skipped = dict(reference.get("skipped", {}))
    ref_mix = [float(reference["label_mix"].get(label, 0.0)) for label in labels]
    win_mix = _label_mix(window, labels)
    chi2, pvalue = _label_mix_test(ref_mix, win_mix)
    if pvalue is None:
        skipped[LABEL_MIX] = "no entities in the window or the reference to compare"
    else:
        counts[LABEL_MIX] = (ref_mix, win_mix)
    raw = {name: population_stability_index(e, a) for name, (e, a) in counts.items()}
    psi = {name: max(0.0, raw[name] - _expected_psi(e, a)) for name, (e, a) in counts.items()}
    score = max(psi.values())
    shifted_mix = pvalue is not None and pvalue < settings.drift_pvalue
    return DriftResult(
        score=round(score, 6),
        drifted=score > settings.drift_threshold or shifted_mix,
        threshold=settings.drift_threshold,
        psi={k: round(v, 6) for k, v in psi.items()},
        psi_raw={k: round(v, 6) for k, v in raw.items()},
        label_chi2=chi2,
        label_pvalue=pvalue,
        pvalue_threshold=settings.drift_pvalue,
        n_window=len(window),
        n_reference=int(reference["n_documents"]),
        skipped=skipped,
        computed_at=_now(),
    )


def population_stability_index(
    expected: Sequence[float] | NDArray[Any], actual: Sequence[float] | NDArray[Any]
) -> float:
    """PSI of two binned counts: ``sum((a - e) * ln(a / e))`` over smoothed shares."""
    e = np.asarray(expected, dtype=np.float64) + _SMOOTHING
    a = np.asarray(actual, dtype=np.float64) + _SMOOTHING
    if e.shape != a.shape or e.size == 0:
        raise ValueError("expected and actual must be non-empty and of the same length")
    e, a = e / e.sum(), a / a.sum()
    return float(np.sum((a - e) * np.log(a / e)))


def _expected_psi(
    expected: Sequence[float] | NDArray[Any], actual: Sequence[float] | NDArray[Any]
) -> float:
    """What PSI averages between two samples of one population: ``(k - 1) * (1/n + 1/m)``."""
    bins = sum(1 for e, a in zip(expected, actual, strict=True) if e + a > 0)
    n, m = float(np.sum(actual)), float(np.sum(expected))
    return max(bins - 1, 0) * (1 / max(n, 1.0) + 1 / max(m, 1.0))


def _label_mix_test(
    ref_mix: list[float], win_mix: list[float]
) -> tuple[float | None, float | None]:
    """Chi-square test of homogeneity of two label mixes; None when there is nothing to test."""
    from scipy.stats import chi2_contingency

    columns = [i for i in range(len(ref_mix)) if ref_mix[i] + win_mix[i] > 0]
    if sum(win_mix) == 0 or sum(ref_mix) == 0 or len(columns) < 2:
        return None, None
    table = np.array([[ref_mix[i] for i in columns], [win_mix[i] for i in columns]])
    chi2, pvalue, _, _ = chi2_contingency(table, correction=False)
    return round(float(chi2), 4), float(pvalue)


def _edges(values: NDArray[np.float64]) -> list[float]:
    quantiles = np.quantile(values, _QUANTILES)
    return sorted({round(float(q), 6) for q in quantiles})


def _bin_counts(values: NDArray[np.float64], edges: Sequence[float]) -> NDArray[np.int64]:
    """Counts in the bins ``(-inf, e0], (e0, e1], …, (e_last, inf)``."""
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), values, side="left")
    return np.bincount(index, minlength=len(edges) + 1).astype(np.int64)


def _label_counts(stats: Sequence[DocStats], labels: Sequence[str]) -> dict[str, int]:
    return {label: sum(s.entities_per_label.get(label, 0) for s in stats) for label in labels}


def _label_mix(stats: Sequence[DocStats], labels: Sequence[str]) -> list[float]:
    """Document-weighted label mix: each document with entities adds one vote, split by label.

    Entities of one document are not independent (a note about diabetes names it often), so a
    chi-square on raw entity counts calls ordinary samples shifted; a vote per document does not.
    """
    mix = np.zeros(len(labels))
    for s in stats:
        total = sum(s.entities_per_label.get(label, 0) for label in labels)
        if total:
            mix += np.array([s.entities_per_label.get(label, 0) for label in labels]) / total
    return [round(float(v), 6) for v in mix]


def _check_reference(reference: dict[str, Any]) -> None:
    if reference.get("format") != REFERENCE_FORMAT:
        found = reference.get("format")
        raise DataError(f"drift reference has format {found!r}; expected {REFERENCE_FORMAT}")
    for key in ("labels", "features", "label_counts", "label_mix", "n_documents"):
        if key not in reference:
            raise DataError(f"drift reference lacks '{key}'")
    for name, spec in reference["features"].items():
        if len(spec.get("counts", [])) != len(spec.get("edges", [])) + 1:
            raise DataError(f"drift reference feature '{name}': counts must be one more than edges")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- files ----------------------------------------------------------------------------------


def load_reference(model_dir: Path) -> dict[str, Any]:
    """The reference saved with a model (``model_dir/drift_reference.json``).

    Raises:
        DataError: the file is missing or not a valid reference.
    """
    path = model_dir / REFERENCE_FILE
    if not path.is_file():
        raise DataError(
            f"no drift reference at {path}; "
            f"build one with `amer monitor reference --model {model_dir}`"
        )
    try:
        reference: dict[str, Any] = json.loads(path.read_text("utf-8"))
        _check_reference(reference)
    except json.JSONDecodeError as e:
        raise DataError(f"{path}:{e.lineno}: not valid JSON: {e.msg}") from e
    except DataError as e:
        raise DataError(f"{path}: {e}") from e
    return reference


def write_drift_result(result: DriftResult, path: Path) -> Path:
    """Write the result as JSON atomically (readers never see half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".drift-", suffix=".json", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(result.to_dict(), f, indent=1)
    os.replace(tmp, path)
    return path


def read_drift_score(path: Path) -> float | None:
    """The ``score`` of the latest drift result, or None if there is none yet.

    Called by the service (for the ``amer_drift_score`` gauge) and the retraining trigger, so
    an unreadable file is logged and answered with None rather than raised.
    """
    try:
        score = json.loads(path.read_text("utf-8"))["score"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as e:
        logger.warning("unreadable drift result %s: %s", path, type(e).__name__)
        return None
    if not isinstance(score, int | float) or isinstance(score, bool) or not math.isfinite(score):
        logger.warning("drift result %s has no numeric score", path)
        return None
    return float(score)


def analyse_texts(model: AmerModel, texts: Sequence[str]) -> list[DocStats]:
    """Monitoring aggregates of ``texts`` under ``model`` (what the service records)."""
    return [stats for _, stats in model.analyse_batch(list(texts))]


# --- the check `amer monitor drift` runs ------------------------------------------------------


def model_directory(model: str, *, settings: Settings) -> Path:
    """The local directory of a model given as a path or ``models:/NAME@ALIAS|/VERSION``.

    Raises:
        ModelError: the registry URI is malformed or names nothing.
    """
    if not model.startswith("models:/"):
        return Path(model)
    from amer.errors import ModelError, RegistryError
    from amer.registry.loading import model_cache_dir, parse_model_uri
    from amer.registry.store import Registry

    name, alias, version = parse_model_uri(model)
    scoped = settings.model_copy(update={"registered_model": name})
    registry = Registry.from_settings(scoped)
    try:
        info = registry.resolve(alias or str(version))
        return registry.download(info.version, cache_dir=model_cache_dir(scoped))
    except RegistryError as e:
        raise ModelError(f"cannot fetch {model}: {e}") from e


def check_drift(model: str, *, settings: Settings, window: int | None = None) -> DriftResult:
    """Compare the recorded traffic window with the model's reference and save the result.

    The result (with its top-level ``score``) goes to ``settings.drift_path``, where the
    service's ``amer_drift_score`` gauge and the retraining trigger read it.
    """
    from amer.monitoring.traffic import TrafficRecorder

    reference = load_reference(model_directory(model, settings=settings))
    recent = TrafficRecorder.from_settings(settings).read_window(window or settings.drift_window)
    result = compute_drift(reference, recent, settings=settings)
    result = DriftResult(**{**result.to_dict(), "model": model})
    write_drift_result(result, settings.drift_path)
    logger.info(
        "drift score %.4f (drifted=%s) over %d requests",
        result.score,
        result.drifted,
        result.n_window,
    )
    return result

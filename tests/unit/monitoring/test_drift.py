"""Drift statistics on synthetic aggregates: PSI, the label-mix test, the result file."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from amer.errors import DataError
from amer.model import DocStats
from amer.monitoring.drift import (
    REFERENCE_FILE,
    DriftResult,
    build_reference,
    check_drift,
    compute_drift,
    load_reference,
    population_stability_index,
    read_drift_score,
    write_drift_result,
)
from amer.monitoring.traffic import TrafficRecorder
from amer.settings import Settings


def _population(
    n: int,
    *,
    seed: int,
    length: int = 600,
    lexicon: float = 0.15,
    labels: tuple[str, ...] = ("CONDITION", "SUBSTANCE"),
) -> list[DocStats]:
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        tokens = max(5, int(rng.gauss(length / 6, 20)))
        ents = {label: rng.randint(0, 3) for label in labels}
        docs.append(
            DocStats(
                n_chars=tokens * 6,
                n_tokens=tokens,
                oov_tokens=rng.randint(0, tokens // 10),
                lexicon_tokens=int(tokens * lexicon * rng.uniform(0.5, 1.5)),
                entities_per_label={k: v for k, v in ents.items() if v},
            )
        )
    return docs


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", drift_min_requests=200)


def test_drift_psi_is_zero_for_equal_and_large_for_disjoint() -> None:
    assert population_stability_index([10, 20, 30], [10, 20, 30]) == pytest.approx(0.0)
    assert population_stability_index([100, 0, 0], [0, 0, 100]) > 2.0
    with pytest.raises(ValueError):
        population_stability_index([1, 2], [1, 2, 3])


def test_drift_reference_is_json_and_skips_constant_oov() -> None:
    docs = [DocStats(50, 10, 0, 2, {"CONDITION": 1})] * 20
    reference = build_reference(docs)
    assert json.loads(json.dumps(reference)) == reference
    assert "oov_share" in reference["skipped"]
    assert "oov_share" not in reference["features"]
    assert reference["label_counts"]["CONDITION"] == 20
    assert reference["n_documents"] == 20


def test_drift_reference_refuses_no_documents() -> None:
    with pytest.raises(DataError, match="no documents"):
        build_reference([])


def test_drift_same_population_is_not_flagged(settings: Settings) -> None:
    reference = build_reference(_population(1000, seed=1))
    result = compute_drift(reference, _population(300, seed=2), settings=settings)
    assert not result.drifted
    assert result.score < settings.drift_threshold
    assert result.label_pvalue is not None and result.label_pvalue > settings.drift_pvalue
    assert set(result.psi) >= {
        "text_length",
        "oov_share",
        "lexicon_share",
        "label_mix",
        "entities_per_100_tokens.CONDITION",
    }


@pytest.mark.parametrize(
    ("shift", "feature"),
    [({"length": 2000}, "text_length"), ({"lexicon": 0.02}, "lexicon_share")],
)
def test_drift_shifted_feature_is_flagged(
    settings: Settings, shift: dict[str, float], feature: str
) -> None:
    reference = build_reference(_population(1000, seed=1))
    result = compute_drift(reference, _population(300, seed=3, **shift), settings=settings)  # type: ignore[arg-type]
    assert result.drifted
    assert result.worst_feature == feature
    assert result.score == pytest.approx(result.psi[feature], abs=1e-6)


def test_drift_label_mix_shift_is_flagged_by_chi_square(settings: Settings) -> None:
    reference = build_reference(_population(1000, seed=1))
    window = _population(300, seed=4, labels=("CONDITION", "SUBSTANCE", "MICROORGANISM"))
    result = compute_drift(reference, window, settings=settings)
    assert result.label_pvalue is not None and result.label_pvalue < settings.drift_pvalue
    assert result.drifted


def test_drift_window_without_entities_skips_the_label_test(settings: Settings) -> None:
    reference = build_reference(_population(1000, seed=1))
    window = [DocStats(600, 100, 5, 0, {}) for _ in range(250)]
    result = compute_drift(reference, window, settings=settings)
    assert result.label_pvalue is None and "label_mix" in result.skipped
    assert result.drifted


def test_drift_too_small_window_is_refused(settings: Settings) -> None:
    reference = build_reference(_population(500, seed=1))
    with pytest.raises(DataError, match="at least 200"):
        compute_drift(reference, _population(199, seed=2), settings=settings)


def test_drift_malformed_reference_is_refused(settings: Settings) -> None:
    reference = build_reference(_population(500, seed=1))
    with pytest.raises(DataError, match="format"):
        compute_drift({**reference, "format": 99}, _population(300, seed=2), settings=settings)


def test_drift_result_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "drift.json"
    assert read_drift_score(path) is None
    result = DriftResult(
        score=0.31,
        drifted=True,
        threshold=0.2,
        psi={"a": 0.31},
        label_chi2=None,
        label_pvalue=None,
        pvalue_threshold=0.01,
        n_window=300,
        n_reference=900,
    )
    write_drift_result(result, path)
    assert json.loads(path.read_text())["score"] == 0.31
    assert read_drift_score(path) == pytest.approx(0.31)
    assert [p.name for p in path.parent.iterdir()] == ["drift.json"]


@pytest.mark.parametrize("content", ["{not json", '{"score": "high"}', "[]", '{"score": NaN}'])
def test_drift_unreadable_result_reads_as_none(tmp_path: Path, content: str) -> None:
    path = tmp_path / "drift.json"
    path.write_text(content)
    assert read_drift_score(path) is None


def test_drift_missing_reference_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="amer monitor reference"):
        load_reference(tmp_path)


def test_drift_check_reads_window_and_writes_score(settings: Settings, tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / REFERENCE_FILE).write_text(json.dumps(build_reference(_population(800, seed=1))))
    recorder = TrafficRecorder.from_settings(settings)
    recorder.record(_population(100, seed=9, lexicon=0.01))
    recorder.record(_population(300, seed=5))
    result = check_drift(str(model_dir), settings=settings, window=300)
    assert result.n_window == 300 and not result.drifted
    assert result.model == str(model_dir)
    assert read_drift_score(settings.drift_path) == pytest.approx(result.score)


def test_drift_psi_is_corrected_for_sample_size(settings: Settings) -> None:
    population = _population(3000, seed=7)
    raw, corrected = [], []
    for seed in range(20):
        shuffled = random.Random(seed).sample(population, len(population))
        reference = build_reference(shuffled[250:1250])
        result = compute_drift(reference, shuffled[:250], settings=settings)
        raw.append(result.psi_raw["lexicon_share"])
        corrected.append(result.psi["lexicon_share"])
    expected = 9 * (1 / 250 + 1 / 1000)  # (bins - 1) * (1/n + 1/m) with deciles
    assert sum(raw) / len(raw) == pytest.approx(expected, rel=0.3)
    assert sum(corrected) / len(corrected) < expected / 3

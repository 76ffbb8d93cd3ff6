"""One MLflow run per pipeline, registered as a new version of the model; cached by input hash.

:func:`run_tracked_pipeline` is what ``amer pipeline run`` calls. When a version built from the
same data, config, code and settings (:func:`amer.pipeline.cache_key`) is already registered,
it reuses that version instead of training again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amer.errors import RegistryError
from amer.pipeline import RESULT_SETTINGS
from amer.registry.connection import ensure_experiment, experiment_artifact_location
from amer.registry.store import Registry, download_model_dir
from amer.registry.versions import TAG_CACHE_KEY, ModelVersionInfo, headline_metrics, version_tags
from amer.settings import Settings

if TYPE_CHECKING:
    from amer.pipeline import PipelineResult, Progress

logger = logging.getLogger(__name__)

PARAM_FIELDS = RESULT_SETTINGS
"""Settings logged as run parameters (the ones that change the result)."""


@dataclass(frozen=True)
class TrackedRun:
    """A pipeline run as the registry knows it; ``pipeline`` is None when the cache was used."""

    run_id: str
    version: ModelVersionInfo
    cached: bool
    dataset_version: str
    cache_key: str
    output_dir: Path
    model_dir: Path
    report: dict[str, Any]
    duration_s: float
    pipeline: PipelineResult | None = None

    @property
    def report_path(self) -> Path:
        """``report.json`` in the output folder."""
        return self.output_dir / "report.json"

    @property
    def report_md_path(self) -> Path:
        """``report.md`` (the model card) in the output folder."""
        return self.output_dir / "report.md"


def run_tracked_pipeline(
    settings: Settings, *, output: Path, progress: Progress | None = None
) -> TrackedRun:
    """Run the pipeline in an MLflow run and register the model; reuse a cached version.

    Raises:
        VerificationError: the data failed verification (nothing is registered).
        RegistryError: the tracking store refused to record the run or the version.
    """
    from amer.pipeline import cache_key, compute_dataset_version, run_pipeline

    started = time.perf_counter()
    registry = Registry.from_settings(settings)
    dataset_version = compute_dataset_version(settings)
    key = cache_key(settings, version=dataset_version)
    hit = find_cached(registry, key)
    if hit is not None:
        logger.info("pipeline cache hit", extra={"version": hit.version, "cache_key": key})
        return _reuse(registry, hit, output=output, key=key, started=started)
    result = run_pipeline(settings, output=output, progress=progress)
    return track_result(registry, settings, result, key=key, started=started)


def find_cached(registry: Registry, key: str) -> ModelVersionInfo | None:
    """The newest registered version built with cache key ``key``, if any."""
    for info in registry.list_versions():
        if info.tags.get(TAG_CACHE_KEY) == key and info.run_id:
            return info
    return None


def track_result(
    registry: Registry,
    settings: Settings,
    result: PipelineResult,
    *,
    key: str,
    started: float | None = None,
) -> TrackedRun:
    """Record a finished pipeline run in MLflow and register its model as a new version."""
    import mlflow

    from amer.registry.pyfunc import log_pyfunc

    experiment_id = ensure_experiment(
        registry.client,
        registry.name,
        artifact_location=experiment_artifact_location(settings, registry.name),
    )
    commit = git_commit()
    with mlflow.start_run(
        experiment_id=experiment_id, run_name=f"pipeline-{result.dataset_version[:12]}"
    ) as run:
        mlflow.set_tags(
            {
                "amer.git_commit": commit,
                "amer.dataset_version": result.dataset_version,
                "mlflow.source.git.commit": commit,
            }
        )
        mlflow.log_params(run_params(settings, result))
        mlflow.log_input(dataset_input(settings, result.dataset_version), context="training")
        mlflow.log_dict(result.verification, "verification/verification.json")
        mlflow.log_metrics(flatten_metrics(result.report))
        _log_reports(result)
        model_info = log_pyfunc(result.model_dir)
        run_id = run.info.run_id
    tags = version_tags(
        result.report,
        dataset_version=result.dataset_version,
        eval_split=eval_split_id(settings, result.dataset_version),
        cache_key=key,
        git_commit=commit,
    )
    info = register_version(
        registry,
        run_id=run_id,
        source=model_info.model_uri,
        model_id=model_info.model_id,
        tags=tags,
    )
    elapsed = time.perf_counter() - (started if started is not None else time.perf_counter())
    return TrackedRun(
        run_id,
        info,
        False,
        result.dataset_version,
        key,
        result.output_dir,
        result.model_dir,
        result.report,
        round(elapsed, 2),
        result,
    )


def register_version(
    registry: Registry, *, run_id: str, source: str, model_id: str | None, tags: dict[str, str]
) -> ModelVersionInfo:
    """Create a new version of the registered model with all its tags at once."""
    from mlflow.exceptions import MlflowException

    registry.ensure_registered_model()
    try:
        mv = registry.client.create_model_version(
            registry.name,
            source=source,
            run_id=run_id,
            tags=tags,
            model_id=model_id,
            description=_model_card_summary(tags),
        )
    except MlflowException as e:
        raise RegistryError(f"cannot register a version of {registry.name}: {e.message}") from e
    logger.info("registered model version", extra={"model": registry.name, "version": mv.version})
    return registry.resolve(mv.version)


def _reuse(
    registry: Registry, hit: ModelVersionInfo, *, output: Path, key: str, started: float
) -> TrackedRun:
    """Make ``output`` hold the cached version's model and report, as a fresh run would."""
    from mlflow.artifacts import download_artifacts

    output.mkdir(parents=True, exist_ok=True)
    model_dir = output / "model"
    if not (model_dir / "config.cfg").is_file():
        staging = output / ".download"
        shutil.rmtree(staging, ignore_errors=True)
        mv = registry.client.get_model_version(registry.name, hit.version)
        shutil.move(download_model_dir(registry.client, mv, staging), model_dir)
        shutil.rmtree(staging, ignore_errors=True)
    report_path = output / "report.json"
    if not report_path.is_file():
        download_artifacts(
            run_id=hit.run_id, artifact_path="reports", dst_path=str(output / ".reports")
        )
        for name in ("report.json", "report.md"):
            src = output / ".reports" / "reports" / name
            if src.is_file():
                shutil.copy2(src, output / name)
        shutil.rmtree(output / ".reports", ignore_errors=True)
    report = json.loads(report_path.read_text("utf-8")) if report_path.is_file() else {}
    elapsed = round(time.perf_counter() - started, 2)
    return TrackedRun(
        hit.run_id or "",
        hit,
        True,
        hit.dataset_version or "",
        key,
        output,
        model_dir,
        report,
        elapsed,
    )


def run_params(settings: Settings, result: PipelineResult) -> dict[str, Any]:
    """Parameters of the run: pipeline settings, gate thresholds, data and config paths."""
    params: dict[str, Any] = {name: getattr(settings, name) for name in PARAM_FIELDS}
    params.update({f"gate_{k}": v for k, v in settings.gates.model_dump().items()})
    params.update(
        {
            "labels": ",".join(settings.labels),
            "training_config": str(result.config_path),
            "terminology": str(settings.terminology_path),
            "corpus": str(settings.corpus_path),
            "dataset_version": result.dataset_version,
        }
    )
    return params


def dataset_input(settings: Settings, version: str) -> Any:
    """The data directory as an MLflow dataset whose digest is the dataset version."""
    from mlflow.data.dataset_source_registry import get_registered_sources
    from mlflow.data.meta_dataset import MetaDataset

    local = next(s for s in get_registered_sources() if s._get_source_type() == "local")
    source = local(str(settings.data_dir.resolve()))  # type: ignore[operator]
    return MetaDataset(  # type: ignore[abstract]
        source, name=f"{settings.registered_model}-data", digest=version[:36]
    )


def flatten_metrics(report: dict[str, Any]) -> dict[str, float]:
    """Headline, per-label and gold-set figures of ``report.json`` as MLflow metrics."""
    metrics = report.get("metrics", {})
    flat: dict[str, Any] = dict(headline_metrics(report))
    flat["latency_p95_ms"] = metrics.get("latency_ms", {}).get("p95")
    for label, scores in metrics.get("per_label", {}).items():
        for name in ("precision", "recall", "f1"):
            flat[f"{name}.{label}"] = scores.get(name) if isinstance(scores, dict) else None
    for mode, scores in (report.get("gold") or {}).items():
        micro = scores.get("micro", scores) if isinstance(scores, dict) else {}
        flat[f"gold.{mode}.f1"] = micro.get("f1") if isinstance(micro, dict) else None
    return {
        k: float(v)
        for k, v in flat.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


def _log_reports(result: PipelineResult) -> None:
    import mlflow

    for path in (result.report_path, result.report_md_path):
        if path.is_file():
            mlflow.log_artifact(str(path), artifact_path="reports")
    if result.report_md_path.is_file():
        mlflow.log_artifact(str(result.report_md_path), artifact_path="model_card")
    if result.config_path.is_file():
        mlflow.log_artifact(str(result.config_path), artifact_path="config")


def _model_card_summary(tags: dict[str, str]) -> str:
    metrics = {k.split(".")[-1]: v for k, v in tags.items() if k.startswith("amer.metric.")}
    figures = ", ".join(f"{k} {float(v):.4f}" for k, v in sorted(metrics.items()))
    dataset = tags.get("amer.dataset_version", "?")[:16]
    return f"Dataset {dataset}; {figures}. See model_card/ in the run."


def eval_split_id(settings: Settings, dataset_version: str) -> str:
    """Identifies the held-out split: same data, seed and fraction give the same split."""
    text = f"{dataset_version}|{settings.seed}|{settings.test_fraction}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def git_commit() -> str:
    """The commit of the amer source tree (``+dirty`` if it has changes), or ``unknown``."""
    root = Path(__file__).resolve().parents[1]
    try:
        sha = _git(root, "rev-parse", "HEAD")
        dirty = _git(root, "--no-optional-locks", "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return "unknown"
    return sha + ("+dirty" if dirty else "")


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=10
    )
    return done.stdout.strip()

"""What amer records on a model version (tag names) and reads back as :class:`ModelVersionInfo`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlflow.entities.model_registry import ModelVersion

TAG_DATASET_VERSION = "amer.dataset_version"
TAG_GATES_PASSED = "amer.gates_passed"
TAG_GATE_FAILURES = "amer.gate_failures"
TAG_STAGING_PASSED = "amer.staging_passed"
TAG_STAGING_JUNIT = "amer.staging_junit"
TAG_STAGING_AT = "amer.staging_at"
TAG_EVAL_SPLIT = "amer.eval_split"
TAG_CACHE_KEY = "amer.cache_key"
TAG_GIT_COMMIT = "amer.git_commit"
METRIC_TAG_PREFIX = "amer.metric."

METRIC_NAMES: tuple[str, ...] = ("accuracy", "precision", "recall", "f1", "latency")
"""The figures of the registry view: token accuracy, micro P/R/F1, p50 latency (ms per doc)."""


@dataclass(frozen=True, slots=True)
class ModelVersionInfo:
    """One registered model version as amer sees it."""

    name: str
    version: str
    aliases: tuple[str, ...]
    dataset_version: str | None
    metrics: dict[str, float]
    gates_passed: bool
    staging_passed: bool | None
    created_at: datetime
    run_id: str | None
    source: str
    gate_failures: tuple[str, ...] = ()
    eval_split: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``created_at`` as ISO 8601)."""
        return {
            "name": self.name,
            "version": self.version,
            "aliases": list(self.aliases),
            "dataset_version": self.dataset_version,
            "metrics": dict(self.metrics),
            "gates_passed": self.gates_passed,
            "gate_failures": list(self.gate_failures),
            "staging_passed": self.staging_passed,
            "created_at": self.created_at.isoformat(),
            "run_id": self.run_id,
            "source": self.source,
            "eval_split": self.eval_split,
        }


def _bool_tag(value: str | None) -> bool | None:
    return None if value is None else value.lower() == "true"


def info_from_version(mv: ModelVersion, *, aliases: list[str] | None = None) -> ModelVersionInfo:
    """Read amer's tags off an MLflow :class:`ModelVersion` (``aliases`` overrides its own)."""
    tags = dict(mv.tags or {})
    metrics = {
        key[len(METRIC_TAG_PREFIX) :]: float(value)
        for key, value in tags.items()
        if key.startswith(METRIC_TAG_PREFIX)
    }
    return ModelVersionInfo(
        name=mv.name,
        version=str(mv.version),
        aliases=tuple(sorted(aliases if aliases is not None else (mv.aliases or ()))),
        dataset_version=tags.get(TAG_DATASET_VERSION),
        metrics=metrics,
        gates_passed=bool(_bool_tag(tags.get(TAG_GATES_PASSED))),
        staging_passed=_bool_tag(tags.get(TAG_STAGING_PASSED)),
        created_at=datetime.fromtimestamp((mv.creation_timestamp or 0) / 1000, tz=UTC),
        run_id=mv.run_id,
        source=mv.source or "",
        gate_failures=tuple(json.loads(tags.get(TAG_GATE_FAILURES, "[]"))),
        eval_split=tags.get(TAG_EVAL_SPLIT),
        tags=tags,
    )


def version_tags(
    report: dict[str, Any],
    *,
    dataset_version: str,
    eval_split: str,
    cache_key: str,
    git_commit: str,
) -> dict[str, str]:
    """The tags a new version gets, from the pipeline's ``report.json``."""
    gates = report.get("gates", {})
    tags = {
        TAG_DATASET_VERSION: dataset_version,
        TAG_GATES_PASSED: str(bool(gates.get("passed", False))).lower(),
        TAG_GATE_FAILURES: json.dumps(list(gates.get("failures", [])), ensure_ascii=False),
        TAG_EVAL_SPLIT: eval_split,
        TAG_CACHE_KEY: cache_key,
        TAG_GIT_COMMIT: git_commit,
    }
    for key, value in headline_metrics(report).items():
        tags[METRIC_TAG_PREFIX + key] = repr(value)
    return tags


def headline_metrics(report: dict[str, Any]) -> dict[str, float]:
    """The registry view's figures out of a ``report.json`` (missing ones are left out)."""
    metrics = report.get("metrics", {})
    micro = metrics.get("micro", {})
    found: dict[str, Any] = {
        "accuracy": metrics.get("token_accuracy"),
        "precision": micro.get("precision"),
        "recall": micro.get("recall"),
        "f1": micro.get("f1"),
        "latency": metrics.get("latency_ms", {}).get("p50"),
    }
    return {k: float(v) for k, v in found.items() if isinstance(v, int | float)}

"""`amer monitor drift --model models:/NAME@ALIAS`: the reference travels with the version."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from amer.errors import ModelError
from amer.model import DocStats
from amer.monitoring.drift import REFERENCE_FILE, build_reference, check_drift
from amer.monitoring.traffic import TrafficRecorder
from amer.pipeline import PipelineResult
from amer.settings import Settings


def _docs(n: int, lexicon: int) -> list[DocStats]:
    return [
        DocStats(300 + i % 50, 50 + i % 7, i % 4, lexicon + i % 3, {"CONDITION": 1 + i % 2})
        for i in range(n)
    ]


def _result(tmp: Path, model_dir: Path) -> PipelineResult:
    out = tmp / "run"
    shutil.copytree(model_dir, out / "model")
    (out / "model" / REFERENCE_FILE).write_text(json.dumps(build_reference(_docs(400, 10))))
    report = {
        "dataset_version": "d1",
        "gates": {"passed": True, "failures": []},
        "metrics": {
            "micro": {"precision": 0.9, "recall": 0.9, "f1": 0.9},
            "token_accuracy": 0.95,
            "latency_ms": {"p50": 1.0, "p95": 2.0},
            "per_label": {},
        },
    }
    (out / "report.json").write_text(json.dumps(report))
    (out / "report.md").write_text("# model card\n")
    return PipelineResult(
        output_dir=out,
        model_dir=out / "model",
        report=report,
        report_path=out / "report.json",
        report_md_path=out / "report.md",
        verification={"passed": True},
        dataset_version="d1",
        config_path=Path(__file__).parents[3] / "configs" / "ner.cfg",
        duration_s=1.0,
    )


def test_drift_registry_reference_travels_with_the_version(
    tmp_path: Path, lexicon_model_dir: Path
) -> None:
    from amer.registry.store import Registry
    from amer.registry.tracking import track_result

    settings = Settings(home=tmp_path / "home", drift_min_requests=200)
    registry = Registry.from_settings(settings)
    tracked = track_result(registry, settings, _result(tmp_path, lexicon_model_dir), key="k")
    registry.promote(tracked.version.version, to="production", force=True, reason="test")
    recorder = TrafficRecorder.from_settings(settings)
    recorder.record(_docs(250, 10))
    same = check_drift("models:/amer-ner@production", settings=settings)
    assert not same.drifted and same.model == "models:/amer-ner@production"
    recorder.record(_docs(250, 0))
    shifted = check_drift("models:/amer-ner@production", settings=settings, window=250)
    assert shifted.drifted and shifted.worst_feature == "lexicon_share"
    with pytest.raises(ModelError, match="cannot fetch"):
        check_drift("models:/amer-ner@staging", settings=settings)

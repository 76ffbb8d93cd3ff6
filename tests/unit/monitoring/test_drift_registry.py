"""`amer monitor drift --model models:/NAME@ALIAS`: the reference travels with the version."""

from __future__ import annotations

import json
from collections.abc import Callable
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


def test_drift_registry_reference_travels_with_the_version(
    tmp_path: Path,
    lexicon_model_dir: Path,
    make_pipeline_result: Callable[..., PipelineResult],
) -> None:
    from amer.registry.store import Registry
    from amer.registry.tracking import track_result

    settings = Settings(home=tmp_path / "home", drift_min_requests=200)
    registry = Registry.from_settings(settings)
    result = make_pipeline_result(tmp_path, lexicon_model_dir)
    reference = build_reference(_docs(400, 10))
    (result.model_dir / REFERENCE_FILE).write_text(json.dumps(reference))
    tracked = track_result(registry, settings, result, key="k")
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

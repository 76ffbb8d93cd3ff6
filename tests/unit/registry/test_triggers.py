"""Retraining triggers, each on its own input: data version, age, feedback file, drift file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from amer.errors import DataError
from amer.registry.triggers import (
    age_trigger,
    count_corrections,
    drift_trigger,
    feedback_trigger,
    new_data_trigger,
)
from amer.registry.versions import ModelVersionInfo

NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def _production(*, dataset: str = "abc", days_old: float = 1.0) -> ModelVersionInfo:
    return ModelVersionInfo(
        name="amer-ner",
        version="4",
        aliases=("production",),
        dataset_version=dataset,
        metrics={},
        gates_passed=True,
        staging_passed=True,
        created_at=NOW - dt.timedelta(days=days_old),
        run_id="r",
        source="s",
    )


@pytest.mark.parametrize(("data", "fires"), [("abc", False), ("def", True)])
def test_triggers_new_data_compares_dataset_versions(data: str, fires: bool) -> None:
    assert new_data_trigger(data, _production(dataset="abc")).fired is fires


def test_triggers_new_data_fires_without_production() -> None:
    assert new_data_trigger("abc", None).fired


@pytest.mark.parametrize(("days", "fires"), [(29.5, False), (30.5, True)])
def test_triggers_age_fires_past_the_limit(days: float, fires: bool) -> None:
    trigger = age_trigger(_production(days_old=days), now=NOW, max_age_days=30)
    assert trigger.fired is fires and "limit 30" in trigger.reason


def _write_feedback(path: Path, stamps: list[str]) -> None:
    lines = [json.dumps({"timestamp": s, "correction": {"action": "missed"}}) for s in stamps]
    path.write_text("\n".join(lines) + "\n\n", "utf-8")


def test_triggers_feedback_counts_only_corrections_newer_than_production(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    old = (NOW - dt.timedelta(days=5)).isoformat()
    new = (NOW - dt.timedelta(hours=1)).isoformat()
    _write_feedback(path, [old, new, new])
    assert count_corrections(path, since=None) == 3
    production = _production(days_old=2)
    assert feedback_trigger(path, production, threshold=2).fired
    assert not feedback_trigger(path, production, threshold=3).fired


def test_triggers_feedback_without_file_counts_zero(tmp_path: Path) -> None:
    trigger = feedback_trigger(tmp_path / "none.jsonl", None, threshold=1)
    assert not trigger.fired and trigger.reason.startswith("0 corrections")


def test_triggers_feedback_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    path.write_text('{"timestamp": "2025-01-01T00:00:00+00:00"}\nnot json\n', "utf-8")
    with pytest.raises(DataError, match=r"feedback.jsonl:2"):
        count_corrections(path, since=None)


@pytest.mark.parametrize(("score", "fires"), [(0.1, False), (0.35, True)])
def test_triggers_drift_reads_the_score(tmp_path: Path, score: float, fires: bool) -> None:
    path = tmp_path / "drift.json"
    path.write_text(json.dumps({"score": score}), "utf-8")
    assert drift_trigger(path, threshold=0.2).fired is fires


def test_triggers_drift_without_a_result_does_not_fire(tmp_path: Path) -> None:
    assert not drift_trigger(tmp_path / "drift.json", threshold=0.2).fired

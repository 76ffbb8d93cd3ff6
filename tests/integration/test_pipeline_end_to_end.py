"""The whole pipeline on the small fixtures, through the real ``amer`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from amer.model import load_model

FIXTURES = Path(__file__).parents[1] / "fixtures"
ROOT = Path(__file__).parents[2]

pytestmark = pytest.mark.slow


def _amer(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AMER_")}
    environ.update(
        AMER_HOME=str(tmp_path / "home"),
        AMER_DATA_DIR=str(FIXTURES / "data"),
        AMER_GOLD_FILE=str(FIXTURES / "gold" / "fixture_gold.jsonl"),
        AMER_TRAINING_CONFIG=str(ROOT / "configs" / "ner.cfg"),
        AMER_MAX_EPOCHS="3",
        AMER_BOOTSTRAP_SAMPLES="50",
        AMER_LOG_FORMAT="json",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "amer", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )


@pytest.fixture(scope="module")
def finished_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    tmp = tmp_path_factory.mktemp("pipeline")
    result = _amer(["pipeline", "run", "--no-track", "--output", str(tmp / "out")], tmp)
    return result, tmp / "out"


def test_pipeline_writes_model_and_report(
    finished_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, out = finished_run
    report = json.loads((out / "report.json").read_text())
    assert len(report["dataset_version"]) == 16
    assert set(report["metrics"]["micro"]) >= {"precision", "recall", "f1"}
    assert set(report["metrics"]["per_label"]) == {
        "CONDITION",
        "SUBSTANCE",
        "PHYSIOLOGY",
        "PROCEDURE",
        "ANAT_LOC",
        "MICROORGANISM",
    }
    assert 0.0 <= report["metrics"]["token_accuracy"] <= 1.0
    assert isinstance(report["gates"]["passed"], bool)
    assert set(report["gold"]) == {"model", "lexicon", "combined"}
    assert (out / "report.md").read_text().startswith("# AMER evaluation report")
    assert json.loads((out / "verification.json").read_text())["problems"] == []


def test_pipeline_exit_code_follows_gates(
    finished_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, out = finished_run
    passed = json.loads((out / "report.json").read_text())["gates"]["passed"]
    assert result.returncode == (0 if passed else 7), result.stderr[-2000:]
    if not passed:
        assert "quality gates failed" in result.stderr and "short by" in result.stderr


def test_pipeline_model_loads_and_extracts(
    finished_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, out = finished_run
    model = load_model(out / "model")
    entities = model.extract("Pasienten har Hypertensjon og feber, og infeksjonen behandles.")
    found = {(e.text, e.label) for e in entities}
    assert ("Hypertensjon", "CONDITION") in found and ("infeksjonen", "CONDITION") in found
    assert next(e.icd10 for e in entities if e.text == "Hypertensjon") == "I10"
    assert (
        model.meta["dataset_version"]
        == json.loads((out / "report.json").read_text())["dataset_version"]
    )


def test_pipeline_stops_on_failed_verification(tmp_path: Path) -> None:
    result = _amer(
        ["pipeline", "run", "--no-track", "--output", str(tmp_path / "out")],
        tmp_path,
        AMER_LABELS='["CONDITION", "DISCIPLINE"]',
    )
    assert result.returncode == 4
    assert "no training example for label(s): DISCIPLINE" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "model").exists()

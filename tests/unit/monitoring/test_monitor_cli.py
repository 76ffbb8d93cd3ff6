"""``amer monitor``: drift, reference and status through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import amer.cli.monitoring  # noqa: F401  (adds the `monitor` commands)
from amer.cli.common import app
from amer.errors import DataError
from amer.model import DocStats, load_model
from amer.monitoring.drift import REFERENCE_FILE, analyse_texts, build_reference
from amer.monitoring.traffic import TrafficRecorder
from amer.settings import get_settings

TEXTS = [
    "Pasienten har diabetes og bruker paracetamol mot smerter.",
    "Hun har hatt feber og hoste i tre dager.",
    "Han ble operert for brudd i venstre arm.",
]


@pytest.fixture
def model_dir(tmp_path: Path, lexicon_model_dir: Path) -> Path:
    """A copy of the fixture model with a reference built on clinical sentences."""
    import shutil

    target = tmp_path / "model"
    shutil.copytree(lexicon_model_dir, target)
    stats = analyse_texts(load_model(target), TEXTS * 100)
    (target / REFERENCE_FILE).write_text(json.dumps(build_reference(stats)), "utf-8")
    return target


def _record(model_dir: Path, texts: list[str]) -> None:
    stats: list[DocStats] = analyse_texts(load_model(model_dir), texts)
    TrafficRecorder.from_settings(get_settings()).record(stats)


def test_monitor_cli_drift_writes_the_score(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMER_DRIFT_MIN_REQUESTS", "50")
    _record(model_dir, TEXTS * 30)
    result = CliRunner().invoke(app, ["monitor", "drift", "--model", str(model_dir), "--json"])
    assert result.exit_code == 0, result.output
    saved = json.loads(get_settings().drift_path.read_text())
    assert saved["score"] < 0.2 and saved["n_window"] == 90 and not saved["drifted"]


def test_monitor_cli_fail_on_drift_exits_1(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMER_DRIFT_MIN_REQUESTS", "50")
    _record(model_dir, ["The weather was fine and the ferry left on time."] * 60)
    runner = CliRunner()
    args = ["monitor", "drift", "--model", str(model_dir), "--window", "60", "--fail-on-drift"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "DRIFT" in result.output
    status = runner.invoke(app, ["monitor", "status"])
    assert status.exit_code == 0 and "60 of the last 1000" in status.output


def test_monitor_cli_drift_refuses_a_small_window(model_dir: Path) -> None:
    _record(model_dir, TEXTS)
    result = CliRunner().invoke(app, ["monitor", "drift", "--model", str(model_dir)])
    assert isinstance(result.exception, DataError)
    assert not get_settings().drift_path.exists()


def test_monitor_cli_reference_builds_from_a_corpus(
    tmp_path: Path, lexicon_model_dir: Path
) -> None:
    import shutil

    target = tmp_path / "model"
    shutil.copytree(lexicon_model_dir, target)
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(TEXTS * 5), "utf-8")
    result = CliRunner().invoke(
        app, ["monitor", "reference", "--model", str(target), "--corpus", str(corpus)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads((target / REFERENCE_FILE).read_text())["n_documents"] == 15

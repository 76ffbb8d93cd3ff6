"""The command line through ``python -m amer``: help, extract, data verify, clean errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[2] / "fixtures"


def _amer(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AMER_")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "amer", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def test_cli_help_lists_lifecycle_commands() -> None:
    result = _amer("--help")
    assert result.returncode == 0
    for command in ("data", "annotate", "train", "evaluate", "pipeline", "extract"):
        assert command in result.stdout


def test_cli_extract_json(lexicon_model_dir: Path) -> None:
    result = _amer(
        "extract",
        "Pasienten har feber og bruker paracetamol.",
        "--model",
        str(lexicon_model_dir),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    entities = json.loads(result.stdout)
    assert [(e["text"], e["label"], e["source"]) for e in entities] == [
        ("feber", "CONDITION", "lexicon"),
        ("paracetamol", "SUBSTANCE", "lexicon"),
    ]


def test_cli_extract_filters_labels(lexicon_model_dir: Path) -> None:
    result = _amer(
        "extract",
        "feber og paracetamol",
        "--model",
        str(lexicon_model_dir),
        "--json",
        "-l",
        "substance",
    )
    assert [e["label"] for e in json.loads(result.stdout)] == ["SUBSTANCE"]


def test_cli_missing_model_is_one_line_error(tmp_path: Path) -> None:
    result = _amer("extract", "feber", "--model", str(tmp_path / "nope"))
    assert result.returncode == 5
    assert "no AMER model at" in result.stderr and "Traceback" not in result.stderr


def test_cli_data_verify_on_fixtures(tmp_path: Path) -> None:
    result = _amer(
        "data",
        "verify",
        "--output",
        str(tmp_path),
        AMER_DATA_DIR=str(FIXTURES / "data"),
        AMER_HOME=str(tmp_path / "home"),
    )
    assert result.returncode == 0, result.stderr
    assert "data verification passed" in result.stdout
    report = json.loads((tmp_path / "verification.json").read_text())
    assert report["splits"]["test"]["documents"] >= 1


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AMER_DATA_DIR": "/nonexistent"}, "terminology file not found"),
        ({"AMER_TEST_FRACTION": "2"}, "AMER_TEST_FRACTION"),
    ],
)
def test_cli_bad_settings_or_data_exit_cleanly(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = _amer("data", "verify", AMER_HOME=str(tmp_path), **env)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr

"""``amer keys``: a key is printed once and only its hash is stored; revoke and list."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amer.cli.common import app
from amer.serving.auth import KeyStore


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("AMER_KEYS_FILE", str(tmp_path / "keys.json"))
    importlib.import_module("amer.cli.serving")
    return CliRunner()


def test_cli_keys_create_list_revoke(runner: CliRunner, tmp_path: Path) -> None:
    created = runner.invoke(app, ["keys", "create", "ward-7"])
    assert created.exit_code == 0
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("amer_")
    assert key.split("_", 2)[2] not in (tmp_path / "keys.json").read_text("utf-8")
    assert KeyStore(tmp_path / "keys.json").verify(key) == "ward-7"
    listed = runner.invoke(app, ["keys", "list"])
    assert "ward-7" in listed.stdout and key not in listed.stdout
    assert runner.invoke(app, ["keys", "revoke", "ward-7"]).exit_code == 0
    assert KeyStore(tmp_path / "keys.json").verify(key) is None

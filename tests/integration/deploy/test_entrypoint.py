"""The image's entry point run directly: `amer serve` as the container starts it, its
HEALTHCHECK command, traffic aggregates recorded for drift, and the drift gauge on /metrics."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from amer.monitoring.drift import DriftResult, write_drift_result
from amer.monitoring.traffic import TrafficRecorder
from amer.serving.auth import KeyStore
from amer.serving.process import ServerProcess
from amer.settings import Settings

pytestmark = pytest.mark.integration
DOCKERFILE = Path(__file__).parents[3] / "deploy" / "Dockerfile"


def healthcheck_command() -> list[str]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    match = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", text, re.MULTILINE)
    assert match is not None
    command: list[str] = json.loads(match.group(1))
    return command


def test_entrypoint_serves_records_traffic_and_exposes_drift(
    tmp_path: Path, lexicon_model_dir: Path
) -> None:
    home = tmp_path / "home"
    settings = Settings(home=home)
    write_drift_result(
        DriftResult(
            score=0.42,
            drifted=True,
            threshold=0.2,
            psi={"x": 0.42},
            label_chi2=None,
            label_pvalue=None,
            pvalue_threshold=0.01,
            n_window=500,
            n_reference=1000,
        ),
        settings.drift_path,
    )
    key = KeyStore(tmp_path / "keys.json").create("test")
    env = {
        "AMER_HOME": str(home),
        "AMER_KEYS_FILE": str(tmp_path / "keys.json"),
        "AMER_RELOAD_INTERVAL_S": "0",
        "AMER_LOG_LEVEL": "WARNING",
    }
    with ServerProcess(str(lexicon_model_dir), env=env, ready_timeout=90) as server:
        probe = healthcheck_command()
        assert probe[0] == "python"
        done = subprocess.run(
            [sys.executable, *probe[1:]],
            env={"AMER_PORT": str(server.port)},
            capture_output=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        headers = {"Authorization": f"Bearer {key}"}
        text = "Pasienten har diabetes og feber, og bruker paracetamol."
        r = httpx.post(
            f"{server.url}/v1/entities", json={"text": text}, headers=headers, timeout=30
        )
        assert r.status_code == 200, r.text
        recorder = TrafficRecorder.from_settings(settings)
        deadline = time.monotonic() + 10
        while not recorder.read_window(10) and time.monotonic() < deadline:
            time.sleep(0.1)
        (stats,) = recorder.read_window(10)
        assert stats.n_chars == len(text)
        assert "diabetes" not in recorder.path.read_text()
        metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
        assert re.search(r"^amer_drift_score 0\.42$", metrics, re.MULTILINE)
    failed = subprocess.run(
        [sys.executable, *healthcheck_command()[1:]],
        env={"AMER_PORT": str(server.port)},
        capture_output=True,
        timeout=30,
    )
    assert failed.returncode != 0

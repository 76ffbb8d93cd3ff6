"""The registry against a real ``mlflow server`` on loopback, backed by this machine's PostgreSQL.

The test creates a uniquely named database, starts the server as a subprocess on a free port
with artifacts in ``tmp_path``, and drops the database afterwards. Nothing is mocked.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from amer.errors import PromotionError
from amer.pipeline import PipelineResult
from amer.registry.store import Registry
from amer.registry.tracking import track_result
from amer.settings import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _admin(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(PG_ADMIN)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped (connections and all) after the module."""
    name = f"amer_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        # SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3; the installed driver is psycopg2.
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def mlflow_server(pg_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``mlflow server`` on a free loopback port; yields its URL."""
    port = _free_port()
    tmp = tmp_path_factory.mktemp("mlflow-server")
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    cmd = [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--backend-store-uri",
        pg_database,
        "--artifacts-destination",
        str(tmp / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    with (tmp / "server.log").open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, tmp / "server.log")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"mlflow server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"mlflow server not healthy in 90 s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def server_settings(
    mlflow_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings on the server, with a fresh model name; also exported for ``load_model``."""
    name = f"amer-it-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("AMER_TRACKING_URI", mlflow_server)
    monkeypatch.setenv("AMER_REGISTERED_MODEL", name)
    return Settings(
        home=tmp_path / "home",
        tracking_uri=mlflow_server,
        registered_model=name,
        data_dir=FIXTURES / "data",
    )


def test_server_register_promote_rollback_load(
    server_settings: Settings,
    tmp_path: Path,
    lexicon_model_dir: Path,
    make_pipeline_result: Callable[..., PipelineResult],
) -> None:
    from amer.model import load_model

    registry = Registry.from_settings(server_settings)
    for f1 in (0.90, 0.92):
        tracked = track_result(
            registry,
            server_settings,
            make_pipeline_result(tmp_path, lexicon_model_dir, f1=f1, dataset="d-server"),
            key=uuid.uuid4().hex,
        )
        assert tracked.version.source.startswith("models:/")
    for version in ("1", "2"):
        registry.promote(version, to="staging", actor="ci")
        with pytest.raises(PromotionError, match="not been through staging"):
            registry.promote(version, to="production")
        registry.record_staging(version, passed=True, junit_path=None)
        registry.promote(version, to="production", actor="ci")
    assert registry.resolve("production").version == "2"
    model = load_model(f"models:/{registry.name}@production")
    assert model.meta["registry"] == {"name": registry.name, "version": "2", "alias": "production"}
    assert [e.text for e in model.extract("Pasienten har feber.")] == ["feber"]
    move = registry.rollback(actor="ci", reason="incident 42")
    assert (move.from_version, move.to_version) == ("2", "1")
    assert load_model(f"models:/{registry.name}@production").meta["registry"]["version"] == "1"
    assert [(m.alias, m.to_version, m.action) for m in registry.history()][-2:] == [
        ("production", "2", "promote"),
        ("production", "1", "rollback"),
    ]


_WORKER = """
import sys
from pathlib import Path
from amer.registry.tracking import run_tracked_pipeline
from amer.settings import Settings
tracked = run_tracked_pipeline(Settings(), output=Path(sys.argv[1]))
print(tracked.version.version, tracked.cached, tracked.run_id)
"""


def _last_words(stdout: str) -> list[str]:
    return stdout.strip().splitlines()[-1].split()


def _pipeline_env(settings: Settings, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMER_")}
    env.update(
        AMER_HOME=str(home),
        AMER_TRACKING_URI=str(settings.tracking_uri),
        AMER_REGISTERED_MODEL=settings.registered_model,
        AMER_DATA_DIR=str(FIXTURES / "data"),
        AMER_GOLD_FILE=str(FIXTURES / "gold" / "fixture_gold.jsonl"),
        AMER_TRAINING_CONFIG=str(ROOT / "configs" / "ner.cfg"),
        AMER_MAX_EPOCHS="2",
        AMER_BOOTSTRAP_SAMPLES="20",
        AMER_LOG_LEVEL="WARNING",
    )
    return env


@pytest.mark.slow
def test_server_two_concurrent_pipelines_leave_a_consistent_registry(
    server_settings: Settings, tmp_path: Path
) -> None:
    env = _pipeline_env(server_settings, tmp_path / "home")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(tmp_path / f"out{i}")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [p.communicate(timeout=240) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-3000:]
    registry = Registry.from_settings(server_settings)
    versions = registry.list_versions()
    assert sorted(v.version for v in versions) == ["1", "2"]
    assert {v.run_id for v in versions} == {_last_words(out)[2] for out, _ in outputs}
    for v in versions:
        assert (
            v.dataset_version and v.tags["amer.cache_key"] and set(v.metrics) >= {"f1", "accuracy"}
        )
        assert registry.client.get_run(v.run_id or "").info.status == "FINISHED"
    again = subprocess.run(
        [sys.executable, "-c", _WORKER, str(tmp_path / "out3")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert _last_words(again.stdout)[1] == "True"
    assert len(registry.list_versions()) == 2
    view = subprocess.run(
        [sys.executable, "-m", "amer", "model", "list"],
        env={**env, "COLUMNS": "160"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert view.returncode == 0 and view.stdout.count("amer-it") == 1, view.stderr[-2000:]
    print("\n" + view.stdout)

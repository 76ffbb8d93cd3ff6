"""Registry-alias serving and ``amer deploy`` against a real embedded MLflow store.

A production server follows ``models:/NAME@production``; ``amer deploy staging --promote``
serves the staging alias, runs the smoke suite, records the result and moves production,
which the running server picks up by polling — all measured end to end.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from amer.client import Client
from amer.errors import PromotionError
from amer.pipeline import PipelineResult
from amer.registry.store import Registry
from amer.registry.tracking import track_result
from amer.serving.auth import KeyStore
from amer.serving.deploy import deploy_production
from amer.serving.process import SERVE_COMMAND, ServerProcess
from amer.settings import Settings

pytestmark = pytest.mark.integration

REPO = Path(__file__).parents[3]


def _register(registry: Registry, settings: Settings, result: PipelineResult) -> str:
    return str(track_result(registry, settings, result, key=uuid.uuid4().hex).version.version)


def test_deploy_staging_then_production_swaps_the_running_service(
    lexicon_model_dir: Path, tmp_path: Path, make_pipeline_result: Callable[..., PipelineResult]
) -> None:
    name = f"amer-deploy-{uuid.uuid4().hex[:6]}"
    home = tmp_path / "home"
    settings = Settings(home=home, registered_model=name)
    registry = Registry.from_settings(settings)
    v1 = _register(registry, settings, make_pipeline_result(tmp_path, lexicon_model_dir))
    registry.promote(v1, to="staging")
    registry.record_staging(v1, passed=True, junit_path=None)
    registry.promote(v1, to="production")
    v2 = _register(registry, settings, make_pipeline_result(tmp_path, lexicon_model_dir))
    registry.promote(v2, to="staging")
    with pytest.raises(PromotionError, match="staging"):
        deploy_production(settings, wait=False)

    key = KeyStore(tmp_path / "keys.json").create("ops")
    env = {
        "AMER_HOME": str(home),
        "AMER_REGISTERED_MODEL": name,
        "AMER_KEYS_FILE": str(tmp_path / "keys.json"),
        "AMER_RELOAD_INTERVAL_S": "0.5",
    }
    with (
        ServerProcess(f"models:/{name}@production", env=env, ready_timeout=90) as production,
        Client(production.url, key) as client,
    ):
        assert client.model_info()["version"] == v1
        assert client.model_info()["alias"] == "production"
        deploy_env = {**env, "AMER_API_URL": production.url, "AMER_API_KEY": key}
        done = subprocess.run(
            [*SERVE_COMMAND[:-1], "deploy", "staging", "--promote"],
            env={**os.environ, **deploy_env},
            capture_output=True,
            text=True,
            timeout=170,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "end-to-end deploy time" in done.stdout
        print(done.stdout)  # the measured deploy time, shown with -s
        assert client.model_info()["version"] == v2
    info = registry.resolve("production")
    assert info.version == v2 and info.staging_passed
    junit = sorted((home / "deploy").glob(f"staging-{name}-v{v2}-*.xml"))
    assert junit and 'failures="0"' in junit[-1].read_text("utf-8")

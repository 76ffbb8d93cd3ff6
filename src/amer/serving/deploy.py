"""``amer deploy``: staging (serve the alias, smoke-test it, record the result) and production.

Staging starts ``amer serve models:/NAME@staging`` on a free loopback port with a one-off API
key, runs the packaged smoke suite (:mod:`amer.serving.smoke`) against it with a JUnit report,
and records pass/fail on the model version. Production moves the ``production`` alias to a
version that passed staging; a running production service picks it up by polling.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from amer.errors import ConfigError, PromotionError, ServiceError
from amer.serving import smoke
from amer.serving.auth import KeyStore
from amer.serving.process import ServerProcess
from amer.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StagingResult:
    """Outcome of ``amer deploy staging``."""

    version: str
    passed: bool
    junit_path: Path
    log_path: Path
    duration_s: float


@dataclass(frozen=True)
class ProductionResult:
    """Outcome of ``amer deploy production``."""

    version: str
    picked_up: bool | None
    duration_s: float


def _registry(settings: Settings) -> Any:
    from amer.registry.store import Registry

    return Registry.from_settings(settings)


def run_smoke_suite(
    url: str, *, api_key: str | None, junit_path: Path, expected_version: str | None = None
) -> bool:
    """Run the packaged smoke suite against ``url``; True when every test passed.

    Raises:
        ConfigError: pytest is not installed.
    """
    if importlib.util.find_spec("pytest") is None:
        raise ConfigError("the staging smoke suite needs pytest: pip install pytest")
    pytest_ini = junit_path.with_suffix(".ini")
    pytest_ini.write_text("[pytest]\n", "utf-8")
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(Path(smoke.__file__).parent),
        "-q",
        "-p",
        "no:cacheprovider",
        "-c",
        str(pytest_ini),
        "--rootdir",
        str(junit_path.parent),
        f"--junitxml={junit_path}",
    ]
    if expected_version is not None:
        command.append(f"--expected-version={expected_version}")
    env = {"AMER_API_URL": url, **({"AMER_API_KEY": api_key} if api_key else {})}
    done = subprocess.run(command, env=_env(env), capture_output=True, check=False)
    (junit_path.with_suffix(".log")).write_bytes(done.stdout + done.stderr)
    return done.returncode == 0


def _env(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **extra}


def deploy_staging(settings: Settings, *, registry: Any = None) -> StagingResult:
    """Serve the ``staging`` alias, smoke-test it, record the result on its version."""
    start = time.perf_counter()
    registry = registry or _registry(settings)
    info = registry.resolve("staging")
    version = str(info.version)
    out = (settings.home / "deploy").resolve()
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    junit = out / f"staging-{info.name}-v{version}-{stamp}.xml"
    log_path = junit.with_suffix(".server.log")
    with tempfile.TemporaryDirectory(prefix="amer-staging-") as tmp:
        keys = Path(tmp) / "keys.json"
        key = KeyStore(keys).create("smoke")
        env = {
            "AMER_KEYS_FILE": str(keys),
            "AMER_RELOAD_INTERVAL_S": "0",
            "AMER_AUTH_ENABLED": "true",
            "AMER_HOME": str(settings.home.resolve()),
        }
        server = ServerProcess(f"models:/{info.name}@staging", env=env, log_path=log_path)
        try:
            with server:
                passed = run_smoke_suite(
                    server.url, api_key=key, junit_path=junit, expected_version=version
                )
        except ServiceError:
            logger.error("the staging server did not start; see %s", log_path)
            junit.write_text(_failed_junit("the staging server did not start"), "utf-8")
            passed = False
    registry.record_staging(info.version, passed=passed, junit_path=junit)
    return StagingResult(version, passed, junit, log_path, time.perf_counter() - start)


def _failed_junit(message: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="amer-smoke" '
        'tests="1" failures="0" errors="1"><testcase classname="amer.smoke" name="server_start">'
        f'<error message="{message}"/></testcase></testsuite></testsuites>\n'
    )


def deploy_production(
    settings: Settings,
    *,
    version: str | None = None,
    wait: bool = True,
    wait_timeout_s: float | None = None,
    force: bool = False,
    registry: Any = None,
) -> ProductionResult:
    """Point ``production`` at ``version`` (default: the staging alias) if it passed staging.

    With ``wait``, poll the running service at ``settings.api_url`` until it answers with
    the new version (``picked_up``); without, ``picked_up`` is None.

    Raises:
        PromotionError: the version has not passed staging (and ``force`` is not set).
    """
    start = time.perf_counter()
    registry = registry or _registry(settings)
    info = registry.resolve(version or "staging")
    if not info.staging_passed and not force:
        raise PromotionError(
            f"version {info.version} has not passed staging; run `amer deploy staging` first"
        )
    registry.promote(
        info.version,
        to="production",
        force=force,
        reason="amer deploy production",
        actor="amer deploy",
    )
    picked: bool | None = None
    if wait:
        limit = (
            wait_timeout_s if wait_timeout_s is not None else settings.reload_interval_s * 2 + 60
        )
        picked = wait_for_version(settings, str(info.version), timeout_s=limit)
    return ProductionResult(str(info.version), picked, time.perf_counter() - start)


def wait_for_version(settings: Settings, version: str, *, timeout_s: float) -> bool:
    """Poll ``GET /v1/model`` at ``settings.api_url`` until it reports ``version``."""
    from amer.client import Client

    key = settings.api_key.get_secret_value() if settings.api_key else None
    deadline = time.monotonic() + timeout_s
    with Client(settings.api_url, key, timeout=5, retries=1) as client:
        while time.monotonic() < deadline:
            try:
                if str(client.model_info().get("version")) == version:
                    return True
            except ServiceError as e:
                logger.warning("production service not answering: %s", type(e).__name__)
            time.sleep(0.5)
    return False

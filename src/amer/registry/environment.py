"""Environment as code: ``amer env up`` builds store, registered model, versions and aliases.

One idempotent command: the tracked pipeline (cached when nothing changed), ``staging``, an
in-process staging smoke test recorded on the version, then ``production``. Run it again and
nothing moves; delete ``AMER_HOME`` and run it again and the same environment comes back.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from amer.errors import ModelError
from amer.registry.store import Registry
from amer.registry.versions import ModelVersionInfo
from amer.settings import Settings

if TYPE_CHECKING:
    from amer.pipeline import Progress
    from amer.registry.audit import AliasMove
    from amer.registry.tracking import TrackedRun

logger = logging.getLogger(__name__)

ENV_ACTOR = "amer-env-up"
"""Who the alias log names for moves made by ``amer env up``."""


@dataclass(frozen=True)
class EnvReport:
    """What ``env up`` found or built."""

    tracked: TrackedRun
    production: ModelVersionInfo
    moves: list[AliasMove] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether this call trained or moved anything."""
        return bool(self.moves) or not self.tracked.cached


def env_up(settings: Settings, *, output: Path, progress: Progress | None = None) -> EnvReport:
    """Bring store, registered model, a version and both aliases up from code and data.

    Raises:
        PromotionError: the built version fails a gate (nothing is moved past it).
        VerificationError: the data failed verification.
    """
    from amer.registry.tracking import run_tracked_pipeline

    started = time.perf_counter()
    tracked = run_tracked_pipeline(settings, output=output, progress=progress)
    registry = Registry.from_settings(settings)
    version = tracked.version.version
    moves = [registry.promote(version, to="staging", actor=ENV_ACTOR, reason="amer env up")]
    if registry.resolve(version).staging_passed is None:
        smoke_test_staging(registry)
    moves.append(registry.promote(version, to="production", actor=ENV_ACTOR, reason="amer env up"))
    done = [m for m in moves if m is not None]
    elapsed = round(time.perf_counter() - started, 2)
    return EnvReport(tracked, registry.resolve("production"), done, elapsed)


def smoke_test_staging(registry: Registry) -> bool:
    """Load ``@staging`` from the registry, run the canned sentence, record the result.

    The inference service's smoke tests record their own result (with a JUnit report) via
    :meth:`Registry.record_staging`; this in-process check stands in where no service runs.
    """
    from amer.model import load_model

    info = registry.resolve("staging")
    with tempfile.TemporaryDirectory(prefix="amer-smoke-") as tmp:
        path = registry.download(info.version, cache_dir=Path(tmp))
        try:
            passed = bool(load_model(path).self_test() is not None)
        except ModelError as e:
            logger.warning("staging smoke test failed: %s", e)
            passed = False
    registry.record_staging(info.version, passed=passed, junit_path=None)
    return passed

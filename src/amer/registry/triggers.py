"""Retraining triggers: new data, an old production model, user feedback, drift.

:func:`check_triggers` says which fire and why; :func:`run_triggers` retrains when one fires
and promotes the new version to ``staging`` when its gates pass; :func:`watch` loops.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from amer.errors import AmerError, DataError
from amer.registry.store import Registry
from amer.registry.versions import ModelVersionInfo
from amer.settings import Settings

if TYPE_CHECKING:
    from amer.pipeline import Progress
    from amer.registry.audit import AliasMove
    from amer.registry.tracking import TrackedRun

logger = logging.getLogger(__name__)

TRIGGER_ACTOR = "amer-trigger"
"""Who the alias log names when a trigger promotes a version."""


@dataclass(frozen=True, slots=True)
class Trigger:
    """One retraining trigger: whether it fires, and why (or why not)."""

    name: str
    fired: bool
    reason: str


@dataclass(frozen=True)
class TriggerReport:
    """Every trigger's verdict against the current production version."""

    triggers: list[Trigger]
    production: ModelVersionInfo | None
    dataset_version: str

    @property
    def fired(self) -> list[Trigger]:
        """The triggers that fire."""
        return [t for t in self.triggers if t.fired]


@dataclass(frozen=True)
class TriggerRun:
    """What ``trigger run`` did: the check, and the run and staging move if it retrained."""

    report: TriggerReport
    tracked: TrackedRun | None = None
    staged: AliasMove | None = None
    notes: list[str] = field(default_factory=list)


def check_triggers(
    settings: Settings, registry: Registry, *, now: dt.datetime | None = None
) -> TriggerReport:
    """Evaluate the four triggers (reads and hashes the data: a few seconds)."""
    from amer.pipeline import compute_dataset_version

    now = now or dt.datetime.now(dt.UTC)
    production = registry.find("production")
    version = compute_dataset_version(settings)
    triggers = [
        new_data_trigger(version, production),
        age_trigger(production, now=now, max_age_days=settings.retrain_max_age_days),
        feedback_trigger(settings.feedback_path, production, threshold=settings.feedback_threshold),
        drift_trigger(settings.drift_path, threshold=settings.drift_threshold),
    ]
    return TriggerReport(triggers, production, version)


def new_data_trigger(dataset_version: str, production: ModelVersionInfo | None) -> Trigger:
    """Fires when the data's dataset version differs from production's (or none is live)."""
    if production is None:
        return Trigger("new_data", True, "no production version yet")
    if production.dataset_version != dataset_version:
        return Trigger(
            "new_data",
            True,
            f"data is {dataset_version[:12]}, production v{production.version} was trained on "
            f"{(production.dataset_version or 'unknown')[:12]}",
        )
    return Trigger("new_data", False, f"data unchanged ({dataset_version[:12]})")


def age_trigger(
    production: ModelVersionInfo | None, *, now: dt.datetime, max_age_days: int
) -> Trigger:
    """Fires when the production version was built more than ``max_age_days`` ago."""
    if production is None:
        return Trigger("age", False, "no production version")
    age = now - production.created_at
    days = age.total_seconds() / 86400
    verdict = f"production v{production.version} is {days:.1f} days old (limit {max_age_days})"
    return Trigger("age", days > max_age_days, verdict)


def feedback_trigger(path: Path, production: ModelVersionInfo | None, *, threshold: int) -> Trigger:
    """Fires when at least ``threshold`` corrections arrived since production was built."""
    since = production.created_at if production is not None else None
    count = count_corrections(path, since=since)
    when = f" since v{production.version}" if production is not None else ""
    verdict = f"{count} corrections{when} (threshold {threshold})"
    return Trigger("feedback", count >= threshold, verdict)


def drift_trigger(path: Path, *, threshold: float) -> Trigger:
    """Fires when the latest drift score (``drift.json`` ``score``) is above ``threshold``."""
    from amer.monitoring.drift import read_drift_score

    score = read_drift_score(path)
    if score is None:
        return Trigger("drift", False, f"no drift result at {path}")
    return Trigger("drift", score > threshold, f"drift score {score:.3f} (threshold {threshold})")


def count_corrections(path: Path, *, since: dt.datetime | None) -> int:
    """Corrections (one JSON object a line) in ``path``; with ``since``, only newer ones.

    Raises:
        DataError: a line is not a JSON object, or its ``timestamp`` is not ISO 8601.
    """
    if not path.is_file():
        return 0
    count = 0
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if line.strip() and _newer(line, since, where=f"{path}:{lineno}"):
                count += 1
    return count


def _newer(line: str, since: dt.datetime | None, *, where: str) -> bool:
    try:
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        stamp = record.get("timestamp")
        if since is None or stamp is None:
            return True
        when = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError as e:
        raise DataError(f"{where}: not a feedback record ({e})") from e
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when > since


def run_triggers(
    settings: Settings, *, output: Path, progress: Progress | None = None
) -> TriggerRun:
    """Retrain when a trigger fires; put the new version on ``staging`` if its gates pass."""
    from amer.registry.tracking import run_tracked_pipeline

    registry = Registry.from_settings(settings)
    report = check_triggers(settings, registry)
    if not report.fired:
        return TriggerRun(report)
    tracked = run_tracked_pipeline(settings, output=output, progress=progress)
    if not tracked.version.gates_passed:
        note = f"v{tracked.version.version} failed its quality gates; not staged"
        return TriggerRun(report, tracked, None, [note])
    why = "retraining trigger: " + "; ".join(f"{t.name}: {t.reason}" for t in report.fired)
    staged = registry.promote(
        tracked.version.version, to="staging", actor=TRIGGER_ACTOR, reason=why
    )
    return TriggerRun(report, tracked, staged)


def watch(
    settings: Settings,
    *,
    interval_s: float,
    output: Path,
    on_result: Callable[[TriggerRun], None],
    on_error: Callable[[AmerError], None],
    max_checks: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run :func:`run_triggers` every ``interval_s`` seconds; return how many checks ran.

    An :class:`AmerError` in one check (a refused promotion, an unreachable store) goes to
    ``on_error`` and the loop carries on; anything else stops it.
    """
    checks = 0
    while max_checks is None or checks < max_checks:
        if checks:
            sleep(interval_s)
        try:
            on_result(run_triggers(settings, output=output))
        except AmerError as e:
            logger.warning("trigger check failed: %s", type(e).__name__)
            on_error(e)
        checks += 1
    return checks

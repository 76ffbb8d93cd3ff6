"""Hooks into ``amer.monitoring`` (drift traffic, drift score) when that package provides them."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from amer.model import DocStats
from amer.monitoring.metrics import DRIFT_SCORE
from amer.settings import Settings

logger = logging.getLogger(__name__)


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name != module:
            raise
        return None


def traffic_sink(settings: Settings) -> Callable[[Sequence[DocStats]], None] | None:
    """``TrafficRecorder.from_settings(settings).record``, or None when it does not exist."""
    traffic = _optional("amer.monitoring.traffic")
    if traffic is None or not hasattr(traffic, "TrafficRecorder"):
        return None
    recorder = traffic.TrafficRecorder.from_settings(settings)
    record: Callable[[Sequence[DocStats]], None] = recorder.record
    return record


def update_drift_gauge(settings: Settings) -> None:
    """Set ``amer_drift_score`` from the latest drift result, if any."""
    drift = _optional("amer.monitoring.drift")
    if drift is None or not hasattr(drift, "read_drift_score"):
        return
    try:
        score = drift.read_drift_score(settings.drift_path)
    except Exception as e:  # noqa: BLE001 - a bad drift file must not break /metrics
        logger.warning("cannot read the drift score: %s", type(e).__name__)
        return
    if score is not None:
        DRIFT_SCORE.set(float(score))

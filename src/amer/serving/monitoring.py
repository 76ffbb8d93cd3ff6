"""The service's hooks into ``amer.monitoring``: drift traffic and the drift-score gauge."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from amer.model import DocStats
from amer.monitoring.drift import read_drift_score
from amer.monitoring.metrics import DRIFT_SCORE
from amer.monitoring.traffic import TrafficRecorder
from amer.settings import Settings

logger = logging.getLogger(__name__)


def traffic_sink(settings: Settings) -> Callable[[Sequence[DocStats]], None]:
    """``TrafficRecorder.from_settings(settings).record``: aggregates only, never text."""
    return TrafficRecorder.from_settings(settings).record


def update_drift_gauge(settings: Settings) -> None:
    """Set ``amer_drift_score`` from the latest drift result, if any."""
    score = read_drift_score(settings.drift_path)
    if score is not None:
        DRIFT_SCORE.set(float(score))

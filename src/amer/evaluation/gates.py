"""Quality gates: each metric must be strictly greater than its threshold."""

from __future__ import annotations

from pydantic import BaseModel, Field

from amer.settings import GateSettings


class GateResult(BaseModel):
    """Whether every gate passed, and a sentence for each one that failed."""

    passed: bool
    thresholds: dict[str, float]
    failures: list[str] = Field(default_factory=list)


def check_gates(values: dict[str, float], gates: GateSettings) -> GateResult:
    """Compare ``values`` (token_accuracy, precision, recall, f1) with the thresholds."""
    thresholds = gates.model_dump()
    failures = [
        f"{name} {values.get(name, 0.0):.4f} is not above {limit:.4f} "
        f"(short by {limit - values.get(name, 0.0):.4f})"
        for name, limit in thresholds.items()
        if not values.get(name, 0.0) > limit
    ]
    return GateResult(passed=not failures, thresholds=thresholds, failures=failures)

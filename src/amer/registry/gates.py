"""Promotion gates: why a version may not take the ``staging`` or ``production`` alias."""

from __future__ import annotations

from amer.registry.versions import ModelVersionInfo


def check_promotion(
    candidate: ModelVersionInfo,
    *,
    to: str,
    champion: ModelVersionInfo | None,
    max_f1_drop: float,
) -> list[str]:
    """The reasons to refuse promoting ``candidate`` to alias ``to``; empty means allowed.

    Any promotion needs passed quality gates. Production also needs a passed staging run and
    a micro F1 no more than ``max_f1_drop`` (0.005 = half a point) below the champion's.
    """
    reasons: list[str] = []
    if not candidate.gates_passed:
        failed = ", ".join(candidate.gate_failures) or "no gate result recorded"
        reasons.append(f"v{candidate.version} failed its quality gates ({failed})")
    if to != "production":
        return reasons
    if candidate.staging_passed is None:
        reasons.append(f"v{candidate.version} has not been through staging")
    elif not candidate.staging_passed:
        reasons.append(f"v{candidate.version} failed its staging smoke tests")
    if champion is not None and champion.version != candidate.version:
        reasons.extend(_f1_refusal(candidate, champion, max_f1_drop))
    return reasons


def _f1_refusal(
    candidate: ModelVersionInfo, champion: ModelVersionInfo, max_f1_drop: float
) -> list[str]:
    new, old = candidate.metrics.get("f1"), champion.metrics.get("f1")
    if new is None or old is None:
        return [f"cannot compare micro F1 with production v{champion.version} (not recorded)"]
    if new >= old - max_f1_drop:
        return []
    split = (
        "same evaluation split"
        if candidate.eval_split and candidate.eval_split == champion.eval_split
        else "different evaluation splits"
    )
    return [
        f"micro F1 {new * 100:.2f} is {(old - new) * 100:.2f} points below production "
        f"v{champion.version} ({old * 100:.2f}; {split}; at most {max_f1_drop * 100:.2f} allowed)"
    ]

"""Promotion gates: quality gates, staging, and the F1 margin against production."""

from __future__ import annotations

import datetime as dt

import pytest

from amer.registry.gates import check_promotion
from amer.registry.versions import ModelVersionInfo


def _info(
    version: str,
    *,
    f1: float = 0.90,
    gates: bool = True,
    staging: bool | None = True,
    split: str = "s1",
) -> ModelVersionInfo:
    return ModelVersionInfo(
        name="amer-ner",
        version=version,
        aliases=(),
        dataset_version="d",
        metrics={"f1": f1},
        gates_passed=gates,
        staging_passed=staging,
        created_at=dt.datetime.now(dt.UTC),
        run_id="r",
        source="models:/m",
        gate_failures=() if gates else ("f1 0.5 is not above 0.87",),
        eval_split=split,
    )


def test_gates_allow_a_good_version_to_both_aliases() -> None:
    champion = _info("1", f1=0.900)
    assert (
        check_promotion(_info("2", f1=0.896), to="production", champion=champion, max_f1_drop=0.005)
        == []
    )
    assert (
        check_promotion(
            _info("2", staging=None), to="staging", champion=champion, max_f1_drop=0.005
        )
        == []
    )


@pytest.mark.parametrize("to", ["staging", "production"])
def test_gates_refuse_a_version_that_failed_its_quality_gates(to: str) -> None:
    reasons = check_promotion(_info("2", gates=False), to=to, champion=None, max_f1_drop=0.005)
    assert any("failed its quality gates" in r and "f1 0.5" in r for r in reasons)


@pytest.mark.parametrize(
    ("staging", "words"), [(None, "not been through staging"), (False, "failed its staging")]
)
def test_gates_refuse_production_without_passed_staging(staging: bool | None, words: str) -> None:
    reasons = check_promotion(
        _info("2", staging=staging), to="production", champion=None, max_f1_drop=0.005
    )
    assert len(reasons) == 1 and words in reasons[0]


@pytest.mark.parametrize(("f1", "refused"), [(0.8951, False), (0.8949, True), (0.95, False)])
def test_gates_refuse_a_challenger_more_than_half_a_point_below_production(
    f1: float, refused: bool
) -> None:
    reasons = check_promotion(
        _info("2", f1=f1), to="production", champion=_info("1", f1=0.900), max_f1_drop=0.005
    )
    assert bool(reasons) is refused
    if refused:
        assert "below production v1" in reasons[0] and "same evaluation split" in reasons[0]

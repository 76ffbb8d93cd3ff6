from amer.evaluation.gates import check_gates
from amer.settings import GateSettings

PASSING = {"token_accuracy": 0.95, "precision": 0.9, "recall": 0.9, "f1": 0.9}


def test_gates_pass_when_all_metrics_above_thresholds() -> None:
    result = check_gates(PASSING, GateSettings())
    assert result.passed and result.failures == []


def test_gates_name_the_failed_gate_and_the_shortfall() -> None:
    result = check_gates(PASSING | {"recall": 0.84}, GateSettings())
    assert not result.passed
    assert result.failures == ["recall 0.8400 is not above 0.8500 (short by 0.0100)"]


def test_gates_are_strict_at_the_threshold() -> None:
    assert not check_gates(PASSING | {"f1": 0.87}, GateSettings()).passed

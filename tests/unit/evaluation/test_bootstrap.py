from amer.evaluation.bootstrap import bootstrap_intervals
from amer.evaluation.metrics import Example, count_example


def _doc(correct: bool):
    gold = frozenset({(0, 5, "CONDITION")})
    pred = gold if correct else frozenset({(0, 5, "SUBSTANCE")})
    return count_example(Example([(0, 5)], gold, pred))


def test_bootstrap_interval_contains_point_estimate_and_is_seeded() -> None:
    docs = [_doc(i % 4 != 0) for i in range(40)]  # F1 = 0.75
    ci = bootstrap_intervals(docs, samples=300, seed=3)
    low, high = ci["f1"]
    assert low < 0.75 < high and high - low < 0.4
    assert ci == bootstrap_intervals(docs, samples=300, seed=3)


def test_bootstrap_perfect_scores_have_zero_width() -> None:
    ci = bootstrap_intervals([_doc(True)] * 10, samples=50, seed=0)
    assert ci["precision"] == (1.0, 1.0)


def test_bootstrap_no_documents_gives_no_interval() -> None:
    assert bootstrap_intervals([], samples=10, seed=0) == {}

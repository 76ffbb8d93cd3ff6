import pytest

from amer.evaluation.metrics import (
    Example,
    count_example,
    micro,
    per_label,
    prf,
    token_accuracy,
    token_tags,
    total,
)

TOKENS = [(0, 5), (6, 11), (12, 14), (15, 20)]  # "akutt infarkt og feber"


def test_prf_hand_computed() -> None:
    scores = prf(tp=3, fp=1, fn=2)
    assert scores.precision == pytest.approx(0.75)
    assert scores.recall == pytest.approx(0.6)
    assert scores.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert scores.support == 5


def test_prf_empty_is_zero() -> None:
    assert prf(0, 0, 0).f1 == 0.0


def test_exact_match_needs_span_and_label() -> None:
    gold = frozenset({(0, 11, "CONDITION"), (15, 20, "CONDITION")})
    pred = frozenset({(6, 11, "CONDITION"), (15, 20, "SUBSTANCE")})
    counts = count_example(Example(TOKENS, gold, pred))
    assert sum(counts.tp.values()) == 0
    assert counts.fp == {"CONDITION": 1, "SUBSTANCE": 1}
    assert counts.fn == {"CONDITION": 2}
    # tags: gold B-C I-C O B-C ; pred O B-C O B-S -> only "og" agrees
    assert counts.tokens_correct == 1 and counts.tokens_total == 4


def test_micro_and_per_label_over_documents() -> None:
    a = count_example(
        Example(TOKENS, frozenset({(15, 20, "CONDITION")}), frozenset({(15, 20, "CONDITION")}))
    )
    b = count_example(
        Example(TOKENS, frozenset({(0, 5, "SUBSTANCE")}), frozenset({(6, 11, "SUBSTANCE")}))
    )
    summed = total([a, b])
    assert micro(summed).precision == pytest.approx(0.5)
    assert micro(summed).recall == pytest.approx(0.5)
    labels = per_label(summed, ["CONDITION", "SUBSTANCE"])
    assert labels["CONDITION"].f1 == 1.0 and labels["SUBSTANCE"].f1 == 0.0
    assert token_accuracy(summed) == pytest.approx(6 / 8)


def test_token_tags_iob() -> None:
    assert token_tags(TOKENS, [(0, 11, "CONDITION")]) == ["B-CONDITION", "I-CONDITION", "O", "O"]

"""Entity-level (exact span and label) precision, recall and F1, and token accuracy.

An entity counts as correct only when its start, end and label all match. Token accuracy
compares each token's IOB tag and label (``O``, ``B-CONDITION``, ``I-CONDITION``...) and
counts every non-space token.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

CharSpan = tuple[int, int, str]
"""(start character, end character, label)."""


@dataclass(frozen=True)
class Example:
    """One evaluated document: its token offsets, the gold and the predicted spans."""

    tokens: Sequence[tuple[int, int]]
    gold: frozenset[CharSpan]
    pred: frozenset[CharSpan]


@dataclass
class Counts:
    """True/false positives and false negatives per label, and token agreement."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    tokens_correct: int = 0
    tokens_total: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.tp.update(other.tp)
        self.fp.update(other.fp)
        self.fn.update(other.fn)
        self.tokens_correct += other.tokens_correct
        self.tokens_total += other.tokens_total
        return self


class Scores(BaseModel):
    """Precision, recall, F1 and the number of gold entities."""

    precision: float
    recall: float
    f1: float
    support: int


def prf(tp: int, fp: int, fn: int) -> Scores:
    """Precision, recall and F1 from counts (0.0 where undefined)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision=precision, recall=recall, f1=f1, support=tp + fn)


def token_tags(tokens: Sequence[tuple[int, int]], spans: Iterable[CharSpan]) -> list[str]:
    """IOB tags of tokens given character spans (a token inside a span gets its label)."""
    tags = ["O"] * len(tokens)
    for start, end, label in spans:
        inside = [i for i, (s, e) in enumerate(tokens) if s >= start and e <= end]
        for n, i in enumerate(inside):
            tags[i] = f"{'B' if n == 0 else 'I'}-{label}"
    return tags


def count_example(example: Example) -> Counts:
    """Counts for one document."""
    counts = Counts()
    for _, _, label in example.gold & example.pred:
        counts.tp[label] += 1
    for _, _, label in example.pred - example.gold:
        counts.fp[label] += 1
    for _, _, label in example.gold - example.pred:
        counts.fn[label] += 1
    gold_tags = token_tags(example.tokens, example.gold)
    pred_tags = token_tags(example.tokens, example.pred)
    counts.tokens_correct = sum(g == p for g, p in zip(gold_tags, pred_tags, strict=True))
    counts.tokens_total = len(example.tokens)
    return counts


def total(counts: Iterable[Counts]) -> Counts:
    """Sum of per-document counts."""
    summed = Counts()
    for c in counts:
        summed += c
    return summed


def micro(counts: Counts) -> Scores:
    """Micro-averaged scores over all labels."""
    return prf(sum(counts.tp.values()), sum(counts.fp.values()), sum(counts.fn.values()))


def per_label(counts: Counts, labels: Sequence[str]) -> dict[str, Scores]:
    """Scores of each label."""
    return {label: prf(counts.tp[label], counts.fp[label], counts.fn[label]) for label in labels}


def token_accuracy(counts: Counts) -> float:
    """Share of tokens whose IOB tag and label match."""
    return counts.tokens_correct / counts.tokens_total if counts.tokens_total else 0.0

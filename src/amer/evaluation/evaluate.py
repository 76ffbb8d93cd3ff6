"""Score a model against reference spans: the held-out split or a hand-annotated gold file."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel
from spacy.tokens import Doc

from amer.evaluation.bootstrap import bootstrap_intervals
from amer.evaluation.gold import GoldDocument
from amer.evaluation.metrics import (
    CharSpan,
    Example,
    Scores,
    count_example,
    micro,
    per_label,
    token_accuracy,
    total,
)
from amer.model import AmerModel, Mode


class Evaluation(BaseModel):
    """Scores of one model mode on one reference set."""

    mode: str
    documents: int
    token_accuracy: float
    micro: Scores
    per_label: dict[str, Scores]
    ci95: dict[str, tuple[float, float]]
    latency_ms: dict[str, float] = {}

    def gate_values(self) -> dict[str, float]:
        """The values the quality gates look at."""
        return {
            "token_accuracy": self.token_accuracy,
            "precision": self.micro.precision,
            "recall": self.micro.recall,
            "f1": self.micro.f1,
        }


def spans_of(doc: Doc) -> frozenset[CharSpan]:
    """Character spans of ``doc.ents``."""
    return frozenset((e.start_char, e.end_char, e.label_) for e in doc.ents)


def tokens_of(doc: Doc) -> list[tuple[int, int]]:
    """Character offsets of the non-space tokens."""
    return [(t.idx, t.idx + len(t)) for t in doc if not t.is_space]


def score(
    examples: Sequence[Example],
    *,
    mode: str,
    labels: Sequence[str],
    bootstrap_samples: int,
    seed: int,
) -> Evaluation:
    """Micro and per-label scores, token accuracy and bootstrap intervals."""
    per_doc = [count_example(e) for e in examples]
    summed = total(per_doc)
    return Evaluation(
        mode=mode,
        documents=len(examples),
        token_accuracy=token_accuracy(summed),
        micro=micro(summed),
        per_label=per_label(summed, labels),
        ci95=bootstrap_intervals(per_doc, samples=bootstrap_samples, seed=seed),
    )


def evaluate_on_docs(
    model: AmerModel,
    reference: Sequence[Doc],
    *,
    mode: Mode = "combined",
    labels: Sequence[str],
    bootstrap_samples: int,
    seed: int,
) -> Evaluation:
    """Score ``model`` against weakly labelled reference docs (the held-out split)."""
    texts = [doc.text for doc in reference]
    predicted, latency = _timed_docs(model, texts, mode)
    examples = [
        Example(tokens_of(p), spans_of(r), spans_of(p))
        for r, p in zip(reference, predicted, strict=True)
    ]
    result = score(
        examples, mode=mode, labels=labels, bootstrap_samples=bootstrap_samples, seed=seed
    )
    result.latency_ms = latency
    return result


def evaluate_on_gold(
    model: AmerModel,
    gold: Sequence[GoldDocument],
    *,
    mode: Mode = "combined",
    labels: Sequence[str],
    bootstrap_samples: int,
    seed: int,
) -> Evaluation:
    """Score ``model`` against a hand-annotated gold set."""
    predicted, latency = _timed_docs(model, [g.text for g in gold], mode)
    examples = [
        Example(
            tokens_of(p),
            frozenset((s.start, s.end, s.label) for s in g.spans),
            spans_of(p),
        )
        for g, p in zip(gold, predicted, strict=True)
    ]
    result = score(
        examples, mode=mode, labels=labels, bootstrap_samples=bootstrap_samples, seed=seed
    )
    result.latency_ms = latency
    return result


def _timed_docs(
    model: AmerModel, texts: Sequence[str], mode: Mode
) -> tuple[list[Doc], dict[str, float]]:
    docs: list[Doc] = []
    times: list[float] = []
    for text in texts:
        start = time.perf_counter()
        docs.extend(model.docs([text], mode=mode))
        times.append((time.perf_counter() - start) * 1000)
    if not times:
        return docs, {}
    return docs, {
        "p50": float(np.percentile(times, 50)),
        "p95": float(np.percentile(times, 95)),
        "mean": float(np.mean(times)),
    }

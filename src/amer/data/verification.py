"""Data verification before training: counts, dropped items and split leakage.

The pipeline stops when verification fails: an empty corpus, a label with no example in
the training split, or the same text in the training and test splits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, Field
from spacy.tokens import Doc

from amer.errors import VerificationError


class SplitStats(BaseModel):
    """Counts of one split."""

    documents: int = 0
    tokens: int = 0
    entities: int = 0
    entities_per_label: dict[str, int] = Field(default_factory=dict)


class VerificationReport(BaseModel):
    """What was checked and found; ``problems`` empty means the data passed."""

    dataset_version: str
    splits: dict[str, SplitStats]
    dropped: dict[str, dict[str, int]]
    leaked_texts: int = 0
    problems: list[str] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def summary(self) -> str:
        """A short readable summary (no document text)."""
        lines = [f"dataset version {self.dataset_version}"]
        for name, stats in self.splits.items():
            labels = ", ".join(f"{k} {v}" for k, v in stats.entities_per_label.items())
            lines.append(
                f"{name}: {stats.documents} documents, {stats.tokens} tokens, "
                f"{stats.entities} entities ({labels or 'none'})"
            )
        for source, reasons in self.dropped.items():
            if reasons:
                lines.append(
                    f"dropped from {source}: " + ", ".join(f"{k} {v}" for k, v in reasons.items())
                )
        lines.append(f"texts in more than one split: {self.leaked_texts}")
        lines += [f"PROBLEM: {p}" for p in self.problems]
        return "\n".join(lines)


def split_stats(docs: Sequence[Doc]) -> SplitStats:
    """Documents, tokens and weak-label entities of one split."""
    per_label = Counter(ent.label_ for doc in docs for ent in doc.ents)
    return SplitStats(
        documents=len(docs),
        tokens=sum(len(doc) for doc in docs),
        entities=sum(per_label.values()),
        entities_per_label=dict(sorted(per_label.items())),
    )


def verify(
    splits: Mapping[str, Sequence[Doc]],
    *,
    labels: Sequence[str],
    dataset_version: str,
    dropped: Mapping[str, Mapping[str, int]],
) -> VerificationReport:
    """Check the labelled splits; the report lists every problem found."""
    stats = {name: split_stats(docs) for name, docs in splits.items()}
    texts = [{doc.text for doc in docs} for docs in splits.values()]
    seen: Counter[str] = Counter(t for group in texts for t in group)
    leaked = sum(1 for count in seen.values() if count > 1)
    problems = []
    if sum(s.documents for s in stats.values()) == 0:
        problems.append("the corpus is empty after cleaning")
    train = stats.get("train")
    if train is not None and train.documents:
        missing = [label for label in labels if train.entities_per_label.get(label, 0) == 0]
        if missing:
            problems.append("no training example for label(s): " + ", ".join(missing))
    if leaked:
        problems.append(f"{leaked} text(s) appear in more than one split")
    return VerificationReport(
        dataset_version=dataset_version,
        splits=stats,
        dropped={k: dict(v) for k, v in dropped.items()},
        leaked_texts=leaked,
        problems=problems,
    )


def require_passed(report: VerificationReport) -> None:
    """Raise :class:`VerificationError` naming every problem when verification failed."""
    if not report.passed:
        raise VerificationError("data verification failed: " + "; ".join(report.problems))

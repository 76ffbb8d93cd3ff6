"""Structure a note: its entities grouped by category, as JSON-ready data and as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from amer.clinic.text import concept_key
from amer.model import Entity
from amer.settings import AMER_LABELS

CSV_COLUMNS = ("category", "text", "start", "end", "icd10", "source")
"""Columns of :func:`to_csv`, one row per mention."""


@dataclass(slots=True)
class Concept:
    """One concept of a category with every place the note mentions it."""

    text: str
    icd10: str | None
    mentions: list[tuple[int, int]] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How often the note mentions the concept."""
        return len(self.mentions)


def group_entities(entities: Sequence[Entity]) -> dict[str, list[Concept]]:
    """Concepts per label, labels in AMER order, concepts in order of first mention.

    Inflected mentions (``feber``, ``feberen``) count as one concept, named as first written.
    """
    grouped: dict[str, dict[str, Concept]] = {}
    for entity in sorted(entities, key=lambda e: (e.start, e.end)):
        concepts = grouped.setdefault(entity.label, {})
        key = concept_key(entity.text)
        concept = concepts.setdefault(key, Concept(entity.text, entity.icd10))
        concept.icd10 = concept.icd10 or entity.icd10
        concept.mentions.append((entity.start, entity.end))
    order = {label: i for i, label in enumerate(AMER_LABELS)}
    labels = sorted(grouped, key=lambda label: (order.get(label, len(order)), label))
    return {label: list(grouped[label].values()) for label in labels}


def structure_record(
    entities: Sequence[Entity], *, model_version: str | None = None
) -> dict[str, Any]:
    """The structured record of a note as JSON-ready data (no note text beyond entities)."""
    grouped = group_entities(entities)
    return {
        "model_version": model_version,
        "counts": {label: sum(c.count for c in concepts) for label, concepts in grouped.items()},
        "categories": {
            label: [
                {"text": c.text, "icd10": c.icd10, "count": c.count, "mentions": c.mentions}
                for c in concepts
            ]
            for label, concepts in grouped.items()
        },
    }


def to_csv(entities: Sequence[Entity]) -> str:
    """One CSV row per mention (``category,text,start,end,icd10,source``), by category."""
    order = {label: i for i, label in enumerate(AMER_LABELS)}
    rows = sorted(entities, key=lambda e: (order.get(e.label, len(order)), e.start))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in rows:
        writer.writerow((e.label, e.text, e.start, e.end, e.icd10 or "", e.source))
    return buffer.getvalue()

"""A short structured summary of a note: conditions, substances, procedures and anatomy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from amer.clinic.structure import group_entities
from amer.model import Entity

SECTIONS: dict[str, str] = {
    "conditions": "CONDITION",
    "substances": "SUBSTANCE",
    "procedures": "PROCEDURE",
    "anatomy": "ANAT_LOC",
}
"""Summary sections and the label each one collects."""


@dataclass(frozen=True, slots=True)
class SummaryItem:
    """A concept in the summary: as first written, how often, where first mentioned."""

    text: str
    count: int
    first_mention: int
    icd10: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """The summary of one note: items per section, in order of first mention."""

    sections: dict[str, list[SummaryItem]]

    @property
    def counts(self) -> dict[str, int]:
        """Mentions per section."""
        return {name: sum(i.count for i in items) for name, items in self.sections.items()}


def summarize(entities: Sequence[Entity]) -> Summary:
    """Conditions, substances, procedures and anatomy with counts and first mention."""
    grouped = group_entities(entities)
    sections = {
        name: [
            SummaryItem(c.text, c.count, c.mentions[0][0], c.icd10) for c in grouped.get(label, [])
        ]
        for name, label in SECTIONS.items()
    }
    return Summary(sections)

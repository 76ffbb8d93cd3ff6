"""The note as HTML with entities highlighted, one colour per label; all note text escaped."""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence

from amer.model import Entity
from amer.settings import AMER_LABELS

COLOURS: dict[str, str] = {
    "CONDITION": "#f4a6a6",
    "SUBSTANCE": "#a8d5ba",
    "PHYSIOLOGY": "#f9d88c",
    "PROCEDURE": "#a9c7f5",
    "ANAT_LOC": "#d7b8f3",
    "MICROORGANISM": "#f5b98a",
}
"""Background colour of each label's highlights."""

_OTHER = "#dddddd"
_MARK = (
    '<mark class="amer-ent" data-label="{label}" title="{title}" style="background:{colour};'
    'padding:0.1em 0.25em;border-radius:0.3em">{text}'
    '<sup style="font-size:0.65em;font-weight:600;margin-left:0.2em">{label}</sup></mark>'
)


def colour(label: str) -> str:
    """The highlight colour of a label."""
    return COLOURS.get(label, _OTHER)


def highlight_html(text: str, entities: Sequence[Entity], labels: Collection[str]) -> str:
    """The note with the entities of ``labels`` marked; overlapping entities are skipped."""
    parts: list[str] = []
    position = 0
    for entity in sorted(entities, key=lambda e: (e.start, -e.end)):
        if entity.label not in labels or entity.start < position or entity.end > len(text):
            continue
        parts.append(html.escape(text[position : entity.start]))
        title = entity.label + (f" · ICD-10 {entity.icd10}" if entity.icd10 else "")
        parts.append(
            _MARK.format(
                label=html.escape(entity.label),
                title=html.escape(title, quote=True),
                colour=colour(entity.label),
                text=html.escape(text[entity.start : entity.end]),
            )
        )
        position = entity.end
    parts.append(html.escape(text[position:]))
    body = "".join(parts).replace("\n", "<br>")
    return f'<div class="amer-note" style="line-height:2.0">{body}</div>'


def legend_html(labels: Collection[str] = AMER_LABELS) -> str:
    """A legend: one coloured chip per label."""
    chips = (
        f'<span class="amer-legend" style="background:{colour(label)};padding:0.1em 0.5em;'
        f'border-radius:0.3em;margin-right:0.4em">{html.escape(label)}</span>'
        for label in AMER_LABELS
        if label in labels
    )
    return "".join(chips)

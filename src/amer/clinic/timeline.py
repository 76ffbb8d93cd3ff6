"""Comorbidity progression: dated notes of one patient → which conditions appear when.

Notes come pasted (each note starts with its date, ``2024-03-01: …`` or ``01.03.2024 …``)
or as CSV with the columns ``date,text``. :func:`comorbidity_timeline` turns the notes'
CONDITION entities into one point per condition and date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from amer.clinic.text import concept_key
from amer.errors import DataError
from amer.model import Entity

_DATE_LINE = re.compile(
    r"^\s*(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})\s*[:\-\u2013]?\s*(?P<text>.*)$"
)


class DatedNote(BaseModel):
    """One note of a patient and the day it was written."""

    model_config = ConfigDict(frozen=True)

    date: dt.date
    text: str

    @field_validator("date", mode="before")
    @classmethod
    def _norwegian_dates(cls, value: object) -> object:
        if isinstance(value, str) and re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", value.strip()):
            day, month, year = (int(p) for p in value.strip().split("."))
            return dt.date(year, month, day)
        return value

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    """A condition mentioned in the notes of one date."""

    date: dt.date
    condition: str
    icd10: str | None
    mentions: int
    first_seen: dt.date


def parse_dated_notes(text: str, *, name: str = "pasted notes") -> list[DatedNote]:
    """Split pasted text into notes: a line starting with a date begins a new note.

    Raises:
        DataError: text before the first date, a bad date or an empty note (names the line).
    """
    blocks: list[tuple[int, str, list[str]]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        match = _DATE_LINE.match(line)
        if match:
            blocks.append((lineno, match["date"], [match["text"]]))
        elif line.strip() and not blocks:
            raise DataError(f"{name}:{lineno}: a note must start with its date (YYYY-MM-DD)")
        elif blocks:
            blocks[-1][2].append(line)
    return [_note(date, "\n".join(lines), name=name, lineno=n) for n, date, lines in blocks]


def read_dated_notes_csv(text: str, *, name: str = "notes.csv") -> list[DatedNote]:
    """Read CSV with a header naming the columns ``date`` and ``text``.

    Raises:
        DataError: a missing column, a bad date or an empty text (names the line and field).
    """
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower() for f in reader.fieldnames or []}
    if not {"date", "text"} <= fields:
        raise DataError(f"{name}:1: expected the columns 'date' and 'text'")
    notes = []
    for row in reader:
        values = {k.strip().lower(): v for k, v in row.items() if k is not None}
        notes.append(_note(values["date"], values["text"], name=name, lineno=reader.line_num))
    return notes


def _note(date: str, text: str, *, name: str, lineno: int) -> DatedNote:
    try:
        return DatedNote(date=date, text=text)  # type: ignore[arg-type]
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise DataError(f"{name}:{lineno}: field '{field}': {first['msg']}") from e


def comorbidity_timeline(
    notes: Sequence[DatedNote], entities: Sequence[Sequence[Entity]]
) -> list[TimelinePoint]:
    """One point per condition and date, by date then first appearance.

    Mentions of one condition meet under its ICD-10 code, or else its inflection-free
    wording; the condition is named as first written.

    Args:
        notes: the dated notes.
        entities: the entities of each note, in the order of ``notes``.
    """
    if len(notes) != len(entities):
        raise ValueError("need the entities of every note")
    names: dict[str, tuple[str, str | None, dt.date]] = {}
    counts: dict[tuple[dt.date, str], int] = {}
    ordered = sorted(zip(notes, entities, strict=True), key=lambda pair: pair[0].date)
    for note, found in ordered:
        for entity in (e for e in found if e.label == "CONDITION"):
            key = entity.icd10 or concept_key(entity.text)
            names.setdefault(key, (entity.text, entity.icd10, note.date))
            counts[(note.date, key)] = counts.get((note.date, key), 0) + 1
    order = {key: i for i, key in enumerate(names)}
    points = sorted(counts.items(), key=lambda item: (item[0][0], order[item[0][1]]))
    return [
        TimelinePoint(date, names[key][0], names[key][1], n, names[key][2])
        for (date, key), n in points
    ]

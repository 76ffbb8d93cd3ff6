"""Dated notes (pasted or CSV) and the comorbidity timeline."""

from __future__ import annotations

import datetime as dt

import pytest

from amer.clinic.timeline import (
    DatedNote,
    comorbidity_timeline,
    parse_dated_notes,
    read_dated_notes_csv,
)
from amer.errors import DataError
from amer.model import Entity


def test_timeline_parse_pasted_notes_in_both_date_styles() -> None:
    notes = parse_dated_notes("2024-01-05: Feber.\nFortsatt hoste.\n\n03.02.2024 Pneumoni.\n")
    assert [n.date for n in notes] == [dt.date(2024, 1, 5), dt.date(2024, 2, 3)]
    assert notes[0].text == "Feber.\nFortsatt hoste."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Feber uten dato\n2024-01-05: x", "pasted notes:1: a note must start with its date"),
        ("2024-01-05: Feber\n2024-13-01: Hoste", "pasted notes:2: field 'date'"),
        ("2024-01-05:   ", "pasted notes:1: field 'text'"),
    ],
)
def test_timeline_parse_pasted_notes_names_the_bad_line(text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        parse_dated_notes(text)


def test_timeline_read_csv() -> None:
    notes = read_dated_notes_csv('date,text\n2024-01-05,Feber\n2024-02-01,"Hoste, feber"\n')
    assert notes[1] == DatedNote(date=dt.date(2024, 2, 1), text="Hoste, feber")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("when,text\n2024-01-05,Feber\n", "notes.csv:1: expected the columns"),
        ("date,text\n2024-01-05,Feber\nfoo,Hoste\n", "notes.csv:3: field 'date'"),
    ],
)
def test_timeline_read_csv_names_the_bad_line(text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_dated_notes_csv(text)


def _cond(text: str, icd10: str | None = None) -> Entity:
    return Entity(0, len(text), text, "CONDITION", "lexicon", icd10)


def test_timeline_points_by_date_with_first_seen() -> None:
    notes = [
        DatedNote(date=dt.date(2024, 3, 1), text="b"),
        DatedNote(date=dt.date(2024, 1, 1), text="a"),
    ]
    entities = [
        [_cond("feberen"), _cond("pneumoni", "J18.9"), _cond("Pneumonien", "J18.9")],
        [_cond("Feber"), Entity(0, 3, "CRP", "PROCEDURE", "lexicon")],
    ]
    points = comorbidity_timeline(notes, entities)
    assert [(p.date.month, p.condition, p.mentions) for p in points] == [
        (1, "Feber", 1),
        (3, "Feber", 1),
        (3, "pneumoni", 2),
    ]
    assert points[1].first_seen == dt.date(2024, 1, 1)
    assert points[2].icd10 == "J18.9"


def test_timeline_needs_entities_for_every_note() -> None:
    with pytest.raises(ValueError, match="every note"):
        comorbidity_timeline([DatedNote(date=dt.date(2024, 1, 1), text="a")], [])

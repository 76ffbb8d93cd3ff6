"""Structured record (grouping, JSON, CSV) and summary of a note's entities."""

from __future__ import annotations

import csv
import io
import json

from amer.clinic.structure import CSV_COLUMNS, group_entities, structure_record, to_csv
from amer.clinic.summary import summarize
from amer.model import Entity

NOTE = "Feber og hoste. Paracetamol gitt. Feberen vedvarer; røntgen thorax av lunge, paracetamol."


def _ent(text: str, label: str, *, nth: int = 0, icd10: str | None = None) -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = NOTE.lower().index(text.lower(), start + 1)
    return Entity(
        start, start + len(text), NOTE[start : start + len(text)], label, "lexicon", icd10
    )


ENTITIES = [
    _ent("lunge", "ANAT_LOC"),
    _ent("Feber", "CONDITION", icd10="R50.9"),
    _ent("hoste", "CONDITION"),
    _ent("Paracetamol", "SUBSTANCE"),
    _ent("Feberen", "CONDITION"),
    _ent("røntgen thorax", "PROCEDURE"),
    _ent("paracetamol", "SUBSTANCE", nth=1),
]


def test_structure_groups_by_label_in_amer_order_and_merges_inflections() -> None:
    grouped = group_entities(ENTITIES)
    assert list(grouped) == ["CONDITION", "SUBSTANCE", "PROCEDURE", "ANAT_LOC"]
    fever, cough = grouped["CONDITION"]
    assert (fever.text, fever.count, fever.icd10) == ("Feber", 2, "R50.9")
    assert (cough.text, cough.count) == ("hoste", 1)
    assert grouped["SUBSTANCE"][0].count == 2


def test_structure_record_is_json_ready() -> None:
    record = structure_record(ENTITIES, model_version="1.2.3")
    again = json.loads(json.dumps(record))
    assert again["model_version"] == "1.2.3"
    assert again["counts"] == {"CONDITION": 3, "SUBSTANCE": 2, "PROCEDURE": 1, "ANAT_LOC": 1}
    assert again["categories"]["CONDITION"][0]["mentions"] == [[0, 5], [34, 41]]


def test_structure_csv_has_one_row_per_mention() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(ENTITIES))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(ENTITIES) + 1
    assert rows[1] == ["CONDITION", "Feber", "0", "5", "R50.9", "lexicon"]
    assert [r[0] for r in rows[1:]] == ["CONDITION"] * 3 + ["SUBSTANCE"] * 2 + [
        "PROCEDURE",
        "ANAT_LOC",
    ]


def test_summary_counts_and_first_mention() -> None:
    summary = summarize(ENTITIES)
    assert list(summary.sections) == ["conditions", "substances", "procedures", "anatomy"]
    first = summary.sections["conditions"][0]
    assert (first.text, first.count, first.first_mention) == ("Feber", 2, 0)
    assert summary.sections["substances"][0].first_mention == NOTE.index("Paracetamol")
    assert summary.counts == {"conditions": 3, "substances": 2, "procedures": 1, "anatomy": 1}


def test_summary_of_no_entities_has_empty_sections() -> None:
    assert summarize([]).counts == {"conditions": 0, "substances": 0, "procedures": 0, "anatomy": 0}

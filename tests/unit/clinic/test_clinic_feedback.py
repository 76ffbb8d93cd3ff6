"""The feedback store: JSONL lines with hash, offsets, labels and version — no text unless asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from amer.clinic.feedback import Correction, FeedbackStore, count_feedback, text_sha256
from amer.errors import DataError
from amer.settings import Settings

NOTE = "Pasienten har feber og bruker paracetamol."


def test_feedback_record_stores_hash_offsets_labels_but_no_text(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb" / "feedback.jsonl")
    corrections = [
        Correction(action="wrong", start=14, end=19, label="CONDITION", correct_label="PHYSIOLOGY"),
        Correction(action="missed", start=30, end=41, label="SUBSTANCE"),
    ]
    assert store.record(NOTE, corrections, model_version="3") == 2
    raw = store.path.read_text("utf-8")
    assert "feber" not in raw and "paracetamol" not in raw
    lines = [json.loads(line) for line in raw.splitlines()]
    assert lines[0]["text_sha256"] == text_sha256(NOTE)
    assert lines[0]["model_version"] == "3"
    assert lines[1]["correction"] == {
        "action": "missed",
        "start": 30,
        "end": 41,
        "label": "SUBSTANCE",
    }
    assert "timestamp" in lines[0] and "text" not in lines[0]


def test_feedback_record_keeps_text_when_opted_in(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    fix = Correction(action="missed", start=30, end=41, label="SUBSTANCE")
    store.record(NOTE, [fix], model_version=None, include_text=True)
    (record,) = store.read()
    assert record.text == NOTE and record.model_version is None


def test_feedback_count_is_the_number_of_lines(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    store = FeedbackStore.from_settings(settings)
    assert store.path == settings.feedback_path
    assert count_feedback(settings.feedback_path) == 0
    fix = Correction(action="wrong", start=0, end=9, label="CONDITION")
    store.record(NOTE, [fix], model_version="1")
    store.record(NOTE, [fix, fix], model_version="1")
    assert count_feedback(settings.feedback_path) == store.count() == 3


def test_feedback_offsets_outside_the_text_are_refused(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    with pytest.raises(DataError, match="outside the text"):
        store.record(
            "kort",
            [Correction(action="missed", start=0, end=9, label="CONDITION")],
            model_version=None,
        )
    assert store.count() == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "wrong", "start": 5, "end": 5, "label": "CONDITION"},
        {"action": "wrong", "start": 0, "end": 5, "label": "PERSON"},
        {
            "action": "missed",
            "start": 0,
            "end": 5,
            "label": "CONDITION",
            "correct_label": "SUBSTANCE",
        },
        {"action": "deleted", "start": 0, "end": 5, "label": "CONDITION"},
    ],
)
def test_feedback_correction_validation(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Correction.model_validate(fields)


def test_feedback_read_names_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(DataError, match="feedback.jsonl:1"):
        FeedbackStore(path).read()

"""``POST /v1/icd10`` and ``POST /v1/feedback`` on a live API, called through amer.client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import HTTPException

from amer.client import APIError, Client
from amer.clinic.feedback import FeedbackStore, count_feedback, text_sha256
from amer.errors import AuthError
from amer.serving.routes.clinic import get_icd10_index
from amer.settings import Settings

NOTE = "Pasienten har hjerteinfarkt og pneumoni. Koder: I21.9, E11, Q99.9."


@pytest.fixture
def client(live_api: Any) -> Iterator[Client]:
    with Client(live_api.url, live_api.key, retries=0) as c:
        yield c


def test_clinic_icd10_codes_conditions_and_checks_written_codes(client: Client) -> None:
    body = client.icd10(NOTE)
    assert body["version"]
    by_text = {c["text"]: c["suggestions"][0]["code"] for c in body["conditions"]}
    assert by_text == {"hjerteinfarkt": "I21.9", "pneumoni": "J18.9"}
    codes = {c["code"]: c for c in body["codes"]}
    assert codes["I21.9"]["status"] == "ok"
    assert codes["E11"]["status"] == "mismatch"
    assert codes["E11"]["proposed"]["code"] == "J18.9"
    assert codes["Q99.9"]["status"] == "unknown"


def test_clinic_icd10_labels_filter_the_returned_entities(client: Client) -> None:
    body = client.icd10(NOTE, labels=["ANAT_LOC"])
    assert body["entities"] == []
    assert len(body["conditions"]) == 2


def test_clinic_routes_refuse_a_wrong_key(live_api: Any) -> None:
    with Client(live_api.url, "amer_wrong.key", retries=0) as wrong:
        with pytest.raises(AuthError):
            wrong.icd10(NOTE)
        with pytest.raises(AuthError):
            wrong.feedback(text=NOTE, corrections=[])


def test_clinic_feedback_is_stored_without_text_and_counted(client: Client, live_api: Any) -> None:
    settings: Settings = live_api.settings
    start = NOTE.index("pneumoni")
    answer = client.feedback(
        text=NOTE,
        corrections=[
            {"action": "wrong", "start": start, "end": start + 8, "label": "CONDITION"},
            {"action": "missed", "start": 0, "end": 9, "label": "CONDITION"},
        ],
    )
    assert answer == {"stored": 2, "total": 2, "text_sha256": text_sha256(NOTE)}
    assert count_feedback(settings.feedback_path) == 2
    records = FeedbackStore(settings.feedback_path).read()
    assert {r.model_version for r in records} == {"0.0.0"}
    assert "pneumoni" not in settings.feedback_path.read_text("utf-8")


def test_clinic_feedback_with_text_opt_in(client: Client, live_api: Any) -> None:
    fix = {"action": "missed", "start": 0, "end": 9, "label": "CONDITION"}
    answer = client.feedback(text=NOTE, corrections=[fix], include_text=True, model_version="7")
    assert answer["total"] == 1
    (record,) = FeedbackStore(live_api.settings.feedback_path).read()
    assert (record.text, record.model_version) == (NOTE, "7")


@pytest.mark.parametrize(
    "correction",
    [
        {"action": "missed", "start": 0, "end": 500, "label": "CONDITION"},
        {"action": "missed", "start": 0, "end": 5, "label": "PERSON"},
    ],
)
def test_clinic_feedback_refuses_bad_corrections(
    client: Client, live_api: Any, correction: dict[str, object]
) -> None:
    with pytest.raises(APIError) as caught:
        client.feedback(text=NOTE, corrections=[correction])
    assert caught.value.status_code == 422
    assert count_feedback(live_api.settings.feedback_path) == 0


def test_clinic_icd10_index_missing_terminology_is_503(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, terminology_file=tmp_path / "missing.tsv")
    with pytest.raises(HTTPException) as caught:
        anyio.run(get_icd10_index, settings)
    assert caught.value.status_code == 503

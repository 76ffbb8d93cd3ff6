"""Smoke tests of a deployed AMER API: health, a sample text, the JSON shape, the guards."""

from __future__ import annotations

import httpx
import pytest

from amer.client import APIError, Client
from amer.errors import AuthError
from amer.model import SELF_TEST_TEXT
from amer.settings import Settings

ENTITY_FIELDS = {"start", "end", "text", "label", "source", "icd10"}


def test_smoke_health(client: Client) -> None:
    assert client.health()["status"] == "ok"
    assert client.ready()["status"] == "ready"


def test_smoke_model_info(client: Client, expected_version: str | None) -> None:
    info = client.model_info()
    assert info["version"]
    assert info["labels"]
    if expected_version is not None:
        assert info["version"] == expected_version


def test_smoke_sample_text(client: Client, expected_version: str | None) -> None:
    answer = client.entities(SELF_TEST_TEXT)
    assert {"model", "version", "entities"} <= set(answer)
    assert answer["entities"], "the canned sentence yields entities"
    for entity in answer["entities"]:
        assert set(entity) == ENTITY_FIELDS
        assert SELF_TEST_TEXT[entity["start"] : entity["end"]] == entity["text"]
    if expected_version is not None:
        assert answer["version"] == expected_version


def test_smoke_batch_keeps_ids_and_order(client: Client) -> None:
    answer = client.entities_batch([{"id": "b", "text": SELF_TEST_TEXT}, {"id": "a", "text": ""}])
    assert [r["id"] for r in answer["results"]] == ["b", "a"]
    assert answer["results"][1]["entities"] == []


def test_smoke_label_filter(client: Client) -> None:
    answer = client.entities(SELF_TEST_TEXT, labels=["CONDITION"])
    assert all(e["label"] == "CONDITION" for e in answer["entities"])


def test_smoke_rejects_missing_key(settings: Settings, api_key: str | None) -> None:
    if api_key is None:
        pytest.skip("the server under test runs without keys")
    anonymous = Client(settings.api_url, None, retries=0, verify=False)
    with anonymous, pytest.raises(AuthError):
        anonymous.entities(SELF_TEST_TEXT)


def test_smoke_rejects_long_text(client: Client, settings: Settings) -> None:
    with pytest.raises(APIError) as caught:
        client.entities("a" * (settings.max_text_chars + 1))
    assert caught.value.status_code == 413


def test_smoke_rejects_malformed_json(settings: Settings, api_key: str | None) -> None:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    response = httpx.post(
        f"{settings.api_url}/v1/entities",
        content=b'{"text": ',
        headers={**headers, "content-type": "application/json"},
        verify=False,
    )
    assert response.status_code == 422
    assert response.json()["error"]

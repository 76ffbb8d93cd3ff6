"""The API against a real ``amer serve`` process on a free loopback port (lexicon-only model)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from amer.client import APIError, AsyncClient, Client
from amer.errors import AuthError
from amer.serving.auth import KeyStore
from amer.serving.process import ServerProcess

pytestmark = pytest.mark.integration

MARKER = "Zqxmarkør Vexlund feber"
SAMPLE = "Pasienten har feber og hoste og bruker paracetamol."


def _server_env(home: Path, keys: Path, **extra: str) -> dict[str, str]:
    return {
        "AMER_HOME": str(home),
        "AMER_KEYS_FILE": str(keys),
        "AMER_LOG_FORMAT": "json",
        "AMER_RELOAD_INTERVAL_S": "0",
        **extra,
    }


@pytest.fixture(scope="module")
def served(lexicon_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """One server for the module: its URL, a key, the keys file and its stderr log."""
    root = tmp_path_factory.mktemp("served")
    keys = root / "keys.json"
    key = KeyStore(keys).create("tester")
    log = root / "server.log"
    env = _server_env(root / "home", keys)
    with ServerProcess(str(lexicon_model_dir), env=env, log_path=log) as server:
        yield {"url": server.url, "key": key, "keys": keys, "log": log}


@pytest.fixture(scope="module")
def client(served: dict) -> Iterator[Client]:
    with Client(served["url"], served["key"], retries=0) as c:
        yield c


def test_api_entities_returns_model_and_entities(client: Client) -> None:
    answer = client.entities(SAMPLE)
    assert answer["model"] and answer["version"]
    found = {(e["text"], e["label"]) for e in answer["entities"]}
    assert ("feber", "CONDITION") in found
    for e in answer["entities"]:
        assert SAMPLE[e["start"] : e["end"]] == e["text"]
        assert set(e) == {"start", "end", "text", "label", "source", "icd10"}


def test_api_labels_filter(client: Client) -> None:
    answer = client.entities(SAMPLE, labels=["substance"])
    assert [e["label"] for e in answer["entities"]] == ["SUBSTANCE"]


def test_api_batch_keeps_ids_in_order(client: Client) -> None:
    answer = client.entities_batch([{"id": "x", "text": SAMPLE}, {"id": "y", "text": "ingen funn"}])
    assert [r["id"] for r in answer["results"]] == ["x", "y"]
    assert answer["results"][0]["entities"] and answer["results"][1]["entities"] == []


def test_api_model_info(client: Client) -> None:
    info = client.model_info()
    assert info["dataset_version"] == "fixture"
    assert "CONDITION" in info["labels"]


def test_api_async_client(served: dict) -> None:
    async def run() -> list[dict]:
        async with AsyncClient(served["url"], served["key"]) as c:
            return list(await asyncio.gather(*(c.entities(f"{SAMPLE} {i}") for i in range(8))))

    answers = asyncio.run(run())
    assert all(a["entities"] for a in answers)


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", "Bearer amer_000000000000_nope", "Basic x"]
)
def test_api_rejects_missing_or_wrong_key(served: dict, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = httpx.post(f"{served['url']}/v1/entities", json={"text": SAMPLE}, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "detail": None}


def test_api_health_and_metrics_open(served: dict) -> None:
    assert httpx.get(f"{served['url']}/healthz").json()["status"] == "ok"
    assert httpx.get(f"{served['url']}/readyz").json()["status"] == "ready"
    metrics = httpx.get(f"{served['url']}/metrics").text
    assert "amer_requests_total" in metrics and "amer_model_info" in metrics


def test_api_revoked_key_refused_without_restart(served: dict) -> None:
    store = KeyStore(served["keys"])
    key = store.create("temporary")
    with Client(served["url"], key, retries=0) as c:
        assert c.entities(SAMPLE)["entities"]
        store.revoke("temporary")
        with pytest.raises(AuthError):
            c.entities(SAMPLE)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"text": "a" * 100_001}, 413),
        ({"documents": [{"id": str(i), "text": "feber"} for i in range(65)]}, 413),
        ({"documents": [{"id": "1", "text": "a" * 100_001}]}, 413),
        ({"text": 12}, 422),
        ({"text": "feber", "labels": ["NOPE"]}, 422),
        ({"txt": "feber"}, 422),
        ({"documents": []}, 422),
    ],
)
def test_api_limits_and_validation(served: dict, body: dict, status: int) -> None:
    path = "/v1/entities/batch" if "documents" in body else "/v1/entities"
    response = httpx.post(
        f"{served['url']}{path}", json=body, headers={"Authorization": f"Bearer {served['key']}"}
    )
    assert response.status_code == status
    assert response.json()["error"]


def test_api_malformed_json_is_422(served: dict) -> None:
    response = httpx.post(
        f"{served['url']}/v1/entities",
        content=b'{"text": "feb',
        headers={"Authorization": f"Bearer {served['key']}", "content-type": "application/json"},
    )
    assert response.status_code == 422


def test_api_oversized_body_is_413_json(served: dict) -> None:
    body = b'{"text": "' + b"a" * 700_000 + b'"}'
    response = httpx.post(
        f"{served['url']}/v1/entities",
        content=body,
        headers={"Authorization": f"Bearer {served['key']}", "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]


def test_api_client_raises_api_error_with_status(client: Client) -> None:
    with pytest.raises(APIError) as caught:
        client.entities("a" * 100_001)
    assert caught.value.status_code == 413


def test_api_logs_are_json_without_text(served: dict) -> None:
    headers = {"Authorization": f"Bearer {served['key']}"}
    url = served["url"]
    httpx.post(f"{url}/v1/entities", json={"text": MARKER}, headers=headers)
    httpx.post(
        f"{url}/v1/entities/batch",
        json={"documents": [{"id": MARKER, "text": MARKER}]},
        headers=headers,
    )
    httpx.post(f"{url}/v1/entities", json={"text": MARKER, "labels": [MARKER]}, headers=headers)
    httpx.post(f"{url}/v1/entities", content=f'{{"text": "{MARKER}'.encode(), headers=headers)
    httpx.post(f"{url}/v1/entities", json={"text": MARKER * 5000}, headers=headers)
    httpx.post(f"{url}/v1/entities", json={"text": MARKER})
    httpx.post(f"{url}/{MARKER}", json={"text": MARKER})
    log = served["log"].read_text("utf-8")
    for word in MARKER.split():
        assert word not in log
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]
    scored = [r for r in lines if r.get("route") == "/v1/entities" and r.get("status") == 200]
    assert scored, "successful requests are logged"
    record = scored[-1]
    assert record["key_name"] == "tester" and record["request_id"]
    assert record["text_length"] == len(MARKER) and record["entity_counts"] == {"CONDITION": 1}
    assert isinstance(record["latency_ms"], float)

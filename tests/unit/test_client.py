"""The HTTP client: auth header, JSON results, typed errors, retries with backoff."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from amer.client import APIError, AsyncClient, Client
from amer.errors import AuthError, ServiceError


def _flaky(
    failures: list[int | type[Exception]],
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """Answer with the listed statuses/errors first, then 200 echoing the request."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if failures:
            failure = failures.pop(0)
            if isinstance(failure, int):
                return httpx.Response(failure, json={"error": "busy"}, headers={"Retry-After": "0"})
            raise failure("boom", request=request)  # type: ignore[call-arg]
        body = json.loads(request.content) if request.content else None
        return httpx.Response(200, json={"path": request.url.path, "body": body})

    return httpx.MockTransport(handler), seen


def test_client_sends_key_and_returns_json() -> None:
    transport, seen = _flaky([])
    with Client("http://amer", "k1", transport=transport) as c:
        answer = c.entities("feber", labels=["CONDITION"])
    assert answer == {"path": "/v1/entities", "body": {"text": "feber", "labels": ["CONDITION"]}}
    assert seen[0].headers["authorization"] == "Bearer k1"


def test_client_batch_accepts_plain_texts() -> None:
    transport, _ = _flaky([])
    with Client("http://amer", transport=transport) as c:
        body = c.entities_batch(["a", "b"])["body"]
    assert body["documents"] == [{"id": "0", "text": "a"}, {"id": "1", "text": "b"}]


def test_client_retries_503_and_connection_errors() -> None:
    transport, seen = _flaky([503, httpx.ConnectError, 503])
    with Client("http://amer", transport=transport, retries=3, backoff=0) as c:
        assert c.health()["path"] == "/healthz"
    assert len(seen) == 4


def test_client_gives_up_after_retries() -> None:
    transport, seen = _flaky([httpx.ConnectError] * 5)
    with (
        Client("http://amer", transport=transport, retries=2, backoff=0) as c,
        pytest.raises(ServiceError, match="cannot reach"),
    ):
        c.health()
    assert len(seen) == 3


@pytest.mark.parametrize(("status", "error"), [(401, AuthError), (413, APIError), (504, APIError)])
def test_client_maps_errors(status: int, error: type[Exception]) -> None:
    transport, seen = _flaky([status])
    with (
        Client("http://amer", transport=transport, retries=3, backoff=0) as c,
        pytest.raises(error),
    ):
        c.entities("x")
    assert len(seen) == 1


def test_async_client_retries_and_returns_json() -> None:
    transport, seen = _flaky([503])

    async def run() -> dict[str, object]:
        async with AsyncClient("http://amer", "k", transport=transport, backoff=0) as c:
            return await c.feedback({"a": 1}, b=2)  # type: ignore[no-any-return]

    assert asyncio.run(run()) == {"path": "/v1/feedback", "body": {"a": 1, "b": 2}}
    assert len(seen) == 2

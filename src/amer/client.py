"""The HTTP client of the AMER inference API: sync :class:`Client` and :class:`AsyncClient`.

Both send ``Authorization: Bearer <key>``, apply a timeout, and retry with exponential
backoff on 503 (honouring ``Retry-After``) and on connection errors. Every method returns the
decoded JSON body; a non-2xx answer raises :class:`~amer.errors.AuthError` (401) or
:class:`~amer.errors.ServiceError` (with ``status_code``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from amer.errors import AuthError, ServiceError

_RETRY_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)
_MAX_RETRY_AFTER = 10.0


class APIError(ServiceError):
    """The API answered with an error status."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(f"API answered {status_code}: {message}")
        self.status_code = status_code


def _headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def _delay(attempt: int, backoff: float, response: httpx.Response | None) -> float:
    if response is not None:
        try:
            return min(float(response.headers.get("retry-after", "")), _MAX_RETRY_AFTER)
        except ValueError:
            pass
    return float(backoff * 2**attempt)


def _result(response: httpx.Response) -> Any:
    if response.status_code == 401:
        raise AuthError("the API refused the key (401)")
    if response.status_code >= 400:
        try:
            message = str(response.json().get("error", ""))
        except ValueError:
            message = response.reason_phrase
        raise APIError(response.status_code, message)
    return response.json()


def _docs(docs: Sequence[Mapping[str, str] | str]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for i, doc in enumerate(docs):
        out.append({"id": str(i), "text": doc} if isinstance(doc, str) else dict(doc.items()))
    return out


def _body(text: str, labels: Sequence[str] | None) -> dict[str, Any]:
    return {"text": text, "labels": list(labels) if labels else None}


class Client:
    """Synchronous client. Use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 65.0,
        retries: int = 3,
        backoff: float = 0.2,
        verify: bool | str = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.retries, self.backoff = retries, backoff
        self._http = httpx.Client(
            base_url=base_url,
            headers=_headers(api_key),
            timeout=timeout,
            verify=verify,
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._http.request(method, path, **kwargs)
            except _RETRY_ERRORS as e:
                if last:
                    raise ServiceError(f"cannot reach the API: {type(e).__name__}") from e
                time.sleep(_delay(attempt, self.backoff, None))
                continue
            if response.status_code == 503 and not last:
                time.sleep(_delay(attempt, self.backoff, response))
                continue
            return _result(response)
        raise AssertionError("unreachable")

    def entities(self, text: str, labels: Sequence[str] | None = None) -> Any:
        """``POST /v1/entities``: model, version and entities of one text."""
        return self._request("POST", "/v1/entities", json=_body(text, labels))

    def entities_batch(
        self, docs: Sequence[Mapping[str, str] | str], labels: Sequence[str] | None = None
    ) -> Any:
        """``POST /v1/entities/batch``: docs as ``{"id", "text"}`` dicts or plain texts."""
        body = {"documents": _docs(docs), "labels": list(labels) if labels else None}
        return self._request("POST", "/v1/entities/batch", json=body)

    def model_info(self) -> Any:
        """``GET /v1/model``."""
        return self._request("GET", "/v1/model")

    def health(self) -> Any:
        """``GET /healthz``."""
        return self._request("GET", "/healthz")

    def ready(self) -> Any:
        """``GET /readyz``."""
        return self._request("GET", "/readyz")

    def icd10(self, text: str, labels: Sequence[str] | None = None) -> Any:
        """``POST /v1/icd10``: ICD-10 suggestions for the entities of a text."""
        return self._request("POST", "/v1/icd10", json=_body(text, labels))

    def feedback(self, payload: Mapping[str, Any] | None = None, **fields: Any) -> Any:
        """``POST /v1/feedback`` with ``payload`` and/or keyword fields."""
        return self._request("POST", "/v1/feedback", json={**(payload or {}), **fields})


class AsyncClient:
    """Asynchronous client with the same methods as :class:`Client` (awaitable)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 65.0,
        retries: int = 3,
        backoff: float = 0.2,
        verify: bool | str = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.retries, self.backoff = retries, backoff
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers=_headers(api_key),
            timeout=timeout,
            verify=verify,
            transport=transport,
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = await self._http.request(method, path, **kwargs)
            except _RETRY_ERRORS as e:
                if last:
                    raise ServiceError(f"cannot reach the API: {type(e).__name__}") from e
                await asyncio.sleep(_delay(attempt, self.backoff, None))
                continue
            if response.status_code == 503 and not last:
                await asyncio.sleep(_delay(attempt, self.backoff, response))
                continue
            return _result(response)
        raise AssertionError("unreachable")

    async def entities(self, text: str, labels: Sequence[str] | None = None) -> Any:
        """``POST /v1/entities``."""
        return await self._request("POST", "/v1/entities", json=_body(text, labels))

    async def entities_batch(
        self, docs: Sequence[Mapping[str, str] | str], labels: Sequence[str] | None = None
    ) -> Any:
        """``POST /v1/entities/batch``."""
        body = {"documents": _docs(docs), "labels": list(labels) if labels else None}
        return await self._request("POST", "/v1/entities/batch", json=body)

    async def model_info(self) -> Any:
        """``GET /v1/model``."""
        return await self._request("GET", "/v1/model")

    async def health(self) -> Any:
        """``GET /healthz``."""
        return await self._request("GET", "/healthz")

    async def ready(self) -> Any:
        """``GET /readyz``."""
        return await self._request("GET", "/readyz")

    async def icd10(self, text: str, labels: Sequence[str] | None = None) -> Any:
        """``POST /v1/icd10``."""
        return await self._request("POST", "/v1/icd10", json=_body(text, labels))

    async def feedback(self, payload: Mapping[str, Any] | None = None, **fields: Any) -> Any:
        """``POST /v1/feedback``."""
        return await self._request("POST", "/v1/feedback", json={**(payload or {}), **fields})

"""ASGI middleware: request ids, metrics, one JSON log line per request, body limits, no leaks.

The log line carries the request id, key name, route, status, latency, text length and entity
counts that the route left in ``scope["state"]`` — never the text or entity strings. An
unhandled error is logged by exception type only and answered with a bare 500.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amer.monitoring.metrics import IN_FLIGHT, LATENCY, REQUESTS

logger = logging.getLogger("amer.serving.access")


def _json_body(status: int, error: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = json.dumps({"error": error, "detail": None}).encode()
    return (
        status,
        [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        body,
    )


class ServiceMiddleware:
    """Wraps every HTTP request of the app (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, body_limits: dict[str, int], default_limit: int) -> None:
        self.app = app
        self.body_limits = body_limits
        self.default_limit = default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = {"code": 500, "started": False}
        limit = self.body_limits.get(scope["path"], self.default_limit)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["started"] = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        start = time.perf_counter()
        IN_FLIGHT.inc()
        try:
            if _declared_length(scope) > limit:
                await _answer(send_wrapper, *_json_body(413, "request body too large"))
            else:
                await self.app(scope, _limited(receive, limit), send_wrapper)
        except _TooLarge:
            if not status["started"]:
                await _answer(send_wrapper, *_json_body(413, "request body too large"))
        except Exception as e:  # noqa: BLE001 - log the type only; the text must not leak
            logger.error(
                "unhandled error", extra={"request_id": request_id, "error": type(e).__name__}
            )
            if not status["started"]:
                await _answer(send_wrapper, *_json_body(500, "internal error"))
        finally:
            IN_FLIGHT.dec()
            self._account(scope, state, int(status["code"]), time.perf_counter() - start)

    @staticmethod
    def _account(scope: Scope, state: dict[str, Any], status: int, elapsed: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        REQUESTS.labels(route=route, method=scope["method"], status=str(status)).inc()
        LATENCY.labels(route=route, status=str(status)).observe(elapsed)
        fields = {
            "request_id": state.get("request_id"),
            "key_name": state.get("key_name"),
            "method": scope["method"],
            "route": route,
            "status": status,
            "latency_ms": round(elapsed * 1000, 2),
        }
        for name in ("text_length", "n_documents", "entity_counts", "model_version"):
            if name in state:
                fields[name] = state[name]
        logger.info("request", extra=fields)


class _TooLarge(Exception):
    pass


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
        return message

    return wrapped


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

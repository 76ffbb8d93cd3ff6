"""The FastAPI app factory of the inference service.

``create_app(settings)`` builds the app; the model is loaded in the lifespan (never at import),
from ``settings.model_uri`` or an injected :class:`~amer.serving.holder.ModelSource`.
``worker_app()`` is the factory uvicorn calls in each worker process of ``amer serve``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from amer.errors import ModelError
from amer.monitoring.metrics import REJECTED
from amer.serving.auth import KeyStore
from amer.serving.holder import ModelHolder, ModelSource, Poller, source_for
from amer.serving.middleware import ServiceMiddleware
from amer.serving.monitoring import traffic_sink
from amer.serving.routes import clinic, entities, health, model
from amer.serving.scoring import Overloaded, Scorer, TimedOut
from amer.settings import Settings, get_settings

logger = logging.getLogger(__name__)

def create_app(settings: Settings | None = None, *, source: ModelSource | None = None) -> FastAPI:
    """The inference API serving ``source`` (default: ``settings.model_uri``)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder = ModelHolder(source or source_for(settings, settings.model_uri))
        await anyio.to_thread.run_sync(holder.load_initial)
        scorer = Scorer(
            holder,
            max_concurrency=settings.max_concurrency,
            timeout_s=settings.request_timeout_s,
            cache_size=settings.cache_size,
            max_batch_docs=settings.max_batch_size,
            stats_sink=traffic_sink(settings),
        )
        poller = Poller(holder, interval=settings.reload_interval_s)
        app.state.holder, app.state.scorer = holder, scorer
        scorer.start()
        poller.start()
        try:
            yield
        finally:
            poller.stop()
            scorer.stop()

    app = FastAPI(
        title="AMER inference API",
        summary="Medical entities in Norwegian clinical text",
        version=_package_version(),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.keys = KeyStore(settings.keys_path)
    for router in (entities.router, model.router, health.router, clinic.router):
        app.include_router(router)
    _add_error_handlers(app)
    single = settings.max_text_chars * 6 + 65_536
    app.add_middleware(
        ServiceMiddleware,
        body_limits={"/v1/entities/batch": single * settings.max_batch_size},
        default_limit=single,
    )
    return app


def worker_app() -> FastAPI:
    """Factory for uvicorn worker processes: settings from the environment, JSON logs."""
    from amer.cli.common import configure_logging

    settings = get_settings()
    configure_logging(settings)
    return create_app(settings)


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("amer")
    except PackageNotFoundError:
        return "0.0.0"


def _error(status: int, error: str, detail: Any = None, **headers: str) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 401:
            return _error(401, "unauthorized", **(exc.headers or {}))
        return _error(exc.status_code, str(exc.detail), **(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Only where and what; the submitted values (``input``, ``ctx``) are never echoed.
        detail = [
            {"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")}
            for e in exc.errors()
        ]
        return _error(422, "invalid request", detail)

    @app.exception_handler(Overloaded)
    async def overloaded(_: Request, __: Overloaded) -> JSONResponse:
        REJECTED.inc()
        return _error(503, "overloaded; retry later", **{"Retry-After": "1"})

    @app.exception_handler(TimedOut)
    async def timed_out(_: Request, __: TimedOut) -> JSONResponse:
        return _error(504, "scoring timed out")

    @app.exception_handler(ModelError)
    async def no_model(_: Request, __: ModelError) -> JSONResponse:
        return _error(503, "model unavailable", **{"Retry-After": "5"})

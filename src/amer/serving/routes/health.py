"""``/healthz`` (alive), ``/readyz`` (model loaded and answering) and ``/metrics``."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from amer.errors import ModelError
from amer.serving.auth import KeyStore
from amer.serving.deps import check_key, get_key_store, get_model_holder, get_settings
from amer.serving.holder import ModelHolder
from amer.serving.monitoring import update_drift_gauge
from amer.serving.schemas import HealthResponse
from amer.settings import Settings

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthResponse)
async def healthz() -> HealthResponse:
    """The process is alive."""
    return HealthResponse(status="ok")


@router.get("/readyz", response_model=HealthResponse, responses={503: {"model": HealthResponse}})
async def readyz(holder: Annotated[ModelHolder, Depends(get_model_holder)]) -> Response:
    """A model is loaded and answers the canned Norwegian sentence."""
    if not holder.ready:
        return JSONResponse({"status": "loading", "version": None}, status_code=503)
    loaded = holder.current
    try:
        await anyio.to_thread.run_sync(loaded.model.self_test)
    except ModelError:
        return JSONResponse({"status": "failing", "version": loaded.info.version}, status_code=503)
    return JSONResponse({"status": "ready", "version": loaded.info.version})


@router.get("/metrics", response_class=Response, responses={401: {"description": "key needed"}})
async def metrics(
    request: Request,
    settings: Annotated[Settings, Depends(get_settings)],
    store: Annotated[KeyStore, Depends(get_key_store)],
) -> Response:
    """Prometheus metrics of this worker process (protected when ``protect_metrics``)."""
    if settings.protect_metrics:
        await check_key(request, settings, store)
    update_drift_gauge(settings)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

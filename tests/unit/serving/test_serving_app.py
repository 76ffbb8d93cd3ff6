"""The app in-process: dependencies other routers reuse, auth switch, clinic router, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from amer.serving.app import create_app
from amer.serving.deps import require_api_key
from amer.settings import Settings

Call = Callable[[httpx.AsyncClient], Awaitable[Any]]


def _run(app: FastAPI, call: Call) -> Any:
    async def go() -> Any:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://amer") as client:
                return await call(client)

    return asyncio.run(go())


def _settings(model_dir: Path, tmp_path: Path, **extra: Any) -> Settings:
    return Settings(model_uri=str(model_dir), home=tmp_path, reload_interval_s=0, **extra)


def test_app_auth_can_be_disabled(lexicon_model_dir: Path, tmp_path: Path) -> None:
    app = create_app(_settings(lexicon_model_dir, tmp_path, auth_enabled=False))
    response = _run(app, lambda c: c.post("/v1/entities", json={"text": "feber"}))
    assert response.status_code == 200 and response.json()["entities"][0]["text"] == "feber"


def test_app_validation_errors_do_not_echo_input(lexicon_model_dir: Path, tmp_path: Path) -> None:
    app = create_app(_settings(lexicon_model_dir, tmp_path, auth_enabled=False))
    response = _run(
        app, lambda c: c.post("/v1/entities", json={"text": "feber", "labels": ["HEMMELIG"]})
    )
    assert response.status_code == 422
    assert "HEMMELIG" not in response.text and response.json()["detail"][0]["loc"][-1] == "labels"


def test_app_includes_the_clinic_routes_behind_the_shared_key_check(
    lexicon_model_dir: Path, tmp_path: Path
) -> None:
    app = create_app(_settings(lexicon_model_dir, tmp_path))
    assert {"/v1/icd10", "/v1/feedback"} <= set(app.openapi()["paths"])
    assert _run(app, lambda c: c.post("/v1/icd10", json={"text": "feber"})).status_code == 401
    app.dependency_overrides[require_api_key] = lambda: "override"
    assert _run(app, lambda c: c.post("/v1/icd10", json={})).status_code == 422


def test_app_without_a_loadable_model_fails_to_start(tmp_path: Path) -> None:
    from amer.errors import ModelError

    app = create_app(_settings(tmp_path / "missing", tmp_path))
    with pytest.raises(ModelError):
        _run(app, lambda c: c.get("/healthz"))

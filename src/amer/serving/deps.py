"""FastAPI dependencies shared by every router (also the clinic routes).

``get_model_holder`` gives the :class:`~amer.serving.holder.ModelHolder` (``holder.model``,
``holder.info``); ``require_api_key`` checks ``Authorization: Bearer <key>`` and returns the
key's name (None when auth is disabled). Both read ``request.app.state``, so tests can
override them with ``app.dependency_overrides``.
"""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request

from amer.serving.auth import KeyStore
from amer.serving.holder import ModelHolder
from amer.serving.scoring import Scorer
from amer.settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_model_holder(request: Request) -> ModelHolder:
    """The holder of the model being served."""
    holder: ModelHolder = request.app.state.holder
    return holder


def get_scorer(request: Request) -> Scorer:
    """The scorer (queue, inference thread, cache)."""
    scorer: Scorer = request.app.state.scorer
    return scorer


def get_key_store(request: Request) -> KeyStore:
    """The API keys store."""
    store: KeyStore = request.app.state.keys
    return store


async def check_key(request: Request, settings: Settings, store: KeyStore) -> str | None:
    """The name of the presented key; raises a bare 401 when it is missing or wrong.

    A key seen before is recognised from memory; a new one is hashed (scrypt) in a thread.
    """
    if not settings.auth_enabled:
        return None
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    key = key.strip()
    name: str | None = None
    if scheme.lower() == "bearer" and key:
        name = store.recall(key)
        if name is None:
            name = await anyio.to_thread.run_sync(store.verify, key)
    if name is None:
        raise HTTPException(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    request.state.key_name = name
    return name


async def require_api_key(
    request: Request,
    settings: Annotated[Settings, Depends(get_settings)],
    store: Annotated[KeyStore, Depends(get_key_store)],
) -> str | None:
    """Dependency of protected routes: the caller's key name, or 401."""
    return await check_key(request, settings, store)

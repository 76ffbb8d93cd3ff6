"""The app's only way to the model: the inference API through :class:`amer.client.Client`.

Every call returns ``(result, None)`` or ``(None, message)``; the message says plainly what
went wrong (API down, key refused, bad answer) so the app never shows a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import httpx

from amer.client import APIError, Client
from amer.errors import AuthError, ServiceError
from amer.model import Entity
from amer.settings import Settings

T = TypeVar("T")


def connect(settings: Settings) -> Client:
    """A client of the API at ``settings.api_url`` with ``settings.api_key``."""
    key = settings.api_key.get_secret_value() if settings.api_key else None
    return Client(settings.api_url, key, retries=1, backoff=0.2)


def call(settings: Settings, request: Callable[[Client], T]) -> tuple[T | None, str | None]:
    """Run ``request`` with a fresh client; an error becomes a message for the clinician."""
    try:
        with connect(settings) as client:
            return request(client), None
    except AuthError:
        return None, (
            f"The API at {settings.api_url} refused the API key. "
            "Set a valid key in AMER_API_KEY (create one with `amer keys create`)."
        )
    except APIError as e:
        return None, f"The API at {settings.api_url} answered with an error: {e}"
    except (ServiceError, httpx.HTTPError, ValueError):
        return None, (
            f"The API at {settings.api_url} cannot be reached or gave no usable answer. "
            "Is `amer serve` running, and is AMER_API_URL right?"
        )


def entities_of(payload: dict[str, Any]) -> list[Entity]:
    """The entities of an API answer as model entities."""
    return [Entity(**e) for e in payload.get("entities", [])]


def batch_entities(payload: dict[str, Any]) -> list[list[Entity]]:
    """The entities of every document of a batch answer, in order."""
    return [[Entity(**e) for e in r["entities"]] for r in payload.get("results", [])]


def labels_or_none(labels: Sequence[str]) -> list[str] | None:
    """The labels to send (None for all)."""
    return list(labels) or None

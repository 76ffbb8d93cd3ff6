"""Fixtures of the smoke suite: a client on the URL under test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from amer.client import Client
from amer.settings import Settings, get_settings


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--expected-version", default=None, help="model version the server must serve")


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings of the smoke run (API URL and key)."""
    return get_settings()


@pytest.fixture(scope="session")
def api_key(settings: Settings) -> str | None:
    """The key the smoke run sends."""
    return settings.api_key.get_secret_value() if settings.api_key else None


@pytest.fixture(scope="session")
def client(settings: Settings, api_key: str | None) -> Iterator[Client]:
    """A client on the server under test."""
    with Client(settings.api_url, api_key, timeout=30, retries=2, verify=False) as c:
        yield c


@pytest.fixture(scope="session")
def expected_version(request: pytest.FixtureRequest) -> str | None:
    """The version the server must answer with, if given."""
    value: str | None = request.config.getoption("--expected-version")
    return value

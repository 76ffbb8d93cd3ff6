"""``amer serve``, ``amer keys`` and ``amer deploy``: thin commands over :mod:`amer.serving`."""

from __future__ import annotations

import os
import time
from typing import Annotated

import typer

from amer.cli.common import app, console, console_err, settings
from amer.settings import Settings

keys_app = typer.Typer(help="Create, revoke and list API keys.", no_args_is_help=True)
deploy_app = typer.Typer(
    help="Staging smoke tests and promotion to production.", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")
app.add_typer(deploy_app, name="deploy")

_SERVE_ENV = {
    "model_uri": "AMER_MODEL_URI",
    "host": "AMER_HOST",
    "port": "AMER_PORT",
    "workers": "AMER_WORKERS",
}


@app.command()
def serve(
    model: Annotated[
        str | None, typer.Option(help="Model directory or models:/NAME@ALIAS.")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Serve the inference API (default model: the registry's production alias)."""
    from amer.serving.server import serve as run

    overrides = {"model_uri": model, "host": host, "port": port, "workers": workers}
    given = {k: v for k, v in overrides.items() if v is not None}
    for name, value in given.items():  # worker processes read their settings from here
        os.environ[_SERVE_ENV[name]] = str(value)
    current: Settings = settings().model_copy(update=given)
    run(current)


@keys_app.command("create")
def keys_create(name: Annotated[str, typer.Argument(help="Who or what uses the key.")]) -> None:
    """Create a key and print it once; only its salted hash is stored."""
    from amer.serving.auth import KeyStore

    store = KeyStore(settings().keys_path)
    key = store.create(name)
    console_err.print(f"API key for [bold]{name}[/] (shown once, store it now):")
    typer.echo(key)


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="Name of the key.")]) -> None:
    """Revoke a key; running services refuse it from their next request on."""
    from amer.serving.auth import KeyStore

    KeyStore(settings().keys_path).revoke(name)
    console.print(f"revoked key [bold]{name}[/]")


@keys_app.command("list")
def keys_list() -> None:
    """List key names, ids and creation times."""
    from amer.serving.auth import KeyStore

    for record in KeyStore(settings().keys_path).records():
        console.print(f"{record.name}\t{record.key_id}\t{record.created_at}", highlight=False)


@deploy_app.command("staging")
def deploy_staging(
    promote: Annotated[bool, typer.Option(help="On success, go on to production.")] = False,
) -> None:
    """Serve the staging alias, run the smoke suite (JUnit XML), record the result."""
    from amer.errors import GateError
    from amer.serving.deploy import deploy_staging as run

    start = time.perf_counter()
    current = settings()
    result = run(current)
    verdict = "[green]passed[/]" if result.passed else "[red]failed[/]"
    console.print(
        f"staging of version {result.version}: {verdict} "
        f"in {result.duration_s:.1f} s; JUnit report {result.junit_path}"
    )
    if not result.passed:
        raise GateError(f"staging smoke tests failed for version {result.version}")
    if promote:
        _production(current, version=result.version, wait=True)
        console.print(f"end-to-end deploy time: {time.perf_counter() - start:.1f} s")


@deploy_app.command("production")
def deploy_production(
    version: Annotated[str | None, typer.Option(help="Version (default: staging's).")] = None,
    wait: Annotated[bool, typer.Option(help="Wait until the service at api_url serves it.")] = True,
) -> None:
    """Move the production alias to a version that passed staging."""
    _production(settings(), version=version, wait=wait)


def _production(current: Settings, *, version: str | None, wait: bool) -> None:
    from amer.errors import ServiceError
    from amer.serving.deploy import deploy_production as run

    result = run(current, version=version, wait=wait)
    console.print(f"production now points at version {result.version}")
    if result.picked_up is False:
        raise ServiceError(f"the service at {current.api_url} did not pick up {result.version}")
    if result.picked_up:
        console.print(f"the service at {current.api_url} serves version {result.version}")
    console.print(f"deploy time: {result.duration_s:.1f} s")

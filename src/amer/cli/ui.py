"""``amer ui``: start the clinical web app (Streamlit) on the inference API."""

from __future__ import annotations

import importlib.util
import os
import sys
from importlib import resources
from typing import Annotated

import typer

from amer.cli.common import app, settings
from amer.errors import ConfigError

STREAMLIT_OPTIONS = {
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    "server.fileWatcherType": "none",
    "global.developmentMode": "false",
    "client.toolbarMode": "minimal",
}
"""Always passed to ``streamlit run``: no browser tab, no usage statistics sent anywhere."""


def streamlit_command(*, host: str, port: int) -> list[str]:
    """The ``streamlit run`` command line of the app."""
    app_file = resources.files("amer").joinpath("ui/app.py")
    options = {**STREAMLIT_OPTIONS, "server.address": host, "server.port": str(port)}
    flags = [f"--{name}={value}" for name, value in options.items()]
    return [sys.executable, "-m", "streamlit", "run", str(app_file), *flags]


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="Address the web app binds to.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the web app.")] = 8501,
    api_url: Annotated[str | None, typer.Option(help="Inference API (default: api_url).")] = None,
) -> None:
    """Start the clinical web app; it calls the API at AMER_API_URL with AMER_API_KEY."""
    current = settings()
    if importlib.util.find_spec("streamlit") is None:
        raise ConfigError("the web app needs the 'ui' extra: pip install 'amer[ui]'")
    env = dict(os.environ)  # the app reads its settings from AMER_* like every entry point
    env["AMER_API_URL"] = api_url or current.api_url
    if current.api_key is not None:
        env["AMER_API_KEY"] = current.api_key.get_secret_value()
    command = streamlit_command(host=host, port=port)
    os.execve(command[0], command, env)


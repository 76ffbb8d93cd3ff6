"""Run the inference API under uvicorn, in one process or several worker processes."""

from __future__ import annotations

from typing import Any

import uvicorn

from amer.errors import ConfigError
from amer.serving.app import create_app
from amer.settings import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Host, port, TLS and logging options shared by both modes (our JSON logs, no access log)."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": 10,
        "server_header": False,
    }
    if (settings.tls_certfile is None) != (settings.tls_keyfile is None):
        raise ConfigError("set both tls_certfile and tls_keyfile, or neither")
    if settings.tls_certfile is not None:
        options["ssl_certfile"] = str(settings.tls_certfile)
        options["ssl_keyfile"] = str(settings.tls_keyfile)
    return options


def serve(settings: Settings) -> None:
    """Serve until interrupted; ``settings.workers`` > 1 starts that many worker processes.

    Worker processes rebuild their settings from the environment (``AMER_*``), so the
    caller must have exported any override there. Each worker has its own metrics
    registry: ``/metrics`` shows the worker that answered the scrape.
    """
    options = uvicorn_options(settings)
    if settings.workers > 1:
        uvicorn.run(
            "amer.serving.app:worker_app", factory=True, workers=settings.workers, **options
        )
    else:
        uvicorn.run(create_app(settings), **options)

"""Shared pieces of the CLI: the Typer app, consoles, settings and logging set-up."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console

from amer.errors import ConfigError
from amer.settings import Settings, get_settings

app = typer.Typer(
    name="amer",
    help="AMER: recognise medical entities in Norwegian clinical text, and run the model "
    "like software (versioned data, training, registry, serving, monitoring).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
console_err = Console(stderr=True)


def settings() -> Settings:
    """The process's settings, with logging configured from them (once).

    Raises:
        ConfigError: a setting is invalid; the message names the field (as AMER_ variable).
    """
    try:
        current = get_settings()
    except ValidationError as e:
        problems = "; ".join(
            f"AMER_{'__'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in e.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from e
    configure_logging(current)
    return current


class JsonFormatter(logging.Formatter):
    """One JSON object per log line; extra fields given with ``extra={...}`` are kept."""

    _SKIP = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message"}

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in record.__dict__.items() if k not in self._SKIP})
        if record.exc_info and record.exc_info[0] is not None:
            payload["error"] = record.exc_info[0].__name__
        return json.dumps(payload, default=str, ensure_ascii=False)


_configured = False


def configure_logging(current: Settings) -> None:
    """Send log records to stderr, as JSON or text, at the configured level."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stderr)
    if current.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(current.log_level)
    # spaCy attaches its own stream handler when imported; route its records through ours
    import spacy.util  # noqa: F401  (imported here so its handler exists before we remove it)

    spacy_logger = logging.getLogger("spacy")
    spacy_logger.handlers.clear()
    spacy_logger.setLevel(max(logging.WARNING, root.level))
    _configured = True

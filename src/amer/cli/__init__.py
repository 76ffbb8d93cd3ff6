"""The ``amer`` command line: one Typer app; each command parses, calls the library, prints.

Commands live in one module per lifecycle stage (``amer.cli.data``, ``amer.cli.model``…),
each adding itself to :data:`app`; this module only assembles them and maps
:class:`amer.errors.AmerError` to a one-line message and an exit code.
"""

from __future__ import annotations

import importlib
import sys

from amer.cli.common import app, console_err

_COMMAND_MODULES = (
    "amer.cli.data",
    "amer.cli.modelling",
    "amer.cli.registry",
    "amer.cli.serving",
    "amer.cli.monitoring",
    "amer.cli.ui",
)
"""Each module adds its commands to ``app`` when imported."""


def _load_commands() -> None:
    for name in _COMMAND_MODULES:
        importlib.import_module(name)


def main() -> None:
    """Entry point of the ``amer`` script."""
    from amer.errors import AmerError

    _load_commands()
    try:
        app(standalone_mode=False)
    except AmerError as e:
        console_err.print(f"[bold red]error:[/] {e}")
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        console_err.print("interrupted")
        sys.exit(130)
    except Exception as e:  # click's own usage errors
        import click

        if isinstance(e, click.exceptions.ClickException):
            e.show()
            sys.exit(e.exit_code)
        if isinstance(e, click.exceptions.Exit):
            sys.exit(e.exit_code)
        if isinstance(e, click.exceptions.Abort):
            sys.exit(1)
        raise

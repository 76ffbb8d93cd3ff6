"""``amer model …`` (registry view, promotion, rollback, history), ``amer trigger …``,
``amer watch`` and ``amer env up``: parse, call :mod:`amer.registry`, print."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from amer.cli.common import app, console, console_err, settings
from amer.cli.progress import RichProgress

if TYPE_CHECKING:
    from amer.errors import AmerError
    from amer.registry.audit import AliasMove
    from amer.registry.store import Registry
    from amer.registry.triggers import TriggerReport, TriggerRun

model_app = typer.Typer(
    help="The model registry: versions, aliases, promotion, rollback.", no_args_is_help=True
)
trigger_app = typer.Typer(
    help="Retraining triggers: new data, age, feedback, drift.", no_args_is_help=True
)
env_app = typer.Typer(help="The whole environment, built from code and data.", no_args_is_help=True)
app.add_typer(model_app, name="model")
app.add_typer(trigger_app, name="trigger")
app.add_typer(env_app, name="env")

DEFAULT_OUTPUT = Path("runs/default")
OutputOption = Annotated[Path, typer.Option(help="Folder for the pipeline's model/ and reports.")]


def _registry() -> Registry:
    from amer.registry.store import Registry as _Registry

    return _Registry.from_settings(settings())


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _bool(value: bool | None) -> str:
    return {True: "[green]passed[/]", False: "[red]failed[/]", None: "–"}[value]


def _move_line(move: AliasMove | None) -> str:
    if move is None:
        return "already there; nothing moved"
    origin = f"v{move.from_version}" if move.from_version else "nothing"
    forced = " [yellow](forced)[/]" if move.forced else ""
    return f"@{move.alias}: {origin} → v{move.to_version}{forced}"


@model_app.command("list")
def model_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Every version with its aliases, dataset version, accuracy, P, R, F1 and latency."""
    registry = _registry()
    versions = registry.list_versions()
    if as_json:
        console.print_json(json.dumps([v.to_dict() for v in versions]))
        return
    table = Table(title=f"Registered model {registry.name}")
    for column in (
        "version",
        "aliases",
        "dataset",
        "accuracy",
        "precision",
        "recall",
        "F1",
        "latency p50 ms",
        "gates",
        "staging",
        "created (UTC)",
    ):
        table.add_column(column)
    for v in versions:
        m = v.metrics
        table.add_row(
            v.version,
            ", ".join(f"@{a}" for a in v.aliases),
            (v.dataset_version or "–")[:12],
            _fmt(m.get("accuracy")),
            _fmt(m.get("precision")),
            _fmt(m.get("recall")),
            _fmt(m.get("f1")),
            _fmt(m.get("latency"), 1),
            _bool(v.gates_passed),
            _bool(v.staging_passed),
            v.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@model_app.command("promote")
def model_promote(
    version: Annotated[str, typer.Argument(help="Version number to promote.")],
    to: Annotated[str, typer.Option("--to", help="Alias to move: staging or production.")],
    force: Annotated[bool, typer.Option(help="Override refused gates (needs --reason).")] = False,
    reason: Annotated[str | None, typer.Option(help="Why; recorded in the history.")] = None,
    actor: Annotated[str | None, typer.Option(help="Who; defaults to the login name.")] = None,
) -> None:
    """Point an alias at a version; refused (exit 8, with the reason) when a gate fails."""
    from amer.errors import PromotionError

    if to not in ("staging", "production"):
        raise PromotionError(f"--to must be staging or production, not {to!r}")
    alias: Literal["staging", "production"] = "staging" if to == "staging" else "production"
    move = _registry().promote(version, to=alias, force=force, reason=reason, actor=actor)
    console.print(_move_line(move))


@model_app.command("rollback")
def model_rollback(
    reason: Annotated[str | None, typer.Option(help="Why; recorded in the history.")] = None,
    actor: Annotated[str | None, typer.Option(help="Who; defaults to the login name.")] = None,
) -> None:
    """Move production back to the previous production version."""
    console.print(_move_line(_registry().rollback(actor=actor, reason=reason)))


@model_app.command("history")
def model_history() -> None:
    """Every alias move: when, which alias, from, to, who, why."""
    table = Table(title="Alias moves")
    for column in ("when (UTC)", "alias", "from", "to", "action", "who", "why"):
        table.add_column(column)
    for m in _registry().history():
        when = dt.datetime.fromtimestamp(m.at_ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        action = m.action + (" (forced)" if m.forced else "")
        table.add_row(
            when,
            m.alias,
            f"v{m.from_version}" if m.from_version else "–",
            f"v{m.to_version}",
            action,
            m.actor,
            m.reason or "",
        )
    console.print(table)


def _print_triggers(report: TriggerReport) -> None:
    table = Table(title="Retraining triggers")
    for column in ("trigger", "fires", "why"):
        table.add_column(column)
    for t in report.triggers:
        table.add_row(t.name, "[bold yellow]yes[/]" if t.fired else "no", t.reason)
    console.print(table)


@trigger_app.command("check")
def trigger_check() -> None:
    """Report which retraining triggers fire and why (exit 0 either way)."""
    from amer.registry.triggers import check_triggers

    current = settings()
    from amer.registry.store import Registry

    _print_triggers(check_triggers(current, Registry.from_settings(current)))


def _print_run(run: TriggerRun) -> None:
    _print_triggers(run.report)
    if run.tracked is None:
        console.print("nothing fired; no retraining")
        return
    cached = " (cached)" if run.tracked.cached else ""
    console.print(f"trained v{run.tracked.version.version}{cached}")
    for note in run.notes:
        console.print(f"[yellow]{note}[/]")
    if run.tracked.version.gates_passed:
        console.print(_move_line(run.staged))


@trigger_app.command("run")
def trigger_run(output: OutputOption = DEFAULT_OUTPUT) -> None:
    """Retrain when a trigger fires; promote to staging when the gates pass."""
    from amer.registry.triggers import run_triggers

    with RichProgress() as progress:
        run = run_triggers(settings(), output=output, progress=progress)
    _print_run(run)


@app.command("watch")
def watch(
    interval: Annotated[float, typer.Option(help="Seconds between checks.", min=1.0)] = 3600.0,
    checks: Annotated[int | None, typer.Option(help="Stop after this many checks.")] = None,
    output: OutputOption = DEFAULT_OUTPUT,
) -> None:
    """Check the retraining triggers every --interval seconds (for cron or a CronJob)."""
    from amer.registry.triggers import watch as watch_loop

    def on_error(error: AmerError) -> None:
        console_err.print(f"[bold red]error:[/] {error}")

    watch_loop(
        settings(),
        interval_s=interval,
        output=output,
        on_result=_print_run,
        on_error=on_error,
        max_checks=checks,
    )


@env_app.command("up")
def env_up(output: OutputOption = DEFAULT_OUTPUT) -> None:
    """Build store, registered model, version and aliases from code and data (idempotent)."""
    from amer.registry.environment import env_up as build

    with RichProgress() as progress:
        report = build(settings(), output=output, progress=progress)
    p = report.production
    cached = "reused a cached run" if report.tracked.cached else "trained a new version"
    console.print(f"{cached}; production is {p.name} v{p.version} (dataset {p.dataset_version})")
    for move in report.moves:
        console.print("  " + _move_line(move))
    if not report.changed:
        console.print("environment already up; nothing changed")
    console.print(f"took {report.duration_s:.1f} s")

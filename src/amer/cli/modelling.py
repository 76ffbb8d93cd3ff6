"""``amer train``, ``amer evaluate``, ``amer pipeline run`` and ``amer extract``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from amer.cli.common import app, console, settings
from amer.cli.progress import RichProgress
from amer.errors import GateError

pipeline_app = typer.Typer(help="Run every step of the model pipeline.", no_args_is_help=True)
app.add_typer(pipeline_app, name="pipeline")

DEFAULT_OUTPUT = Path("runs/default")
Modes = ("model", "lexicon", "combined")


def print_scores(title: str, evaluations: dict[str, Any]) -> None:
    """A table of scores by mode with 95 % intervals."""
    table = Table(title=title)
    for column in ("mode", "token acc.", "precision", "recall", "F1", "95 % CI of F1", "entities"):
        table.add_column(column)
    for mode, e in evaluations.items():
        m, ci = e["micro"], e.get("ci95", {}).get("f1")
        table.add_row(
            mode,
            f"{e['token_accuracy']:.3f}",
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            f"{m['f1']:.3f}",
            f"{ci[0]:.3f}–{ci[1]:.3f}" if ci else "",
            str(m["support"]),
        )
    console.print(table)


def print_report(report: dict[str, Any]) -> None:
    """Scores on the split and the gold set, then the gate verdict."""
    print_scores("Held-out 20 % split (reference: weak labels)", report["split"])
    if report.get("gold"):
        print_scores(f"Hand-annotated set ({report.get('gold_file')})", report["gold"])
    gates = report["gates"]
    verdict = "[green]passed[/]" if gates["passed"] else "[bold red]FAILED[/]"
    console.print(f"quality gates ({gates['evaluated']}): {verdict}")
    for failure in gates["failures"]:
        console.print(f"  - {failure}")


def _require_gates(report: dict[str, Any]) -> None:
    if not report["gates"]["passed"]:
        raise GateError("quality gates failed: " + "; ".join(report["gates"]["failures"]))


@pipeline_app.command("run")
def pipeline_run(
    output: Annotated[
        Path, typer.Option(help="Folder for model/, report.json, report.md.")
    ] = DEFAULT_OUTPUT,
    track: Annotated[
        bool, typer.Option(help="Record the run in MLflow and register the model.")
    ] = True,
) -> None:
    """Clean data, weak-label, split, verify, train, evaluate and (with --track) register.

    Exits 4 when data verification fails and 7 when a quality gate fails.
    """
    current = settings()
    note = "not tracked (--no-track)"
    with RichProgress() as progress:
        if track:
            from amer.registry.tracking import run_tracked_pipeline

            tracked = run_tracked_pipeline(current, output=output, progress=progress)
            report, model_dir, report_path = tracked.report, tracked.model_dir, tracked.report_path
            note = f"registered {tracked.version.name} version {tracked.version.version}"
            note += " (cached: data, config and code unchanged)" if tracked.cached else ""
        else:
            from amer.pipeline import run_pipeline

            result = run_pipeline(current, output=output, progress=progress)
            report, model_dir, report_path = result.report, result.model_dir, result.report_path
    print_report(report)
    console.print(f"model: {model_dir}  report: {report_path}  {note}")
    _require_gates(report)


@app.command("train")
def train(
    output: Annotated[
        Path, typer.Option(help="Folder for the trained model (OUTPUT/model).")
    ] = DEFAULT_OUTPUT,
) -> None:
    """Train the NER on the weak labels and save the shipped pipeline (no evaluation)."""
    from amer.data.verification import require_passed
    from amer.pipeline import prepare_data, train_model

    current = settings()
    with RichProgress() as progress:
        data = prepare_data(current, progress=progress)
        require_passed(data.verification)
        model = train_model(current, data, workdir=output / "work", progress=progress)
    console.print(f"saved {model.save(output / 'model')}")


@app.command("evaluate")
def evaluate(
    model: Annotated[
        str, typer.Option(help="Model directory or models:/NAME@ALIAS.")
    ] = str(DEFAULT_OUTPUT / "model"),
    gold: Annotated[Path | None, typer.Option(help="Gold JSONL file to score as well.")] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write report.json and report.md here.")
    ] = None,
) -> None:
    """Score a model on the held-out 20 % split (and a gold file), with 95 % intervals.

    The gates judge the statistical model on the split; exit 7 when one fails.
    """
    from amer.evaluation.report import write_report
    from amer.model import load_model
    from amer.pipeline import evaluation_report, prepare_data

    current = settings()
    if gold is not None:
        current = current.model_copy(update={"gold_file": gold})
    loaded = load_model(model)
    with RichProgress() as progress:
        data = prepare_data(current, progress=progress)
        report = evaluation_report(loaded, current, data, progress=progress)
    print_report(report)
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        write_report(report, output)
    _require_gates(report)


@app.command("extract")
def extract(
    text: Annotated[str, typer.Argument(help="Norwegian text; '-' reads standard input.")],
    model: Annotated[
        str | None, typer.Option(help="Model directory or models:/NAME@ALIAS.")
    ] = None,
    labels: Annotated[
        list[str] | None, typer.Option("--label", "-l", help="Only these labels.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Print the entities in TEXT.

    The default model is runs/default/model when it exists, else the settings' model_uri.
    """
    import sys

    from amer.model import load_model

    source = model or (
        str(DEFAULT_OUTPUT / "model")
        if (DEFAULT_OUTPUT / "model").is_dir()
        else settings().model_uri
    )
    body = sys.stdin.read() if text == "-" else text
    entities = load_model(source).extract(body, labels)
    if as_json:
        console.print_json(json.dumps([e.to_dict() for e in entities], ensure_ascii=False))
        return
    table = Table(title=f"{len(entities)} entities")
    for column in ("start", "end", "text", "label", "source", "ICD-10"):
        table.add_column(column)
    for e in entities:
        table.add_row(str(e.start), str(e.end), e.text, e.label, e.source, e.icd10 or "")
    console.print(table)

"""``amer monitor``: drift checks against the training reference, and the traffic window."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from amer.cli.common import app, console, settings

if TYPE_CHECKING:
    from amer.monitoring.drift import DriftResult

monitor = typer.Typer(help="Monitoring: drift of live traffic against the training reference.")
app.add_typer(monitor, name="monitor")

ModelOption = Annotated[
    str | None,
    typer.Option("--model", help="Model directory or models:/NAME@ALIAS (default: model_uri)."),
]


@monitor.command("drift")
def drift(
    model: ModelOption = None,
    window: Annotated[
        int | None, typer.Option("--window", min=1, help="Recent requests to compare.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    fail_on_drift: Annotated[
        bool, typer.Option("--fail-on-drift", help="Exit with status 1 when drift is flagged.")
    ] = False,
    skip_if_insufficient: Annotated[
        bool,
        typer.Option("--skip-if-insufficient", help="Exit 0 when too few requests are recorded."),
    ] = False,
) -> None:
    """Compare recorded traffic with the model's reference; save the score for alerts."""
    from amer.monitoring.drift import check_drift
    from amer.monitoring.traffic import TrafficRecorder

    current = settings()
    if skip_if_insufficient:
        recorder = TrafficRecorder.from_settings(current)
        recorded = len(recorder.read_window(window or current.drift_window))
        if recorded < current.drift_min_requests:
            console.print(
                f"{recorded} requests recorded, fewer than drift_min_requests "
                f"({current.drift_min_requests}); no drift check this time"
            )
            return
    result = check_drift(model or current.model_uri, settings=current, window=window)
    if as_json:
        console.print_json(json.dumps(result.to_dict()))
    else:
        _print_result(result, current.drift_path)
    if fail_on_drift and result.drifted:
        raise typer.Exit(code=1)


@monitor.command("reference")
def reference(
    model: Annotated[Path, typer.Option("--model", help="Model directory to write into.")],
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="Documents like live traffic (default: corpus).")
    ] = None,
) -> None:
    """Build ``drift_reference.json`` for a model directory from a corpus."""
    from amer.data.corpus import read_corpus
    from amer.model import load_model
    from amer.monitoring.drift import REFERENCE_FILE, analyse_texts, build_reference

    current = settings()
    path = corpus or current.corpus_path
    docs = read_corpus(path, fmt=current.corpus_format, text_field=current.corpus_text_field)
    built = build_reference(analyse_texts(load_model(model), [d.text for d in docs]))
    target = model / REFERENCE_FILE
    target.write_text(json.dumps(built, indent=1), "utf-8")
    console.print(f"wrote {target} from {len(docs)} documents of {path}")


@monitor.command("status")
def status() -> None:
    """Show the recorded traffic window and the latest drift score."""
    from amer.monitoring.drift import read_drift_score
    from amer.monitoring.traffic import TrafficRecorder

    current = settings()
    recorder = TrafficRecorder.from_settings(current)
    files = recorder.files()
    size = sum(f.stat().st_size for f in files)
    count = len(recorder.read_window(current.drift_window))
    console.print(
        f"traffic window: {count} of the last {current.drift_window} requests kept "
        f"in {len(files)} file(s), {size / 1e6:.2f} MB under {recorder.directory}"
    )
    score = read_drift_score(current.drift_path)
    shown = "none yet" if score is None else f"{score:.4f} (threshold {current.drift_threshold})"
    console.print(f"latest drift score: {shown}")


def _print_result(result: DriftResult, path: Path) -> None:
    table = Table("feature", "PSI", title=f"drift over {result.n_window} requests")
    for name, value in sorted(result.psi.items(), key=lambda kv: -kv[1]):
        table.add_row(name, f"{value:.4f}")
    console.print(table)
    verdict = "[bold red]DRIFT[/]" if result.drifted else "[green]no drift[/]"
    console.print(
        f"score {result.score:.4f} (threshold {result.threshold}), "
        f"label-mix p-value {result.label_pvalue}: {verdict}"
    )
    for name, reason in result.skipped.items():
        console.print(f"skipped {name}: {reason}")
    console.print(f"saved to {path}")

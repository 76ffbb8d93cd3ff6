"""``amer data fetch|verify`` and ``amer annotate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from amer.cli.common import app, console, settings
from amer.cli.progress import RichProgress

data_app = typer.Typer(help="Get and check the terminology and the corpus.", no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("fetch")
def fetch(
    force: Annotated[
        bool, typer.Option(help="Download even when a verified copy is present.")
    ] = False,
) -> None:
    """Download NorMedTerm and NorMedQA from their pinned addresses into the data directory.

    Each file is checked against its SHA-256 and written atomically; a file already present
    with the right checksum is kept.
    """
    from amer.data.fetch import fetch_all

    current = settings()
    with RichProgress() as progress:
        progress.step("fetching reference data")
        paths = fetch_all(
            current.data_dir, force=force, progress=lambda _n, size, _t: progress.advance(size)
        )
    for path in paths:
        console.print(f"[green]ok[/] {path}")


@data_app.command("verify")
def verify_data(
    output: Annotated[Path | None, typer.Option(help="Also write verification.json here.")] = None,
) -> None:
    """Clean, weakly label and split the data, then verify it (exit 4 when it fails)."""
    from amer.data.verification import require_passed
    from amer.pipeline import prepare_data

    with RichProgress() as progress:
        data = prepare_data(settings(), progress=progress)
    console.print(data.verification.summary())
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        (output / "verification.json").write_text(
            data.verification.model_dump_json(indent=2), "utf-8"
        )
    require_passed(data.verification)
    console.print("[green]data verification passed[/]")


@app.command("annotate")
def annotate(
    output: Annotated[
        Path, typer.Option(help="JSONL file to write: text and weak-label spans.")
    ] = Path("runs/annotations.jsonl"),
) -> None:
    """Weakly label the corpus with the terminology and write it as JSONL (gold-file format)."""
    from amer.pipeline import prepare_data

    with RichProgress() as progress:
        data = prepare_data(settings(), progress=progress)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as out:
        for split, docs in (("train", data.train), ("dev", data.dev), ("test", data.test)):
            for doc in docs:
                spans = [
                    {"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents
                ]
                out.write(
                    json.dumps(
                        {"split": split, "text": doc.text, "spans": spans}, ensure_ascii=False
                    )
                    + "\n"
                )
    console.print(f"wrote {output} (dataset version {data.dataset_version})")

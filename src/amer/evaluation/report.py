"""Build and write ``report.json`` and ``report.md`` of a pipeline run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from amer.data.verification import VerificationReport
from amer.evaluation.evaluate import Evaluation
from amer.evaluation.gates import GateResult
from amer.settings import Settings

GATED = ("split", "model")
"""The gates judge the statistical model on the held-out split, as the thesis did."""


def build_report(
    evaluations: dict[str, dict[str, Evaluation]],
    *,
    gates: GateResult,
    dataset_version: str,
    verification: VerificationReport,
    settings: Settings,
) -> dict[str, Any]:
    """The report as a JSON-ready dict (no document text)."""
    gated = evaluations[GATED[0]][GATED[1]]
    return {
        "dataset_version": dataset_version,
        "metrics": gated.model_dump(),
        "metrics_summary": {
            "accuracy": gated.token_accuracy,
            "precision": gated.micro.precision,
            "recall": gated.micro.recall,
            "f1": gated.micro.f1,
            "latency_ms_p50": gated.latency_ms.get("p50", 0.0),
        },
        "gates": {**gates.model_dump(), "evaluated": "statistical model on the held-out split"},
        "split": {mode: e.model_dump() for mode, e in evaluations["split"].items()},
        "gold": {mode: e.model_dump() for mode, e in evaluations.get("gold", {}).items()},
        "gold_file": str(settings.gold_file) if settings.gold_file else None,
        "verification": {name: s.model_dump() for name, s in verification.splits.items()},
        "settings": {
            "seed": settings.seed,
            "test_fraction": settings.test_fraction,
            "labels": list(settings.labels),
        },
    }


def write_report(report: dict[str, Any], output: Path) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.md`` into ``output``."""
    json_path = output / "report.json"
    md_path = output / "report.md"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    md_path.write_text(render_markdown(report), "utf-8")
    return json_path, md_path


def _row(name: str, e: dict[str, Any]) -> str:
    m, ci = e["micro"], e.get("ci95", {})

    def cell(key: str, value: float) -> str:
        lo_hi = ci.get(key)
        return f"{value:.3f} [{lo_hi[0]:.3f}, {lo_hi[1]:.3f}]" if lo_hi else f"{value:.3f}"

    return (
        f"| {name} | {cell('token_accuracy', e['token_accuracy'])} "
        f"| {cell('precision', m['precision'])} "
        f"| {cell('recall', m['recall'])} | {cell('f1', m['f1'])} | {m['support']} |"
    )


def render_markdown(report: dict[str, Any]) -> str:
    """A readable report: gates, scores by mode with 95 % intervals, per-label scores."""
    gates = report["gates"]
    lines = [
        "# AMER evaluation report",
        "",
        f"Dataset version `{report['dataset_version']}`.",
        "",
        f"Quality gates ({gates['evaluated']}): **{'passed' if gates['passed'] else 'FAILED'}**",
    ]
    lines += [f"- {failure}" for failure in gates["failures"]]
    header = [
        "",
        "| mode | token accuracy | precision | recall | F1 | gold entities |",
        "|---|---|---|---|---|---|",
    ]
    for section, title in (
        ("split", "Held-out 20 % split (weak labels)"),
        ("gold", "Hand-annotated set"),
    ):
        if report.get(section):
            lines += ["", f"## {title}", "", "95 % bootstrap intervals in brackets.", *header]
            lines += [_row(mode, e) for mode, e in report[section].items()]
    lines += [
        "",
        "## Per label (statistical model, held-out split)",
        "",
        "| label | P | R | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for label, s in report["metrics"]["per_label"].items():
        lines.append(
            f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} "
            f"| {s['f1']:.3f} | {s['support']} |"
        )
    return "\n".join(lines) + "\n"

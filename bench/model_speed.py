"""Benchmark a trained model: single-document latency p50/p95 and batched words per second.

Usage:
    python bench/model_speed.py --model runs/default/model [--docs 300] [--write docs/benchmarks.md]

Texts are real NorMedQA documents from the configured data directory (AMER_DATA_DIR).
The training time is read from the run's report.json (written by `amer pipeline run`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
from doc_sections import markers, write_section  # bench/doc_sections.py

from amer.data.cleaning import clean_corpus
from amer.data.corpus import read_corpus
from amer.model import load_model
from amer.settings import get_settings

SECTION_NAME = "model-speed"


def measure(model_dir: Path, n_docs: int) -> dict[str, float]:
    settings = get_settings()
    docs, _ = clean_corpus(read_corpus(settings.corpus_path, fmt=settings.corpus_format))
    texts = [d.text for d in docs[:n_docs]]
    started = time.perf_counter()
    model = load_model(model_dir)
    load_s = time.perf_counter() - started
    model.extract(texts[0])  # warm-up
    single = []
    for text in texts:
        t0 = time.perf_counter()
        model.extract(text)
        single.append((time.perf_counter() - t0) * 1000)
    words = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    model.extract_batch(texts)
    batch_s = time.perf_counter() - t0
    return {
        "documents": len(texts),
        "mean_words_per_doc": words / len(texts),
        "load_s": load_s,
        "latency_p50_ms": float(np.percentile(single, 50)),
        "latency_p95_ms": float(np.percentile(single, 95)),
        "latency_mean_ms": statistics.fmean(single),
        "batched_words_per_s": words / batch_s,
        "batched_docs_per_s": len(texts) / batch_s,
    }


def render(results: dict[str, float], model_dir: Path, report: dict[str, object] | None) -> str:
    lines = [
        markers(SECTION_NAME)[0],
        "## Model speed",
        "",
        f"Command: `python bench/model_speed.py --model {model_dir} --write docs/benchmarks.md` "
        f"(2 cores, CPU only; {results['documents']:.0f} NorMedQA documents, "
        f"{results['mean_words_per_doc']:.0f} words each on average).",
        "",
        "| figure | value |",
        "|---|---|",
    ]
    if report:
        duration = report.get("duration_s")
        lines.append(f"| default pipeline, all steps (report.json `duration_s`) | {duration} s |")
        lines.append(f"| of which training | {report.get('timings', {}).get('train_s')} s |")
        lines.append(f"| model size on disk | {report.get('model_size_mb')} MB |")
    lines += [
        f"| model load time | {results['load_s']:.1f} s |",
        f"| single-document latency p50 | {results['latency_p50_ms']:.1f} ms |",
        f"| single-document latency p95 | {results['latency_p95_ms']:.1f} ms |",
        f"| batched throughput | {results['batched_words_per_s']:.0f} words/s "
        f"({results['batched_docs_per_s']:.1f} docs/s) |",
    ]
    return "\n".join([*lines, markers(SECTION_NAME)[1]])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=Path("runs/default/model"))
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--write", type=Path, default=None, help="Markdown file to update.")
    args = parser.parse_args()
    results = measure(args.model, args.docs)
    report_path = args.model.parent / "report.json"
    report = json.loads(report_path.read_text()) if report_path.is_file() else None
    section = render(results, args.model, report)
    print(section)
    if args.write:
        write_section(args.write, section, name=SECTION_NAME)


if __name__ == "__main__":
    main()

"""The model pipeline, step by step: clean data, weak labels, split, verify, train, evaluate.

``run_pipeline`` writes ``OUTPUT/model`` (the shipped pipeline), ``OUTPUT/report.json``,
``OUTPUT/report.md`` and ``OUTPUT/verification.{json,txt}``. Caching of whole runs by
:func:`cache_key` is done by the tracking layer (``amer.registry.tracking``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from spacy.tokens import Doc

import amer
from amer.data.cleaning import LexiconEntry, clean_corpus, clean_terminology
from amer.data.corpus import Document, read_corpus
from amer.data.terminology import read_terminology
from amer.data.verification import VerificationReport, require_passed, verify
from amer.data.version import dataset_version
from amer.evaluation.evaluate import Evaluation, evaluate_on_docs, evaluate_on_gold
from amer.evaluation.gates import check_gates
from amer.evaluation.gold import read_gold
from amer.evaluation.report import build_report, write_report
from amer.model import AmerModel
from amer.settings import Settings
from amer.training.assemble import assemble_model
from amer.training.split import split_documents
from amer.training.train import train_ner

logger = logging.getLogger(__name__)


class Progress(Protocol):
    """Receives progress of long steps (the CLI draws it with rich)."""

    def step(self, name: str, total: float | None = None) -> None:
        """A new step begins; ``total`` units of work if known."""

    def advance(self, amount: float = 1.0) -> None:
        """Some units of the current step are done."""


class _Silent:
    def step(self, name: str, total: float | None = None) -> None:
        logger.info("step: %s", name)

    def advance(self, amount: float = 1.0) -> None:
        pass


@dataclass(frozen=True)
class PreparedData:
    """Cleaned, versioned data with weak labels, split into train, dev and test docs."""

    entries: list[LexiconEntry]
    dataset_version: str
    train: list[Doc]
    dev: list[Doc]
    test: list[Doc]
    verification: VerificationReport


@dataclass(frozen=True)
class PipelineResult:
    """What a pipeline run produced."""

    output_dir: Path
    model_dir: Path
    report: dict[str, Any]
    report_path: Path
    report_md_path: Path
    verification: dict[str, Any]
    dataset_version: str
    config_path: Path
    duration_s: float


RESULT_SETTINGS: tuple[str, ...] = (
    "seed",
    "test_fraction",
    "dev_fraction",
    "max_epochs",
    "max_steps",
    "inflect",
    "bootstrap_samples",
    "min_term_length",
    "lowercase_match",
    "corpus_format",
)
"""Scalar settings that change a run's result: part of the cache key, logged as run parameters
(hyperparameters proper live in the spaCy config)."""


def cleaning_settings(settings: Settings) -> dict[str, Any]:
    """The settings that change what cleaning produces (part of the dataset version)."""
    return {
        "labels": list(settings.labels),
        "label_priority": list(settings.label_priority),
        "min_term_length": settings.min_term_length,
    }


def load_clean_data(
    settings: Settings,
) -> tuple[list[LexiconEntry], list[Document], dict[str, dict[str, int]]]:
    """Read and clean the terminology and the corpus; also return what was dropped."""
    entries, term_report = clean_terminology(
        read_terminology(settings.terminology_path),
        labels=settings.labels,
        label_priority=settings.label_priority,
        min_length=settings.min_term_length,
    )
    raw = read_corpus(
        settings.corpus_path, fmt=settings.corpus_format, text_field=settings.corpus_text_field
    )
    documents, corpus_report = clean_corpus(raw)
    dropped = {"terminology": term_report.dropped, "corpus": corpus_report.dropped}
    return entries, documents, dropped


def compute_dataset_version(settings: Settings) -> str:
    """The dataset version of the configured data (reads and cleans it; a few seconds)."""
    entries, documents, _ = load_clean_data(settings)
    return dataset_version(entries, documents, cleaning_settings(settings))


def code_version() -> str:
    """A hash of the installed amer source, so a code change invalidates cached runs."""
    digest = hashlib.sha256()
    root = Path(amer.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".txt", ".tsv"} and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(settings: Settings, *, version: str | None = None) -> str:
    """Dataset version + training config + code + every setting that changes the result."""
    parts = {
        "dataset_version": version or compute_dataset_version(settings),
        "config": settings.training_config.read_text("utf-8")
        if settings.training_config.is_file()
        else "",
        "code": code_version(),
        "settings": settings.model_dump(mode="json", include={*RESULT_SETTINGS, "gates", "labels"}),
        "gold": _file_hash(settings.gold_file),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def _file_hash(path: Path | None) -> str:
    if path is None or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def weak_label(
    documents: Sequence[Document],
    entries: Sequence[LexiconEntry],
    *,
    inflect: bool,
    progress: Progress,
) -> list[Doc]:
    """Label documents with the lexicon sources and aggregate them into ``doc.ents``."""
    labeller = assemble_model(entries, inflect=inflect)
    progress.step("weak labelling", total=len(documents))
    docs = []
    for doc in labeller.docs((d.text for d in documents), mode="lexicon"):
        docs.append(doc)
        progress.advance()
    return docs


def prepare_data(settings: Settings, *, progress: Progress | None = None) -> PreparedData:
    """Clean, version, weakly label, split and verify; raise if verification fails."""
    progress = progress or _Silent()
    progress.step("reading and cleaning data")
    entries, documents, dropped = load_clean_data(settings)
    version = dataset_version(entries, documents, cleaning_settings(settings))
    progress.step("building the lexicon")
    docs = weak_label(documents, entries, inflect=settings.inflect, progress=progress)
    keys = [d.id for d in documents]
    rest, test = split_documents(
        docs, keys=keys, fraction=settings.test_fraction, seed=settings.seed
    )
    train, dev = _split_dev(rest, settings)
    report = verify(
        {"train": train, "dev": dev, "test": test},
        labels=settings.labels,
        dataset_version=version,
        dropped=dropped,
    )
    return PreparedData(entries, version, train, dev, test, report)


def _split_dev(rest: list[Doc], settings: Settings) -> tuple[list[Doc], list[Doc]]:
    keys = [hashlib.sha256(d.text.encode()).hexdigest() for d in rest]
    return split_documents(
        rest, keys=keys, fraction=settings.dev_fraction, seed=settings.seed, salt="dev"
    )


def train_model(
    settings: Settings, data: PreparedData, *, workdir: Path, progress: Progress | None = None
) -> AmerModel:
    """Train the NER on the weak labels and assemble the shipped model."""
    progress = progress or _Silent()
    progress.step("training the NER model")
    ner = train_ner(
        data.train,
        data.dev,
        entries=data.entries,
        config_path=settings.training_config,
        workdir=workdir,
        seed=settings.seed,
        max_epochs=settings.max_epochs,
        max_steps=settings.max_steps,
        on_step=lambda info: progress.advance(),
    )
    vocab = frozenset(t.lower_ for doc in data.train for t in doc if not (t.is_space or t.is_punct))
    meta = {"dataset_version": data.dataset_version, "labels": list(settings.labels)}
    progress.step("assembling the pipeline")
    return assemble_model(
        data.entries, ner=ner, inflect=settings.inflect, meta=meta, train_vocab=vocab
    )


def evaluate_model(
    model: AmerModel, settings: Settings, test: Sequence[Doc], *, progress: Progress | None = None
) -> dict[str, dict[str, Evaluation]]:
    """Scores on the held-out split and on the gold file, for model, lexicon and combined."""
    progress = progress or _Silent()
    options = {
        "labels": settings.labels,
        "bootstrap_samples": settings.bootstrap_samples,
        "seed": settings.seed,
    }
    results: dict[str, dict[str, Evaluation]] = {"split": {}, "gold": {}}
    gold = read_gold(settings.gold_file, labels=settings.labels) if settings.gold_file else []
    progress.step("evaluating", total=6 if gold else 3)
    for mode in ("model", "lexicon", "combined"):
        results["split"][mode] = evaluate_on_docs(model, test, mode=mode, **options)  # type: ignore[arg-type]
        progress.advance()
        if gold:
            results["gold"][mode] = evaluate_on_gold(model, gold, mode=mode, **options)  # type: ignore[arg-type]
            progress.advance()
    return results


def evaluation_report(
    model: AmerModel, settings: Settings, data: PreparedData, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Evaluate on the held-out split (and gold file), apply the gates, build the report."""
    evaluations = evaluate_model(model, settings, data.test, progress=progress)
    gates = check_gates(evaluations["split"]["model"].gate_values(), settings.gates)
    return build_report(
        evaluations,
        gates=gates,
        dataset_version=data.dataset_version,
        verification=data.verification,
        settings=settings,
    )


def run_pipeline(
    settings: Settings, *, output: Path, progress: Progress | None = None
) -> PipelineResult:
    """All steps: data → weak labels → split → verification → training → evaluation → report.

    Raises:
        VerificationError: the data failed verification (nothing is trained).
        GateError is *not* raised here: gate results are in the report; the CLI decides.
    """
    started = time.perf_counter()
    progress = progress or _Silent()
    output.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    data = prepare_data(settings, progress=progress)
    _write_verification(data.verification, output)
    require_passed(data.verification)
    timings["prepare_s"], clock = round(time.perf_counter() - clock, 1), time.perf_counter()
    model = train_model(settings, data, workdir=output / "work", progress=progress)
    timings["train_s"], clock = round(time.perf_counter() - clock, 1), time.perf_counter()
    report = evaluation_report(model, settings, data, progress=progress)
    timings["evaluate_s"] = round(time.perf_counter() - clock, 1)
    model.nlp.meta["amer"].update(
        {"metrics": report["metrics_summary"], "gates_passed": report["gates"]["passed"]}
    )
    model_dir = model.save(output / "model")
    # held-out dev docs: the training docs would make the out-of-vocabulary share 0 by design
    _write_drift_reference(model, data.dev, model_dir)
    report["model_size_mb"] = _size_mb(model_dir)
    report["timings"] = timings
    report["duration_s"] = round(time.perf_counter() - started, 1)
    json_path, md_path = write_report(report, output)
    return PipelineResult(
        output_dir=output,
        model_dir=model_dir,
        report=report,
        report_path=json_path,
        report_md_path=md_path,
        verification=data.verification.model_dump(),
        dataset_version=data.dataset_version,
        config_path=settings.training_config,
        duration_s=report["duration_s"],
    )


def _write_verification(report: VerificationReport, output: Path) -> None:
    (output / "verification.json").write_text(report.model_dump_json(indent=2), "utf-8")
    (output / "verification.txt").write_text(report.summary() + "\n", "utf-8")


def _write_drift_reference(model: AmerModel, docs: Sequence[Doc], model_dir: Path) -> None:
    from amer.monitoring.drift import build_reference

    stats = [s for _, s in model.analyse_batch([d.text for d in docs])]
    reference = build_reference(stats)
    (model_dir / "drift_reference.json").write_text(json.dumps(reference, indent=1), "utf-8")


def _size_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 2)

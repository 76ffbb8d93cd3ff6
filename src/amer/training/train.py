"""Train the statistical NER with spaCy from weakly labelled docs and a config file."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as spacy_train
from spacy.util import load_config, registry
from thinc.api import Config

from amer.data.cleaning import LexiconEntry
from amer.errors import ConfigError, TrainingError
from amer.labeling.lexicon import write_lexicon_file

logger = logging.getLogger(__name__)

StepCallback = Callable[[dict[str, Any]], None]
"""Called at each evaluation with ``epoch``, ``step``, ``score``, ``loss``, ``max_epochs``."""

_on_step: ContextVar[StepCallback | None] = ContextVar("amer_on_step", default=None)


@registry.loggers("amer.ProgressLogger.v1")  # type: ignore[untyped-decorator]
def progress_logger() -> Callable[
    ..., tuple[Callable[[dict[str, Any] | None], None], Callable[[], None]]
]:
    """A spaCy training logger that reports to logging and to the caller's callback."""

    def setup(nlp: Language, stdout: Any = None, stderr: Any = None) -> tuple[Any, Any]:
        def log_step(info: dict[str, Any] | None) -> None:
            if info is None:
                return
            loss = float(sum(info.get("losses", {}).values()))
            logger.info(
                "epoch %s step %s loss %.2f dev f1 %.4f",
                info["epoch"],
                info["step"],
                loss,
                info["score"] or 0.0,
            )
            callback = _on_step.get()
            if callback is not None:
                callback(
                    {
                        "epoch": info["epoch"],
                        "step": info["step"],
                        "score": info["score"],
                        "loss": loss,
                    }
                )

        return log_step, lambda: None

    return setup


def write_docbin(docs: Sequence[Doc], path: Path) -> Path:
    """Save docs' entities (no span groups, no user data) as a spaCy DocBin."""
    path.parent.mkdir(parents=True, exist_ok=True)
    binary = DocBin(attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    for doc in docs:
        copy = doc.copy()
        copy.spans.clear()
        binary.add(copy)
    binary.to_disk(path)
    return path


def load_training_config(
    config_path: Path, *, seed: int, max_epochs: int | None = None, max_steps: int | None = None
) -> Config:
    """The spaCy config with amer's overrides (seed, epochs) applied."""
    if not config_path.is_file():
        raise ConfigError(f"training config not found: {config_path}")
    overrides: dict[str, Any] = {"system.seed": seed}
    if max_epochs is not None:
        overrides["training.max_epochs"] = max_epochs
    if max_steps is not None:
        overrides["training.max_steps"] = max_steps
    try:
        config = load_config(config_path, overrides=overrides, interpolate=False)
    except Exception as e:  # spaCy raises several config error types
        raise ConfigError(f"{config_path}: invalid spaCy config: {e}") from e
    config["training"]["logger"] = {"@loggers": "amer.ProgressLogger.v1"}
    return config


@contextmanager
def _reporting(on_step: StepCallback | None) -> Iterator[None]:
    token = _on_step.set(on_step)
    try:
        yield
    finally:
        _on_step.reset(token)


def train_ner(
    train_docs: Sequence[Doc],
    dev_docs: Sequence[Doc],
    *,
    entries: Sequence[LexiconEntry],
    config_path: Path,
    workdir: Path,
    seed: int,
    max_epochs: int | None = None,
    max_steps: int | None = None,
    on_step: StepCallback | None = None,
) -> Language:
    """Train tok2vec + NER on the weak labels; return the best pipeline on the dev docs.

    ``entries`` is the lexicon that the config's ``amer_lexicon`` component loads (its
    matches are the NER's gazetteer feature).

    Raises:
        ConfigError: the config file is missing or invalid.
        TrainingError: spaCy could not train (for example, no entities at all).
    """
    config = load_training_config(
        config_path, seed=seed, max_epochs=max_epochs, max_steps=max_steps
    )
    config["paths"]["train"] = str(write_docbin(train_docs, workdir / "corpus" / "train.spacy"))
    config["paths"]["dev"] = str(write_docbin(dev_docs, workdir / "corpus" / "dev.spacy"))
    config["paths"]["lexicon"] = str(
        write_lexicon_file(entries, workdir / "corpus" / "lexicon.tsv.gz")
    )
    output = workdir / "ner"
    output.mkdir(parents=True, exist_ok=True)
    try:
        with _reporting(on_step):
            nlp = init_nlp(config.interpolate(), use_gpu=-1)
            spacy_train(nlp, output, use_gpu=-1, stdout=io.StringIO(), stderr=io.StringIO())
    except (ValueError, KeyError) as e:
        raise TrainingError(f"spaCy training failed: {e}") from e
    best = output / "model-best"
    return spacy.load(best if best.is_dir() else output / "model-last")

"""Drift on real text: held-out NorMedQA is not flagged; English and non-clinical prose are.

The fast tests use the lexicon-only fixture model; the ``slow`` one uses the trained model at
``runs/default/model`` (its stored ``drift_reference.json``) when the pipeline has made it.
Both need NorMedQA under ``settings.data_dir`` and are skipped, saying so, without it.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from amer.data.corpus import Document, read_corpus
from amer.model import AmerModel, DocStats, load_model
from amer.monitoring.drift import REFERENCE_FILE, analyse_texts, build_reference, compute_drift
from amer.monitoring.drift import load_reference as load_model_reference
from amer.settings import Settings
from amer.training.split import split_documents

ROOT = Path(__file__).parents[3]
SHIFTED = ROOT / "tests" / "fixtures" / "drift"
TRAINED_MODEL = ROOT / "runs" / "default" / "model"


@pytest.fixture(scope="module")
def corpus_split() -> tuple[list[Document], list[Document]]:
    """(training, held-out) NorMedQA documents, split as the pipeline splits them."""
    settings = Settings(data_dir=ROOT.parent / "shared" / "data")
    if not settings.corpus_path.is_file():
        pytest.skip(f"NorMedQA not found at {settings.corpus_path} (settings.data_dir)")
    docs = read_corpus(settings.corpus_path)
    return split_documents(
        docs, keys=[d.id for d in docs], fraction=settings.test_fraction, seed=settings.seed
    )


def _shifted(name: str, n: int = 250) -> list[str]:
    """Documents of 4-12 sentences drawn from a hand-written, non-clinical sentence file."""
    lines = (SHIFTED / name).read_text("utf-8").splitlines()
    rng = random.Random(name)
    return [" ".join(rng.sample(lines, rng.randint(4, 12))) for _ in range(n)]


def _report(
    label: str, window: list[DocStats], reference: dict[str, object], settings: Settings
) -> tuple[float, bool, float]:
    result = compute_drift(reference, window, settings=settings)
    print(
        f"{label}: score={result.score:.3f} drifted={result.drifted} "  # shown with -s
        f"lexicon_share={result.psi['lexicon_share']:.3f} p={result.label_pvalue}"
    )
    return result.score, result.drifted, result.psi["lexicon_share"]


def _check(model: AmerModel, reference: dict[str, object], held_out: list[Document]) -> None:
    settings = Settings()
    score, drifted, _ = _report(
        "held-out NorMedQA", analyse_texts(model, [d.text for d in held_out]), reference, settings
    )
    assert not drifted and score < settings.drift_threshold
    for name in ("english_general.txt", "norwegian_news_legal.txt"):
        score, drifted, lexicon = _report(
            name, analyse_texts(model, _shifted(name)), reference, settings
        )
        assert drifted and score > settings.drift_threshold
        assert lexicon > settings.drift_threshold, "content, not only length, must shift"


def test_drift_data_lexicon_model(
    lexicon_model_dir: Path, corpus_split: tuple[list[Document], list[Document]]
) -> None:
    train, held_out = corpus_split
    model = load_model(lexicon_model_dir)
    reference = build_reference(analyse_texts(model, [d.text for d in train]))
    _check(model, reference, held_out)


@pytest.mark.slow
def test_drift_data_trained_model(corpus_split: tuple[list[Document], list[Document]]) -> None:
    if not (TRAINED_MODEL / REFERENCE_FILE).is_file():
        pytest.skip(f"no trained model with a drift reference at {TRAINED_MODEL} (run `make run`)")
    _, held_out = corpus_split
    _check(load_model(TRAINED_MODEL), load_model_reference(TRAINED_MODEL), held_out)

"""Assemble the shipped pipeline: the trained NER (if any) plus lexicon and aggregation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import spacy
from spacy.language import Language

from amer.data.cleaning import LexiconEntry
from amer.labeling.aggregation import MODEL_KEY
from amer.labeling.lexicon import INFLECTION_KEY, LEXICON_KEY, LexiconLabeller
from amer.model import AmerModel


def assemble_model(
    entries: Iterable[LexiconEntry],
    *,
    ner: Language | None = None,
    inflect: bool = True,
    meta: Mapping[str, Any] | None = None,
    train_vocab: frozenset[str] = frozenset(),
) -> AmerModel:
    """An AMER model from a lexicon and an optional trained NER pipeline.

    Without ``ner`` the result is a lexicon-only model (useful for tests and as a baseline).
    """
    nlp = ner if ner is not None else spacy.blank("nb")
    sources = [LEXICON_KEY, INFLECTION_KEY]
    if "ner" in nlp.pipe_names:
        nlp.add_pipe("amer_model_spans")
        sources.append(MODEL_KEY)
    lexicon: LexiconLabeller = nlp.add_pipe("amer_lexicon", config={"inflect": inflect})  # type: ignore[assignment]
    lexicon.set_entries(entries)
    nlp.add_pipe("amer_aggregate", config={"sources": sources})
    nlp.meta["name"] = "amer_ner"
    nlp.meta["amer"] = dict(meta or {})
    return AmerModel(nlp, train_vocab=train_vocab)

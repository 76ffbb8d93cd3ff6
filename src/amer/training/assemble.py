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
    A trained pipeline that already runs ``amer_lexicon`` (as the gazetteer feature of its
    NER) keeps that component; otherwise one is added first, loaded with ``entries``.
    """
    nlp = ner if ner is not None else spacy.blank("nb")
    sources = [LEXICON_KEY, INFLECTION_KEY]
    if "amer_lexicon" not in nlp.pipe_names:
        lexicon: LexiconLabeller = nlp.add_pipe(  # type: ignore[assignment]
            "amer_lexicon", first=True, config={"inflect": inflect, "token_features": False}
        )
        lexicon.set_entries(entries)
    if "ner" in nlp.pipe_names:
        nlp.add_pipe("amer_model_spans", after="ner")
        sources.append(MODEL_KEY)
    nlp.add_pipe("amer_aggregate", config={"sources": sources})
    nlp.meta["name"] = "amer_ner"
    nlp.meta["amer"] = dict(meta or {})
    return AmerModel(nlp, train_vocab=train_vocab)

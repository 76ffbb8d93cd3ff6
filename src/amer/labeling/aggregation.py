"""Aggregate labelling sources into ``doc.ents``: longest span first, then source order.

Every source writes its own ``doc.spans[source]``; this is the one step that decides
the entities. Ties in length go to the earlier source, then the earlier start, then the
label name, so the result is deterministic. Each entity keeps its source in ``ent_id_``
and its ICD-10 code (the span's ``id_``) in ``kb_id_``.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

MODEL_KEY = "model"


def aggregate(doc: Doc, sources: Sequence[str]) -> list[Span]:
    """Choose non-overlapping spans from ``doc.spans[source]`` for the given sources."""
    candidates: list[tuple[int, int, int, str, Span]] = []
    for rank, key in enumerate(sources):
        for span in doc.spans.get(key, []):
            candidates.append((-len(span), rank, span.start, span.label_, span))
    candidates.sort(key=lambda c: c[:4])
    taken = [False] * len(doc)
    chosen: list[Span] = []
    for _, rank, _, _, span in candidates:
        if any(taken[span.start : span.end]):
            continue
        taken[span.start : span.end] = [True] * len(span)
        chosen.append(
            Span(
                doc, span.start, span.end, label=span.label_, kb_id=span.id_, span_id=sources[rank]
            )
        )
    return sorted(chosen, key=lambda s: s.start)


class Aggregator:
    """spaCy component that sets ``doc.ents`` from the configured span sources."""

    def __init__(self, sources: Sequence[str]) -> None:
        self.sources = list(sources)

    def __call__(self, doc: Doc) -> Doc:
        doc.ents = aggregate(doc, self.sources)
        return doc


class ModelSpans:
    """spaCy component that copies the statistical NER's ``doc.ents`` to ``doc.spans['model']``."""

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[MODEL_KEY] = list(doc.ents)
        return doc


@Language.factory("amer_aggregate", default_config={"sources": ["lexicon", "inflection"]})
def make_aggregator(nlp: Language, name: str, sources: list[str]) -> Aggregator:
    """Factory of the aggregation step (``amer_aggregate``)."""
    return Aggregator(sources)


@Language.factory("amer_model_spans")
def make_model_spans(nlp: Language, name: str) -> ModelSpans:
    """Factory of the step that keeps the model's own entities as a source."""
    return ModelSpans()

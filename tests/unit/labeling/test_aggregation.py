import spacy
from spacy.tokens import Span

from amer.labeling.aggregation import aggregate


def test_aggregation_longest_span_wins_then_source_order() -> None:
    nlp = spacy.blank("nb")
    doc = nlp("akutt hjerteinfarkt og feber")
    doc.spans["lexicon"] = [
        Span(doc, 1, 2, "CONDITION"),
        Span(doc, 3, 4, "CONDITION", span_id="R50"),
    ]
    doc.spans["inflection"] = [Span(doc, 0, 2, "CONDITION")]
    doc.spans["model"] = [Span(doc, 3, 4, "SUBSTANCE")]
    chosen = aggregate(doc, ["lexicon", "inflection", "model"])
    assert [(s.text, s.label_, s.id_) for s in chosen] == [
        ("akutt hjerteinfarkt", "CONDITION", "inflection"),
        ("feber", "CONDITION", "lexicon"),
    ]
    assert chosen[1].kb_id_ == "R50"


def test_aggregation_is_deterministic_for_equal_spans() -> None:
    nlp = spacy.blank("nb")
    doc = nlp("feber")
    doc.spans["a"] = [Span(doc, 0, 1, "SUBSTANCE"), Span(doc, 0, 1, "CONDITION")]
    assert [s.label_ for s in aggregate(doc, ["a"])] == ["CONDITION"]

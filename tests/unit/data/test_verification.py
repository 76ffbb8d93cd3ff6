import spacy
from spacy.tokens import Span

from amer.data.verification import verify


def _doc(nlp: spacy.language.Language, text: str, label: str | None = None):
    doc = nlp(text)
    if label:
        doc.ents = [Span(doc, 0, 1, label)]
    return doc


def test_verification_passes_and_counts() -> None:
    nlp = spacy.blank("nb")
    report = verify(
        {"train": [_doc(nlp, "feber i dag", "CONDITION")], "test": [_doc(nlp, "hoste")]},
        labels=["CONDITION"],
        dataset_version="v1",
        dropped={"corpus": {"empty": 2}},
    )
    assert report.passed
    assert report.splits["train"].tokens == 3 and report.splits["train"].entities_per_label == {
        "CONDITION": 1
    }
    assert "dropped from corpus: empty 2" in report.summary()


def test_verification_reports_every_problem() -> None:
    nlp = spacy.blank("nb")
    report = verify(
        {"train": [_doc(nlp, "feber", "CONDITION")], "test": [_doc(nlp, "feber")]},
        labels=["CONDITION", "SUBSTANCE"],
        dataset_version="v1",
        dropped={},
    )
    assert report.problems == [
        "no training example for label(s): SUBSTANCE",
        "1 text(s) appear in more than one split",
    ]


def test_verification_empty_corpus_fails() -> None:
    report = verify(
        {"train": [], "test": []}, labels=["CONDITION"], dataset_version="v", dropped={}
    )
    assert report.problems == ["the corpus is empty after cleaning"]

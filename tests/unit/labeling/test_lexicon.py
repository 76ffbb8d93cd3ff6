import spacy

from amer.data.cleaning import LexiconEntry
from amer.labeling.lexicon import LexiconLabeller, build_patterns

ENTRIES = [
    LexiconEntry("mutasjon", "CONDITION"),
    LexiconEntry("infeksjon", "CONDITION"),
    LexiconEntry("akutt hjerteinfarkt", "CONDITION", "I21.9"),
    LexiconEntry("hjerteinfarkt", "CONDITION", "I21.9"),
    LexiconEntry("KOLS", "CONDITION", "J44.9"),
    LexiconEntry("paracetamol", "SUBSTANCE"),
]


def _labeller() -> tuple[spacy.language.Language, LexiconLabeller]:
    nlp = spacy.blank("nb")
    labeller: LexiconLabeller = nlp.add_pipe("amer_lexicon")  # type: ignore[assignment]
    labeller.set_entries(ENTRIES)
    return nlp, labeller


def test_lexicon_writes_one_span_group_per_source() -> None:
    nlp, _ = _labeller()
    doc = nlp("Mutasjonen og infeksjoner ved akutt hjerteinfarkt; paracetamol.")
    assert [(s.text, s.label_) for s in doc.spans["inflection"]] == [
        ("Mutasjonen", "CONDITION"),
        ("infeksjoner", "CONDITION"),
    ]
    listed = {(s.text, s.id_) for s in doc.spans["lexicon"]}
    assert ("akutt hjerteinfarkt", "I21.9") in listed and ("paracetamol", "") in listed


def test_lexicon_acronyms_match_case_sensitively() -> None:
    nlp, _ = _labeller()
    upper, lower = nlp("Han har KOLS."), nlp("kols i lungene")
    assert [s.text for s in upper.spans["lexicon"]] == ["KOLS"]
    assert len(lower.spans["lexicon"]) == 0


def test_lexicon_round_trips_through_bytes() -> None:
    _, labeller = _labeller()
    nlp2 = spacy.blank("nb")
    copy: LexiconLabeller = nlp2.add_pipe("amer_lexicon")  # type: ignore[assignment]
    copy.from_bytes(labeller.to_bytes())
    assert copy.entries == labeller.entries
    assert copy.icd10_for("KOLS") == "J44.9"


def test_lexicon_patterns_skip_inflections_that_are_listed_terms() -> None:
    entries = [LexiconEntry("ødem", "CONDITION"), LexiconEntry("ødemer", "SUBSTANCE")]
    listed, acronyms, inflected = build_patterns(entries, inflect=True)
    assert acronyms == []
    assert "ødemer" not in {p["pattern"] for p in inflected}


def test_lexicon_token_features_mark_matches() -> None:
    nlp, _ = _labeller()
    doc = nlp("akutt hjerteinfarkt og paracetamol")
    tags = ["LEX-B-CONDITION", "LEX-I-CONDITION", "LEX-O", "LEX-B-SUBSTANCE"]
    assert [t.tag_ for t in doc] == tags


def test_lexicon_feature_dropout_applies_only_to_training_batches() -> None:
    nlp = spacy.blank("nb")
    labeller: LexiconLabeller = nlp.add_pipe("amer_lexicon", config={"feature_dropout": 1.0})  # type: ignore[assignment]
    labeller.set_entries(ENTRIES)
    labeller.update([object()])  # spaCy's training loop: one example in this batch
    training_doc = nlp("paracetamol")
    inference_doc = nlp("paracetamol")
    assert training_doc[0].tag_ == "LEX-O"
    assert inference_doc[0].tag_ == "LEX-B-SUBSTANCE"
    assert [s.text for s in training_doc.spans["lexicon"]] == ["paracetamol"]

from amer.data.cleaning import clean_corpus, clean_terminology, normalise_text
from amer.data.corpus import Document
from amer.data.terminology import Term
from amer.settings import AMER_LABELS


def _clean(rows: list[tuple[str, str]], priority: tuple[str, ...] = AMER_LABELS):
    terms = [Term(term=t, category=c) for t, c in rows]
    return clean_terminology(terms, labels=AMER_LABELS, label_priority=priority, min_length=3)


def test_cleaning_drops_each_rule_and_counts_it() -> None:
    entries, report = _clean(
        [
            ("feber", "CONDITION"),
            ("fastlege", "PERSON"),
            ("ab", "CONDITION"),
            ("KOLS", "CONDITION"),
            ("10", "SUBSTANCE"),
            ("Ikke angitt", "SUBSTANCE"),
            ("ikke", "SUBSTANCE"),
            ("en to tre fire fem seks sju åtte ni", "CONDITION"),
        ]
    )
    assert [e.term for e in entries] == ["feber", "KOLS"]
    assert report.dropped == {
        "generic": 2,
        "label_not_kept": 1,
        "numeric": 1,
        "too_long": 1,
        "too_short": 1,
    } | {"duplicate": 0}
    assert report.input_terms == 8 and report.kept_terms == 2


def test_cleaning_resolves_label_conflicts_by_priority() -> None:
    entries, report = _clean(
        [("Spirometri", "CONDITION"), ("spirometri", "PROCEDURE"), ("Insulin", "SUBSTANCE")],
        priority=("PROCEDURE", "CONDITION", "SUBSTANCE"),
    )
    labels = {e.term.lower(): e.label for e in entries}
    assert labels["spirometri"] == "PROCEDURE"
    assert report.changed["conflicts_resolved"] == 1
    assert report.dropped["duplicate"] == 1


def test_cleaning_removes_parenthetical_and_keeps_icd_code() -> None:
    terms = [
        Term(term="Hypertensjon (høyt blodtrykk)", category="CONDITION", source="ICD", icd10="I10")
    ]
    entries, report = clean_terminology(terms, labels=AMER_LABELS, label_priority=AMER_LABELS)
    assert entries[0].term == "Hypertensjon" and entries[0].icd10 == "I10"
    assert report.changed["parenthetical_removed"] == 1


def test_cleaning_relabels_known_miscategorised_terms() -> None:
    entries, report = _clean([("infeksjon", "PROCEDURE")])
    assert entries[0].label == "CONDITION"
    assert report.changed["relabelled"] == 1


def test_normalise_text_nfc_and_whitespace() -> None:
    decomposed = "fe\u0301ber  og\u00a0hoste \r\n\n  neste linje "
    assert normalise_text(decomposed) == "f\u00e9ber og hoste\nneste linje"


def test_clean_corpus_drops_empty_and_duplicates() -> None:
    docs = [
        Document(id="1", text="Feber"),
        Document(id="2", text="  "),
        Document(id="3", text="Feber "),
    ]
    kept, report = clean_corpus(docs)
    assert [d.id for d in kept] == ["1"]
    assert report.dropped == {"duplicate": 1, "empty": 1}

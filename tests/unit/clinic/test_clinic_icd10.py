"""ICD-10 index, code detection and note coding, on a small hand-written terminology."""

from __future__ import annotations

from pathlib import Path

import pytest

from amer.clinic.icd10 import Icd10Index, code_note, find_codes
from amer.data.terminology import Term
from amer.errors import DataError
from amer.model import Entity

ROWS = [
    ("Uspesifisert akutt hjerteinfarkt", "I21.9"),
    ("Akutt subendokardialt infarkt", "I21.4"),
    ("Gammelt hjerteinfarkt", "I25.2"),
    ("Diabetes mellitus type 1", "E10"),
    ("Diabetes mellitus type 2", "E11"),
    ("Diabetes mellitus type 2 med koma", "E11.0"),
    ("Essensiell (primær) hypertensjon", "I10"),
    ("Uspesifisert pneumoni", "J18.9"),
    ("Lobær pneumoni", "J18.1"),
]


@pytest.fixture(scope="module")
def index() -> Icd10Index:
    terms = [Term(term=t, category="CONDITION", source="ICD", icd10=c) for t, c in ROWS]
    terms.append(Term(term="feber", category="CONDITION", source="ICPC"))
    terms.append(Term(term="hoste", category="CONDITION", source="MO", icd10="R05"))
    return Icd10Index.from_terms(terms)


def _condition(text: str, note: str, icd10: str | None = None) -> Entity:
    start = note.index(text)
    return Entity(start, start + len(text), text, "CONDITION", "lexicon", icd10)


def test_icd10_index_keeps_only_icd_rows(index: Icd10Index) -> None:
    assert len(index) == len(ROWS)
    assert not index.exists("R05")
    assert index.describe("I10") == "Essensiell (primær) hypertensjon"


@pytest.mark.parametrize(
    ("code", "exists"),
    [("I21.9", True), ("i21.9", True), ("I21", True), ("I21.99", False), ("X99", False)],
)
def test_icd10_exists_knows_codes_and_categories(
    index: Icd10Index, code: str, exists: bool
) -> None:
    assert index.exists(code) is exists


@pytest.mark.parametrize(
    ("term", "best"),
    [
        ("hjerteinfarkt", "I21.9"),
        ("hjerteinfarktet", "I21.9"),
        ("diabetes type 2", "E11"),
        ("hypertensjon", "I10"),
        ("pneumonien", "J18.9"),
    ],
)
def test_icd10_suggest_ranks_the_plain_code_first(index: Icd10Index, term: str, best: str) -> None:
    assert index.suggest(term)[0].code == best


def test_icd10_suggest_gives_one_code_per_category(index: Icd10Index) -> None:
    codes = [s.code for s in index.suggest("hjerteinfarkt", limit=5)]
    assert codes == ["I21.9", "I25.2"]


def test_icd10_suggest_puts_the_models_code_first(index: Icd10Index) -> None:
    assert index.suggest("infarkt", known="I25.2")[0].code == "I25.2"


def test_icd10_suggest_nothing_for_unknown_words(index: Icd10Index) -> None:
    assert index.suggest("lungebetennelse") == []
    assert index.suggest("og i") == []


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Dx I21.9 og E11.", ["I21.9", "E11"]),
        ("kode (J18.1), se U07.1", ["J18.1"]),
        ("vitamin B12 lav, Hb 11.2, A1C", []),
        ("I21.999 og XI21.9", []),
    ],
)
def test_icd10_find_codes(text: str, codes: list[str]) -> None:
    assert [code for _, _, code in find_codes(text)] == codes


def test_icd10_code_note_accepts_a_code_that_fits(index: Icd10Index) -> None:
    note = "Innlagt med hjerteinfarkt, I21.4."
    report = code_note(note, [_condition("hjerteinfarkt", note)], index)
    assert [(c.code, c.status) for c in report.codes] == [("I21.4", "ok")]
    assert report.codes[0].matches == ["hjerteinfarkt"]
    assert report.flagged == []
    assert report.conditions[0].suggestions[0].code == "I21.9"


def test_icd10_code_note_flags_unknown_code_and_proposes_the_condition_code(
    index: Icd10Index,
) -> None:
    note = "Hjerteinfarkt. Kode I21.99."
    report = code_note(note, [_condition("Hjerteinfarkt", note)], index)
    (written,) = report.codes
    assert written.status == "unknown"
    assert written.proposed is not None and written.proposed.code == "I21.9"
    assert note[written.start : written.end] == "I21.99"


def test_icd10_code_note_flags_mismatch_and_proposes_the_uncovered_condition(
    index: Icd10Index,
) -> None:
    note = "Pasienten har diabetes type 2 og hjerteinfarkt. Diagnoser: E11, J18.9"
    ents = [_condition("diabetes type 2", note), _condition("hjerteinfarkt", note)]
    report = code_note(note, ents, index)
    verdicts = {c.code: c for c in report.codes}
    assert verdicts["E11"].status == "ok"
    assert verdicts["J18.9"].status == "mismatch"
    assert verdicts["J18.9"].description == "Uspesifisert pneumoni"
    proposed = verdicts["J18.9"].proposed
    assert proposed is not None and proposed.code == "I21.9"
    assert "I21.9" in verdicts["J18.9"].message


def test_icd10_code_note_mismatch_without_conditions_proposes_nothing(index: Icd10Index) -> None:
    report = code_note("Kontroll. E10", [], index)
    (written,) = report.codes
    assert (written.status, written.proposed) == ("mismatch", None)


def test_icd10_code_note_unknown_code_falls_back_to_its_category(index: Icd10Index) -> None:
    (written,) = code_note("Kode J18.77", [], index).codes
    assert written.proposed is not None and written.proposed.code == "J18.9"


def test_icd10_from_file_reads_the_fixture_terminology() -> None:
    path = Path(__file__).parents[2] / "fixtures/data/normedterm/NorMedTerm.tsv"
    index = Icd10Index.from_file(path)
    assert index.describe("I21.9") == "hjerteinfarkt"
    assert index.exists("A00.1")


def test_icd10_from_file_without_icd_rows_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "terms.tsv"
    path.write_text("feber\tCONDITION\tICPC\tN/A\tN/A\n", encoding="utf-8")
    with pytest.raises(DataError, match="no rows with source ICD"):
        Icd10Index.from_file(path)

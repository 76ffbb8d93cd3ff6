from pathlib import Path

import pytest

from amer.data.terminology import read_terminology
from amer.errors import DataError


def test_terminology_reads_fields_and_na(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text(
        "Kolera (cholera)\tCONDITION\tICD\tA00\tN/A\nfeber\tCONDITION\tICPC\tN/A\tmanual\n", "utf-8"
    )
    terms = read_terminology(path)
    assert [t.term for t in terms] == ["Kolera (cholera)", "feber"]
    assert terms[0].icd10 == "A00" and terms[0].mapping is None
    assert terms[1].icd10 is None and terms[1].mapping == "manual"


def test_terminology_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("feber\tCONDITION\n\n\nhoste\tCONDITION\n", "utf-8")
    assert len(read_terminology(path)) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("feber\n", ":1: expected at least 2"),
        ("feber\tCONDITION\n \tSUBSTANCE\n", ":2: field 'term'"),
    ],
)
def test_terminology_bad_line_names_file_line_field(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content, "utf-8")
    with pytest.raises(DataError, match=message):
        read_terminology(path)


def test_terminology_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_terminology(tmp_path / "nope.tsv")

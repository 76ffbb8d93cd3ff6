"""Read the NorMedTerm TSV format: term, category, source, ICD-10 code or ``N/A``, mapping."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from amer.errors import DataError

_NA = {"", "N/A", "NA"}


class Term(BaseModel):
    """One row of a terminology: a surface term and the category it belongs to."""

    model_config = ConfigDict(frozen=True)

    term: str
    category: str
    source: str = ""
    icd10: str | None = None
    mapping: str | None = None

    @field_validator("term", "category")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("icd10", "mapping", mode="before")
    @classmethod
    def _na_is_none(cls, value: object) -> object:
        if isinstance(value, str) and value.strip() in _NA:
            return None
        return value


def iter_terminology(path: Path) -> Iterator[Term]:
    """Yield the terms of a NorMedTerm-style TSV file.

    Raises:
        DataError: the file is missing, or a line has too few columns or an empty field;
            the message names the file, line and field.
    """
    if not path.is_file():
        raise DataError(f"terminology file not found: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for lineno, row in enumerate(reader, start=1):
            if not row or not any(cell.strip() for cell in row):
                continue
            yield _parse_row(row, path=path, lineno=lineno)


def read_terminology(path: Path) -> list[Term]:
    """Read a whole NorMedTerm-style TSV file into a list."""
    return list(iter_terminology(path))


def _parse_row(row: list[str], *, path: Path, lineno: int) -> Term:
    if len(row) < 2:
        raise DataError(
            f"{path}:{lineno}: expected at least 2 tab-separated fields "
            f"(term, category), found {len(row)}"
        )
    fields = ("term", "category", "source", "icd10", "mapping")
    values = dict(zip(fields, (cell.strip() for cell in row), strict=False))
    try:
        return Term(**values)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise DataError(f"{path}:{lineno}: field '{field}': {first['msg']}") from e

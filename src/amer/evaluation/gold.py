"""Read a gold annotation file: JSONL with ``text`` and ``spans`` (start, end, label)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ValidationError, model_validator

from amer.errors import DataError


class GoldSpan(BaseModel):
    """One annotated span with character offsets."""

    start: int
    end: int
    label: str


class GoldDocument(BaseModel):
    """One annotated text."""

    id: str | None = None
    text: str
    spans: list[GoldSpan]

    @model_validator(mode="after")
    def _offsets_inside_text(self) -> GoldDocument:
        for span in self.spans:
            if not 0 <= span.start < span.end <= len(self.text):
                raise ValueError(f"span {span.start}-{span.end} is outside the text")
        return self


def read_gold(path: Path, *, labels: Sequence[str] | None = None) -> list[GoldDocument]:
    """Read and validate a gold JSONL file.

    Raises:
        DataError: missing file, bad JSON, a bad field, or an unknown label; the message
            names the file, line and field.
    """
    if not path.is_file():
        raise DataError(f"gold file not found: {path}")
    docs = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = GoldDocument.model_validate(json.loads(line))
        except json.JSONDecodeError as e:
            raise DataError(f"{path}:{lineno}: not valid JSON: {e.msg}") from e
        except ValidationError as e:
            first = e.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "record"
            raise DataError(f"{path}:{lineno}: field '{field}': {first['msg']}") from e
        unknown = {s.label for s in doc.spans} - set(labels or {s.label for s in doc.spans})
        if unknown:
            raise DataError(
                f"{path}:{lineno}: field 'spans.label': unknown label(s) {sorted(unknown)}"
            )
        docs.append(doc)
    return docs

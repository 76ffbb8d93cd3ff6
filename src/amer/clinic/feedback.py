"""Clinician feedback: corrections of recognised entities, stored as JSON lines.

One line per correction, carrying the SHA-256 of the note, the offsets and labels, the
model version and a UTC timestamp. The note text is stored only when the clinician opts
in. The number of lines is the registry's performance-feedback trigger
(``settings.feedback_threshold``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from amer.errors import DataError
from amer.settings import AMER_LABELS, Settings

logger = logging.getLogger(__name__)

Action = Literal["wrong", "missed"]
_LOCK = threading.Lock()


class Correction(BaseModel):
    """One correction: an entity marked wrong (optionally with its right label), or a missed one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Action
    """``wrong``: the entity at these offsets is not right; ``missed``: the model missed it."""
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    label: str
    """The label the model gave (``wrong``) or the label of the missed entity (``missed``)."""
    correct_label: str | None = None
    """For ``wrong``: the right label, or None when the span is no entity at all."""

    @model_validator(mode="after")
    def _check(self) -> Correction:
        if self.end <= self.start:
            raise ValueError("end must be greater than start")
        for label in (self.label, self.correct_label):
            if label is not None and label not in AMER_LABELS:
                raise ValueError(
                    f"unknown label {label!r}; expected one of {', '.join(AMER_LABELS)}"
                )
        if self.action == "missed" and self.correct_label is not None:
            raise ValueError("a missed entity has only 'label'")
        return self


class FeedbackRecord(BaseModel):
    """One stored line of the feedback file."""

    model_config = ConfigDict(extra="forbid")

    timestamp: dt.datetime
    text_sha256: str
    text_length: int
    model_version: str | None = None
    correction: Correction
    text: str | None = None


def text_sha256(text: str) -> str:
    """The hex SHA-256 of a note's UTF-8 text: links corrections of one note without it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FeedbackStore:
    """Append-only JSONL file of clinician corrections."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        """The store at ``settings.feedback_path``."""
        return cls(settings.feedback_path)

    def record(
        self,
        text: str,
        corrections: Sequence[Correction],
        *,
        model_version: str | None,
        include_text: bool = False,
    ) -> int:
        """Append the corrections of one note; return how many corrections are stored now.

        Raises:
            DataError: a correction's offsets lie outside the text.
        """
        for c in corrections:
            if c.end > len(text):
                raise DataError(
                    f"correction {c.start}-{c.end} lies outside the text ({len(text)} chars)"
                )
        now = dt.datetime.now(dt.UTC)
        digest = text_sha256(text)
        lines = [
            FeedbackRecord(
                timestamp=now,
                text_sha256=digest,
                text_length=len(text),
                model_version=model_version,
                correction=c,
                text=text if include_text else None,
            ).model_dump_json(exclude_none=True)
            for c in corrections
        ]
        with _LOCK:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write("".join(line + "\n" for line in lines))
            total = self.count()
        logger.info("recorded %d corrections (%d in total)", len(lines), total)
        return total

    def count(self) -> int:
        """How many corrections are stored (non-empty lines; 0 without a file)."""
        return count_feedback(self.path)

    def read(self) -> list[FeedbackRecord]:
        """Every stored correction.

        Raises:
            DataError: a line is not a valid record (names the file and line).
        """
        if not self.path.is_file():
            return []
        records = []
        with self.path.open(encoding="utf-8") as handle:
            for lineno, line in enumerate(handle, start=1):
                if line.strip():
                    records.append(_parse(line, path=self.path, lineno=lineno))
        return records


def _parse(line: str, *, path: Path, lineno: int) -> FeedbackRecord:
    try:
        return FeedbackRecord.model_validate(json.loads(line))
    except (ValueError, ValidationError) as e:
        raise DataError(f"{path}:{lineno}: not a feedback record: {type(e).__name__}") from e


def count_feedback(path: Path) -> int:
    """Number of corrections in a feedback file: its non-empty lines (0 if it is missing)."""
    if not path.is_file():
        return 0
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())

"""Request and response bodies of the clinic routes (``/v1/icd10``, ``/v1/feedback``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from amer.clinic.feedback import Correction
from amer.serving.schemas import _LABELS_DOC, EntityOut, _known_labels, _utf8


class Icd10Request(BaseModel):
    """A note to code."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="Clinical text (at most ``max_text_chars`` characters).")
    labels: list[str] | None = Field(
        default=None, max_length=12, description=_LABELS_DOC + " Coding always uses CONDITION."
    )
    limit: int = Field(default=3, ge=1, le=10, description="Most suggested codes per condition.")

    _check_labels = field_validator("labels")(_known_labels)
    _check_text = field_validator("text")(_utf8)


class CodeSuggestionOut(BaseModel):
    """An ICD-10 code, its Norwegian description (NorMedTerm) and its fit (0–1)."""

    code: str
    description: str
    score: float


class ConditionOut(BaseModel):
    """A recognised condition and the codes suggested for it."""

    start: int
    end: int
    text: str
    suggestions: list[CodeSuggestionOut]


class WrittenCodeOut(BaseModel):
    """A code written in the note: ``ok``, ``unknown`` (no such code) or ``mismatch``."""

    start: int
    end: int
    code: str
    status: Literal["ok", "unknown", "mismatch"]
    description: str | None
    message: str
    matches: list[str]
    proposed: CodeSuggestionOut | None = None


class Icd10Response(BaseModel):
    """The ICD-10 coding of a note and the model whose entities it used."""

    model: str
    version: str
    entities: list[EntityOut]
    conditions: list[ConditionOut]
    codes: list[WrittenCodeOut]


class FeedbackRequest(BaseModel):
    """Corrections of the entities of one note."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The note; only its SHA-256 is stored unless include_text.")
    corrections: list[Correction] = Field(min_length=1, max_length=200)
    model_version: str | None = Field(
        default=None, max_length=200, description="Version that answered (default: served one)."
    )
    include_text: bool = Field(default=False, description="Store the note text too (opt-in).")

    _check_text = field_validator("text")(_utf8)


class FeedbackResponse(BaseModel):
    """How many corrections were stored now and in total."""

    stored: int
    total: int
    text_sha256: str

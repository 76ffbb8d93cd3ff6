"""Request and response bodies of the inference API (the OpenAPI schema is built from them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from amer.model import Entity
from amer.settings import AMER_LABELS


def _known_labels(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    upper = [label.strip().upper() for label in value]
    if set(upper) - set(AMER_LABELS):
        raise ValueError(f"unknown label; known labels are {', '.join(AMER_LABELS)}")
    return upper


def _utf8(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


_LABELS_DOC = f"Keep only entities with these labels (any of {', '.join(AMER_LABELS)})."


class EntitiesRequest(BaseModel):
    """One text to score."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="Clinical text (at most ``max_text_chars`` characters).")
    labels: list[str] | None = Field(
        default=None, max_length=len(AMER_LABELS) * 2, description=_LABELS_DOC
    )

    _check_labels = field_validator("labels")(_known_labels)
    _check_text = field_validator("text")(_utf8)


class BatchDocument(BaseModel):
    """One document of a batch."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(max_length=256, description="Caller's identifier, echoed back.")
    text: str = Field(description="Clinical text (at most ``max_text_chars`` characters).")

    _check_text = field_validator("id", "text")(_utf8)


class BatchRequest(BaseModel):
    """Several documents scored together (at most ``max_batch_size``)."""

    model_config = ConfigDict(extra="forbid")

    documents: list[BatchDocument] = Field(min_length=1)
    labels: list[str] | None = Field(
        default=None, max_length=len(AMER_LABELS) * 2, description=_LABELS_DOC
    )

    _check_labels = field_validator("labels")(_known_labels)


class EntityOut(BaseModel):
    """One recognised entity; offsets are character offsets into the text."""

    start: int
    end: int
    text: str
    label: str
    source: str
    icd10: str | None = None

    @classmethod
    def of(cls, entity: Entity) -> EntityOut:
        """The response form of a model entity."""
        return cls(**entity.to_dict())


class EntitiesResponse(BaseModel):
    """Entities of one text and the model that found them."""

    model: str
    version: str
    entities: list[EntityOut]


class BatchResult(BaseModel):
    """Entities of one document of a batch."""

    id: str
    entities: list[EntityOut]


class BatchResponse(BaseModel):
    """Entities of every document of a batch, in request order."""

    model: str
    version: str
    results: list[BatchResult]


class ModelResponse(BaseModel):
    """The model answering now."""

    name: str
    version: str
    alias: str | None = None
    dataset_version: str | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)
    source: str
    loaded_at: str
    labels: list[str]


class HealthResponse(BaseModel):
    """Liveness or readiness."""

    status: str
    version: str | None = None


class ErrorResponse(BaseModel):
    """Every error answer: a short, fixed message (never the submitted text)."""

    error: str
    detail: Any = None

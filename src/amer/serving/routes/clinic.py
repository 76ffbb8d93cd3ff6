"""Clinic routes: ``POST /v1/icd10`` (ICD-10 coding) and ``POST /v1/feedback`` (corrections)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request

from amer.clinic.feedback import FeedbackStore, text_sha256
from amer.clinic.icd10 import Icd10Index, code_note, load_index
from amer.errors import DataError
from amer.serving.deps import get_model_holder, get_scorer, get_settings, require_api_key
from amer.serving.holder import ModelHolder
from amer.serving.schemas import EntityOut, ErrorResponse
from amer.serving.schemas_clinic import (
    FeedbackRequest,
    FeedbackResponse,
    Icd10Request,
    Icd10Response,
)
from amer.serving.scoring import Scorer
from amer.settings import Settings

router = APIRouter(prefix="/v1", tags=["clinic"], dependencies=[Depends(require_api_key)])

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (401, "Missing or wrong API key"),
        (413, "Text over the limit"),
        (503, "Overloaded, or the ICD-10 terminology is unavailable"),
    )
}


async def get_icd10_index(settings: Annotated[Settings, Depends(get_settings)]) -> Icd10Index:
    """The ICD-10 index of ``settings.terminology_path`` (built once, off the event loop)."""
    try:
        return await anyio.to_thread.run_sync(load_index, settings.terminology_path)
    except DataError as e:
        raise HTTPException(503, "ICD-10 terminology unavailable") from e


def get_feedback_store(settings: Annotated[Settings, Depends(get_settings)]) -> FeedbackStore:
    """The feedback file of ``settings.feedback_path``."""
    return FeedbackStore.from_settings(settings)


def _check_length(text: str, settings: Settings) -> None:
    if len(text) > settings.max_text_chars:
        raise HTTPException(413, f"text longer than {settings.max_text_chars} characters")


@router.post("/icd10", response_model=Icd10Response, responses=ERRORS)
async def icd10(
    body: Icd10Request,
    request: Request,
    scorer: Annotated[Scorer, Depends(get_scorer)],
    index: Annotated[Icd10Index, Depends(get_icd10_index)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Icd10Response:
    """Suggested codes for the recognised conditions; written codes checked and corrected."""
    _check_length(body.text, settings)
    loaded, found = await scorer.score([body.text])
    report = code_note(body.text, found[0], index, limit=body.limit)
    wanted = set(body.labels) if body.labels else None
    request.state.text_length = len(body.text)
    request.state.model_version = loaded.info.version
    return Icd10Response.model_validate(
        {
            "model": loaded.info.name,
            "version": loaded.info.version,
            "entities": [EntityOut.of(e) for e in found[0] if wanted is None or e.label in wanted],
            "conditions": [asdict(c) for c in report.conditions],
            "codes": [asdict(c) for c in report.codes],
        }
    )


@router.post("/feedback", response_model=FeedbackResponse, responses=ERRORS)
async def feedback(
    body: FeedbackRequest,
    request: Request,
    store: Annotated[FeedbackStore, Depends(get_feedback_store)],
    holder: Annotated[ModelHolder, Depends(get_model_holder)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> FeedbackResponse:
    """Store corrections (text hash, offsets, labels, model version; text only if opted in)."""
    _check_length(body.text, settings)
    version = body.model_version or (holder.info.version if holder.ready else None)
    try:
        total = await anyio.to_thread.run_sync(
            lambda: store.record(
                body.text,
                body.corrections,
                model_version=version,
                include_text=body.include_text,
            )
        )
    except DataError as e:
        raise HTTPException(422, str(e)) from e
    request.state.text_length = len(body.text)
    return FeedbackResponse(
        stored=len(body.corrections), total=total, text_sha256=text_sha256(body.text)
    )

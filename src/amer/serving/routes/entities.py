"""``POST /v1/entities`` and ``POST /v1/entities/batch``: entities of texts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from amer.model import Entity
from amer.serving.deps import get_scorer, get_settings, require_api_key
from amer.serving.schemas import (
    BatchRequest,
    BatchResponse,
    BatchResult,
    EntitiesRequest,
    EntitiesResponse,
    EntityOut,
    ErrorResponse,
)
from amer.serving.scoring import Scorer
from amer.settings import Settings

router = APIRouter(prefix="/v1", tags=["entities"], dependencies=[Depends(require_api_key)])

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (401, "Missing or wrong API key"),
        (413, "Text or batch over the limits"),
        (503, "Overloaded; retry after Retry-After seconds"),
        (504, "Scoring took longer than the timeout"),
    )
}


def _check_lengths(texts: Sequence[str], settings: Settings) -> None:
    if any(len(t) > settings.max_text_chars for t in texts):
        raise HTTPException(413, f"text longer than {settings.max_text_chars} characters")


def _note(request: Request, texts: Sequence[str], found: list[list[Entity]], version: str) -> None:
    counts: dict[str, int] = {}
    for ents in found:
        for e in ents:
            counts[e.label] = counts.get(e.label, 0) + 1
    request.state.text_length = sum(len(t) for t in texts)
    request.state.n_documents = len(texts)
    request.state.entity_counts = counts
    request.state.model_version = version


@router.post("/entities", response_model=EntitiesResponse, responses=ERRORS)
async def entities(
    body: EntitiesRequest,
    request: Request,
    scorer: Annotated[Scorer, Depends(get_scorer)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> EntitiesResponse:
    """Entities of one text, with the model name and version that found them."""
    _check_lengths([body.text], settings)
    loaded, found = await scorer.score([body.text], body.labels)
    _note(request, [body.text], found, loaded.info.version)
    return EntitiesResponse(
        model=loaded.info.name,
        version=loaded.info.version,
        entities=[EntityOut.of(e) for e in found[0]],
    )


@router.post("/entities/batch", response_model=BatchResponse, responses=ERRORS)
async def entities_batch(
    body: BatchRequest,
    request: Request,
    scorer: Annotated[Scorer, Depends(get_scorer)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> BatchResponse:
    """Entities of up to ``max_batch_size`` documents, in request order, with their ids."""
    if len(body.documents) > settings.max_batch_size:
        raise HTTPException(413, f"more than {settings.max_batch_size} documents")
    texts = [doc.text for doc in body.documents]
    _check_lengths(texts, settings)
    loaded, found = await scorer.score(texts, body.labels)
    _note(request, texts, found, loaded.info.version)
    return BatchResponse(
        model=loaded.info.name,
        version=loaded.info.version,
        results=[
            BatchResult(id=doc.id, entities=[EntityOut.of(e) for e in ents])
            for doc, ents in zip(body.documents, found, strict=True)
        ],
    )

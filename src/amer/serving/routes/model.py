"""``GET /v1/model``: the model answering now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from amer.serving.deps import get_model_holder, require_api_key
from amer.serving.holder import ModelHolder
from amer.serving.schemas import ModelResponse

router = APIRouter(prefix="/v1", tags=["model"], dependencies=[Depends(require_api_key)])


@router.get("/model", response_model=ModelResponse)
async def model_info(holder: Annotated[ModelHolder, Depends(get_model_holder)]) -> ModelResponse:
    """Name, version, alias, dataset version and evaluation metrics of the served model."""
    loaded = holder.current
    info = loaded.info
    return ModelResponse(
        name=info.name,
        version=info.version,
        alias=info.alias,
        dataset_version=info.dataset_version,
        metrics=info.metrics,
        source=info.source,
        loaded_at=info.loaded_at,
        labels=list(loaded.model.labels),
    )

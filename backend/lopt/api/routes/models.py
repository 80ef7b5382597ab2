from __future__ import annotations

from fastapi import APIRouter

from lopt.api.deps import DetectorsDep
from lopt.api.schemas import ERROR_RESPONSES, ModelInfo

router = APIRouter(prefix="/api", tags=["models"])


@router.get("/models", responses={503: ERROR_RESPONSES[503]})
async def list_models(detectors: DetectorsDep) -> list[ModelInfo]:
    """The loaded detectors: id, revision, task, labels, device, dtype, precision, parameters."""
    return detectors.models()

from __future__ import annotations

from fastapi import APIRouter

from lopt.api.deps import DetectorsDep
from lopt.api.schemas import ERROR_RESPONSES, Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> Health:
    """Liveness: the process answers."""
    return Health()


@router.get("/ready", responses={503: ERROR_RESPONSES[503]})
async def ready(detectors: DetectorsDep) -> Readiness:
    """Readiness: 503 until every model is loaded and warmed up."""
    return Readiness(models=[model.id for model in detectors.models()])

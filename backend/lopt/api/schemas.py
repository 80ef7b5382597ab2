"""HTTP schemas. Verdict schemas live in ``lopt.inference.results`` and are reused here."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from lopt.inference.results import ClipScore, MediaInfo, ModelInfo, ModelRef, Prediction

__all__ = [
    "ClipScore",
    "ErrorBody",
    "ErrorResponse",
    "Health",
    "MediaInfo",
    "ModelInfo",
    "ModelRef",
    "Prediction",
    "Readiness",
]


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. media_too_large.")
    message: str = Field(description="What went wrong and what to do next.")


class ErrorResponse(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    models: list[str]


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    413: {
        "model": ErrorResponse,
        "description": "The upload passes a size, pixel or duration limit.",
    },
    415: {"model": ErrorResponse, "description": "The bytes are not a supported image or video."},
    422: {
        "model": ErrorResponse,
        "description": "The file is damaged, or the request is malformed.",
    },
    503: {
        "model": ErrorResponse,
        "description": "Busy or still loading; retry after Retry-After seconds.",
    },
}

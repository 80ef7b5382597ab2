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


class Limits(BaseModel):
    """What an upload must be to be accepted: the service's own settings, for clients to
    check a file before sending it."""

    max_upload_bytes: int = Field(description="Largest accepted upload, in bytes.")
    max_image_pixels: int = Field(description="Largest accepted image, in pixels.")
    max_video_seconds: float = Field(description="Longest accepted video, in seconds.")
    max_video_pixels: int = Field(description="Largest accepted video frame, in pixels.")
    image_mime_types: list[str] = Field(description="Accepted image MIME types.")
    video_mime_types: list[str] = Field(description="Accepted video MIME types.")
    extensions: list[str] = Field(
        description="File name extensions of the accepted formats, e.g. '.jpg'. The type is "
        "found from the bytes; these only help a client's file picker."
    )

"""HTTP schemas. Verdict schemas live in ``lopt.inference.results`` and are reused here."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from lopt.inference.model_info import ModelInfo, ModelRef
from lopt.inference.results import ClipScore, MediaInfo, Prediction
from lopt.jobs.records import FileRow, JobState

__all__ = [
    "ClipScore",
    "ErrorBody",
    "ErrorResponse",
    "FileRow",
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


class JobAccepted(BaseModel):
    id: str = Field(description="The job's id.")
    state: JobState = Field(description="queued: waiting for a worker.")
    total: int = Field(description="How many files the job judges (zips counted unpacked).")
    status_url: str = Field(description="Where to poll the job: GET it.")


class JobStatus(BaseModel):
    """Where a job stands, and each file's verdict (in the /playground schema) so far."""

    id: str
    state: JobState = Field(
        description="queued, running, succeeded (every file has a row; a file that could "
        "not be judged has its error), failed (see reason), cancelled or expired (its "
        "results were deleted after the retention period)."
    )
    reason: str | None = Field(None, description="Why the job failed, e.g. worker_lost.")
    done: int = Field(description="Files judged so far.")
    total: int = Field(description="Files in the job.")
    created_at: float = Field(description="Unix time the job was accepted.")
    expires_at: float = Field(description="Unix time its media and results are deleted.")
    started_at: float | None = None
    finished_at: float | None = None
    attempts: int = Field(
        description="How many times a worker started the job: more than 1 when a worker "
        "died and another took it over (files already judged are not judged again)."
    )
    status_url: str
    files: list[FileRow] = Field(
        description="One row per file, in the order sent; empty once cancelled or expired."
    )

"""What a job is, what state it is in, and one row per file: the shapes stored and shown."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from lopt.inference.results import Prediction

JobState = Literal["queued", "running", "succeeded", "failed", "cancelled", "expired"]
FileStatus = Literal["pending", "succeeded", "failed"]
FINISHED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled", "expired"})


class FileError(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. corrupt_media.")
    message: str = Field(description="What went wrong with this file and what to do next.")


class FileRow(BaseModel):
    """One file of a job or a scan: its verdict in the /playground schema, or why none."""

    name: str = Field(description="The file's name as sent (or its path inside the zip).")
    sha256: str | None = Field(None, description="SHA-256 of the file's bytes.")
    status: FileStatus = Field(description="pending: not judged yet; failed: see error.")
    result: Prediction | None = Field(None, description="The verdict, as POST /playground.")
    error: FileError | None = Field(None, description="Why this file could not be judged.")


class JobFile(BaseModel):
    """A file waiting in the job's folder (stored; never shown)."""

    name: str
    stored_as: str
    sha256: str
    size: int


class JobSpec(BaseModel):
    """What was asked: written once by the API when the job is created."""

    id: str
    created_at: float
    expires_at: float
    files: list[JobFile]


class JobProgress(BaseModel):
    """Where the job stands: written by the worker (and by the API when it cancels)."""

    state: JobState = "queued"
    done: int = 0
    reason: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    runs: int = Field(0, description="How many times a worker started it.")

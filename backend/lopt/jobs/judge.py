"""One file, one row: its SHA-256 and verdict, or the error that stopped it.

Shared by the job worker and ``lopt scan``, so both judge a file the same way and a file
that cannot be judged becomes a row with its error, never a crash.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from lopt.config import Settings
from lopt.errors import LoptError, MediaTooLarge
from lopt.inference.service import DetectionService
from lopt.jobs.records import FileError, FileRow

CHUNK = 1 << 20
# Settings that change no verdict: where things live, limits on requests, jobs' plumbing.
NOT_IN_FINGERPRINT = {
    "host",
    "port",
    "upload_dir",
    "jobs_dir",
    "broker_url",
    "job_store_url",
    "jobs_worker",
    "job_max_files",
    "job_max_bytes",
    "job_max_queued",
    "job_retention_s",
    "job_visibility_timeout_s",
    "queue_depth",
    "max_batch_size",
    "max_wait_ms",
    "num_threads",
    "hub_timeout_s",
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(service: DetectionService) -> str:
    """What a verdict depends on besides the bytes: the models and the analysis settings."""
    settings = service.settings.model_dump(mode="json", exclude=NOT_IN_FINGERPRINT)
    # The path a model runs on counts; the live checks' running counts do not.
    models = [
        model.model_dump(mode="json", exclude={"precision_check"}) for model in service.models()
    ]
    text = json.dumps({"settings": settings, "models": models}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


async def judge_file(
    service: DetectionService, path: Path, name: str, sha256: str | None = None
) -> FileRow:
    """Judge ``path``; any domain error (corrupt, unsupported, too large) becomes the row."""
    try:
        if not path.is_file():
            raise FileNotFoundError(path)
        check_size(path, service.settings)
        digest = sha256 or sha256_of(path)
    except OSError as error:
        message = f"{name} cannot be read ({error.strerror or 'not a file'}). Check the path."
        return FileRow(
            name=name, status="failed", error=FileError(code="unreadable", message=message)
        )
    except LoptError as error:
        return FileRow(name=name, status="failed", error=as_file_error(error))
    try:
        prediction = await service.analyse(path, filename=name)
    except LoptError as error:
        return FileRow(name=name, sha256=digest, status="failed", error=as_file_error(error))
    return FileRow(name=name, sha256=digest, status="succeeded", result=prediction)


def check_size(path: Path, settings: Settings) -> None:
    if path.stat().st_size > settings.max_upload_bytes:
        raise MediaTooLarge(
            f"The file is larger than the {settings.max_upload_bytes / 1_048_576:.1f} MiB "
            "limit (LOPT_MAX_UPLOAD_BYTES)."
        )


def as_file_error(error: LoptError) -> FileError:
    return FileError(code=error.code, message=error.message)

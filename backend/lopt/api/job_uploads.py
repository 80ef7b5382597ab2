"""Stream a multipart body with many files (or zips) into a job's intake.

Like ``uploads`` (whose multipart plumbing it shares), nothing is read into memory: each
file part goes straight to disk through the intake, which checks the per-file, per-job
and zip limits as bytes arrive.
"""

from __future__ import annotations

from fastapi import Request

from lopt.api.uploads import (
    ENVELOPE_BYTES,
    MultipartParts,
    feed_multipart,
    multipart_boundary,
)
from lopt.errors import InvalidRequest, MediaTooLarge
from lopt.jobs.intake import Intake

HOW_TO_SEND = (
    "Send the files as multipart/form-data, each in a field named 'files' "
    "(curl -F files=@a.jpg -F files=@b.mp4), or one zip of them."
)


class _FileParts(MultipartParts):
    """Every file part into the intake; text fields carry nothing a job needs."""

    def __init__(self, intake: Intake) -> None:
        super().__init__()
        self.intake = intake
        self.writing = False

    def begin_part(self, name: str, filename: str | None) -> None:
        if filename is not None:
            number = len(self.intake.files) + 1
            self.intake.begin(filename.strip() or f"file-{number}")
            self.writing = True

    def part_data(self, data: bytes) -> None:
        if self.writing:
            self.intake.write(data)

    def end_part(self) -> None:
        if self.writing:
            self.writing = False
            self.intake.end()


async def receive_job_files(request: Request, intake: Intake) -> None:
    """Fill ``intake`` from the request; refuse oversized or malformed requests early."""
    settings = intake.settings
    most = settings.job_max_bytes + ENVELOPE_BYTES * settings.job_max_files

    def too_big() -> MediaTooLarge:
        return _job_too_large(settings.job_max_bytes)

    boundary = multipart_boundary(request, most, too_big, HOW_TO_SEND)
    await feed_multipart(request, boundary, _FileParts(intake), most, too_big, HOW_TO_SEND)
    if not intake.files:
        raise InvalidRequest(f"The request has no file in it. {HOW_TO_SEND}")


def _job_too_large(limit: int) -> MediaTooLarge:
    return MediaTooLarge(
        f"The job is larger than the {limit / 1_048_576:.1f} MiB limit (LOPT_JOB_MAX_BYTES). "
        "Split the files into several jobs."
    )

"""Stream a multipart body with many files (or zips) into a job's intake.

Like ``uploads``, nothing is read into memory: each file part goes straight to disk through
the intake, which checks the per-file, per-job and zip limits as bytes arrive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from lopt.api.uploads import ENVELOPE_BYTES
from lopt.errors import InvalidRequest, MediaTooLarge, UnsupportedMedia
from lopt.jobs.intake import Intake

HOW_TO_SEND = (
    "Send the files as multipart/form-data, each in a field named 'files' "
    "(curl -F files=@a.jpg -F files=@b.mp4), or one zip of them."
)


@dataclass
class _FileParts:
    intake: Intake
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_name: bytes = b""
    header_value: bytes = b""
    writing: bool = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self.headers, self.header_name, self.header_value = {}, b"", b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def _header_end(self) -> None:
        self.headers[self.header_name.strip().lower()] = self.header_value.strip()
        self.header_name, self.header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        filename = options.get(b"filename")
        if filename is not None:  # text fields carry nothing a job needs
            number = len(self.intake.files) + 1
            name = filename.decode("utf-8", "replace").strip() or f"file-{number}"
            self.intake.begin(name)
            self.writing = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.writing:
            self.intake.write(data[start:end])

    def _part_end(self) -> None:
        if self.writing:
            self.writing = False
            self.intake.end()


async def receive_job_files(request: Request, intake: Intake) -> None:
    """Fill ``intake`` from the request; refuse oversized or malformed requests early."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UnsupportedMedia(f"The request is not a multipart upload. {HOW_TO_SEND}")
    settings = intake.settings
    most = settings.job_max_bytes + ENVELOPE_BYTES * settings.job_max_files
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > most:
        raise _job_too_large(settings.job_max_bytes)
    parts = _FileParts(intake)
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > most:
                raise _job_too_large(settings.job_max_bytes)
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        raise InvalidRequest(f"The multipart body is malformed. {HOW_TO_SEND}") from None
    if not intake.files:
        raise InvalidRequest(f"The request has no file in it. {HOW_TO_SEND}")


def _job_too_large(limit: int) -> MediaTooLarge:
    return MediaTooLarge(
        f"The job is larger than the {limit / 1_048_576:.1f} MiB limit (LOPT_JOB_MAX_BYTES). "
        "Split the files into several jobs."
    )

"""Stream a multipart upload straight to a temporary file, enforcing the byte limit.

Starlette's form parser reads the whole body before a route runs; this reads it chunk by
chunk instead, so an oversized upload is refused (413) as soon as it passes the limit —
or before a byte is read, when Content-Length already says so — and nothing but the file
part is ever kept. The temporary file is removed when the ``with`` block ends, however
it ends. ``MultipartParts``, ``multipart_boundary`` and ``feed_multipart`` are shared with
the jobs' many-file intake (``job_uploads``).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from lopt.errors import InvalidRequest, LoptError, MediaTooLarge, UnsupportedMedia

FILE_FIELD = "file"
# Room for multipart boundaries and part headers on top of the file itself.
ENVELOPE_BYTES = 64 * 1024
HOW_TO_SEND = (
    "Send the file as multipart/form-data in a field named 'file' (curl -F file=@photo.jpg)."
)


@dataclass
class Upload:
    path: Path
    filename: str | None
    size: int
    fields: dict[str, str] = field(default_factory=dict)  # the other, text, form fields


def too_large(max_bytes: int) -> MediaTooLarge:
    return MediaTooLarge(
        f"The upload is larger than the {max_bytes / 1_048_576:.1f} MiB limit "
        "(LOPT_MAX_UPLOAD_BYTES). Send a smaller or shorter file."
    )


class MultipartParts:
    """python-multipart's callbacks with each part's headers collected; a subclass says
    what to do with a part (``begin_part``, ``part_data``, ``end_part``)."""

    def __init__(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self.header_name = b""
        self.header_value = b""

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self.end_part,
        }

    def begin_part(self, name: str, filename: str | None) -> None:
        """A part begins: its form field name, and its file name when it is a file."""

    def part_data(self, data: bytes) -> None:
        """The next bytes of the current part."""

    def end_part(self) -> None:
        """The current part ended."""

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
        self.begin_part(
            options.get(b"name", b"").decode("utf-8", "replace"),
            None if filename is None else filename.decode("utf-8", "replace"),
        )

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        self.part_data(data[start:end])


def multipart_boundary(
    request: Request, max_body: int, too_big: Callable[[], LoptError], how_to_send: str
) -> bytes:
    """The body's boundary; refuses a body that is not multipart, or that Content-Length
    already says is larger than ``max_body``."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UnsupportedMedia(f"The request is not a multipart upload. {how_to_send}")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise too_big()
    return bytes(boundary)


async def feed_multipart(
    request: Request,
    boundary: bytes,
    parts: MultipartParts,
    max_body: int,
    too_big: Callable[[], LoptError],
    how_to_send: str,
) -> None:
    """Stream the body into ``parts``, refusing it once it passes ``max_body`` bytes."""
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_body:
                raise too_big()
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        raise InvalidRequest(f"The multipart body is malformed. {how_to_send}") from None


class _FilePart(MultipartParts):
    """Copies the first file part into ``sink``; keeps the small text fields."""

    def __init__(self, sink: BinaryIO, max_bytes: int) -> None:
        super().__init__()
        self.sink, self.max_bytes = sink, max_bytes
        self.writing = self.found = False
        self.filename: str | None = None
        self.size = 0
        self.field_name: str | None = None  # the text field being read, if any
        self.fields: dict[str, bytearray] = {}

    def begin_part(self, name: str, filename: str | None) -> None:
        if not self.found and (name == FILE_FIELD or filename is not None):
            self.writing, self.filename = True, filename
        elif filename is None and name:
            self.field_name = name
            self.fields[name] = bytearray()

    def part_data(self, data: bytes) -> None:
        if self.field_name is not None:  # small: the whole body is capped by the envelope
            self.fields[self.field_name] += data
            return
        if not self.writing:
            return
        self.size += len(data)
        if self.size > self.max_bytes:
            raise too_large(self.max_bytes)
        self.sink.write(data)

    def end_part(self) -> None:
        self.field_name = None
        if self.writing:
            self.writing, self.found = False, True

    def text_fields(self) -> dict[str, str]:
        return {
            name: bytes(value).decode("utf-8", "replace") for name, value in self.fields.items()
        }


@contextlib.asynccontextmanager
async def receive_upload(
    request: Request, *, max_bytes: int, directory: Path | None = None
) -> AsyncIterator[Upload]:
    """Yield the uploaded file on disk; refuse oversized or malformed requests early."""
    max_body = max_bytes + ENVELOPE_BYTES
    boundary = multipart_boundary(request, max_body, lambda: too_large(max_bytes), HOW_TO_SEND)
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="lopt-upload-", dir=directory)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as sink:
            part = _FilePart(sink, max_bytes)
            await feed_multipart(
                request, boundary, part, max_body, lambda: too_large(max_bytes), HOW_TO_SEND
            )
        if not part.found:
            raise InvalidRequest(f"The request has no file in it. {HOW_TO_SEND}")
        yield Upload(path=path, filename=part.filename, size=part.size, fields=part.text_fields())
    finally:
        path.unlink(missing_ok=True)

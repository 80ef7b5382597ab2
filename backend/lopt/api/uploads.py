"""Stream a multipart upload straight to a temporary file, enforcing the byte limit.

Starlette's form parser reads the whole body before a route runs; this reads it chunk by
chunk instead, so an oversized upload is refused (413) as soon as it passes the limit —
or before a byte is read, when Content-Length already says so — and nothing but the file
part is ever kept. The temporary file is removed when the ``with`` block ends, however
it ends.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from lopt.errors import InvalidRequest, MediaTooLarge, UnsupportedMedia

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


@dataclass
class _FilePart:
    """Parser callbacks that copy the first file part into ``sink``."""

    sink: object
    max_bytes: int
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_name: bytes = b""
    header_value: bytes = b""
    writing: bool = False
    found: bool = False
    filename: str | None = None
    size: int = 0
    field_name: str | None = None  # the text field being read, if any
    fields: dict[str, bytearray] = field(default_factory=dict)

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
        disposition = self.headers.get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if not self.found and (name == FILE_FIELD or filename is not None):
            self.writing = True
            self.filename = filename.decode("utf-8", "replace") if filename else None
        elif filename is None and name:
            self.field_name = name
            self.fields[name] = bytearray()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.field_name is not None:  # small: the whole body is capped by the envelope
            self.fields[self.field_name] += data[start:end]
            return
        if not self.writing:
            return
        self.size += end - start
        if self.size > self.max_bytes:
            raise too_large(self.max_bytes)
        self.sink.write(data[start:end])  # type: ignore[attr-defined]

    def _part_end(self) -> None:
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
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UnsupportedMedia(f"The request is not a multipart upload. {HOW_TO_SEND}")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + ENVELOPE_BYTES:
        raise too_large(max_bytes)

    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="lopt-upload-", dir=directory)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as sink:
            part = _FilePart(sink=sink, max_bytes=max_bytes)
            parser = MultipartParser(boundary, part.callbacks())  # type: ignore[arg-type]
            received = 0
            try:
                async for chunk in request.stream():
                    received += len(chunk)
                    if received > max_bytes + ENVELOPE_BYTES:
                        raise too_large(max_bytes)
                    parser.write(chunk)
                parser.finalize()
            except MultipartParseError:
                raise InvalidRequest(f"The multipart body is malformed. {HOW_TO_SEND}") from None
        if not part.found:
            raise InvalidRequest(f"The request has no file in it. {HOW_TO_SEND}")
        yield Upload(path=path, filename=part.filename, size=part.size, fields=part.text_fields())
    finally:
        path.unlink(missing_ok=True)

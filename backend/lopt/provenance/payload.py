"""How many bytes a file devotes to C2PA, from its container's headers alone.

Only segment, chunk and box sizes are read (a few bytes each, seeking past the data), so
an oversized manifest can be refused before the C2PA SDK loads it into memory. The
manifest itself is only ever parsed by the SDK. Formats not measured here return None;
their manifest is bounded by the file's size.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

MAX_STEPS = 200_000  # headers walked per file; a real file needs far fewer
C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")  # ISO BMFF uuid box user type
C2PA_TIFF_TAG = 0xCD41


def _jpeg(f: BinaryIO) -> int:
    """APP11 segments (JUMBF) before the image data."""
    total = 0
    if f.read(2) != b"\xff\xd8":
        return 0
    for _ in range(MAX_STEPS):
        byte = f.read(1)
        if byte != b"\xff":
            return total
        marker = f.read(1)
        while marker == b"\xff":  # fill bytes
            marker = f.read(1)
        if not marker or marker in (b"\xda", b"\xd9"):  # start of scan, end of image
            return total
        if marker == b"\x01" or b"\xd0" <= marker <= b"\xd7":
            continue
        head = f.read(2)
        if len(head) < 2:
            return total
        (length,) = struct.unpack(">H", head)
        if marker == b"\xeb":
            total += length
        f.seek(length - 2, 1)
    return total


def _png(f: BinaryIO) -> int:
    """caBX chunks."""
    total = 0
    if f.read(8) != b"\x89PNG\r\n\x1a\n":
        return 0
    for _ in range(MAX_STEPS):
        head = f.read(8)
        if len(head) < 8:
            return total
        length, kind = struct.unpack(">I4s", head)
        if kind == b"caBX":
            total += length
        if kind == b"IEND":
            return total
        f.seek(length + 4, 1)
    return total


def _riff(f: BinaryIO) -> int:
    """Top-level C2PA chunks of a RIFF file (WebP, AVI)."""
    total = 0
    if f.read(4) != b"RIFF":
        return 0
    f.seek(8)
    for _ in range(MAX_STEPS):
        head = f.read(8)
        if len(head) < 8:
            return total
        kind, length = struct.unpack("<4sI", head)
        if kind == b"C2PA":
            total += length
        f.seek(length + (length & 1), 1)
    return total


def _bmff(f: BinaryIO) -> int:
    """Top-level uuid boxes with C2PA's user type (MP4, MOV, HEIF, AVIF)."""
    total = 0
    for _ in range(MAX_STEPS):
        start = f.tell()
        head = f.read(8)
        if len(head) < 8:
            return total
        size, kind = struct.unpack(">I4s", head)
        if size == 1:
            large = f.read(8)
            if len(large) < 8:
                return total
            (size,) = struct.unpack(">Q", large)
        if kind == b"uuid" and f.read(16) == C2PA_UUID:
            total += size if size else _remaining(f, start)
        if size == 0:  # the box runs to the end of the file
            return total
        if size < 8:
            return total
        f.seek(start + size)
    return total


def _tiff(f: BinaryIO) -> int:
    """The C2PA tag of the first image directory (TIFF, DNG)."""
    order = f.read(2)
    if order not in (b"II", b"MM"):
        return 0
    endian = "<" if order == b"II" else ">"
    head = f.read(6)
    if len(head) < 6:
        return 0
    _, offset = struct.unpack(endian + "HI", head)
    f.seek(offset)
    count_bytes = f.read(2)
    if len(count_bytes) < 2:
        return 0
    (count,) = struct.unpack(endian + "H", count_bytes)
    for _ in range(count):
        entry = f.read(12)
        if len(entry) < 12:
            return 0
        tag, _kind, length, _value = struct.unpack(endian + "HHII", entry)
        if tag == C2PA_TIFF_TAG:
            return int(length)
    return 0


def _remaining(f: BinaryIO, start: int) -> int:
    end = f.seek(0, 2)
    return end - start


WALKERS: dict[str, Callable[[BinaryIO], int]] = {
    "image/jpeg": _jpeg,
    "image/png": _png,
    "image/webp": _riff,
    "video/x-msvideo": _riff,
    "image/tiff": _tiff,
    "video/mp4": _bmff,
    "video/x-m4v": _bmff,
    "video/quicktime": _bmff,
    "image/heic": _bmff,
    "image/heif": _bmff,
    "image/avif": _bmff,
}


def c2pa_payload_bytes(path: Path, mime: str) -> int | None:
    """Bytes of C2PA data in the file's container, or None when the format is not measured."""
    walker = WALKERS.get(mime)
    if walker is None:
        return None
    with path.open("rb") as f:
        return walker(f)

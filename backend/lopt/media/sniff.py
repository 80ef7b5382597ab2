"""Find what an upload really is from its first bytes, never from its name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import filetype

from lopt.errors import UnsupportedMedia

MediaKind = Literal["image", "video"]

IMAGE_FORMATS: dict[str, str] = {
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/bmp": "bmp",
    "image/x-ms-bmp": "bmp",
    "image/tiff": "tiff",
}
VIDEO_FORMATS: dict[str, str] = {
    "video/mp4": "mp4",
    "video/x-m4v": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "video/x-msvideo": "avi",
    "video/mpeg": "mpeg",
    "video/x-flv": "flv",
    "video/x-ms-wmv": "wmv",
}
SUPPORTED_TEXT = "images (JPEG, PNG, WEBP, GIF, BMP, TIFF) and videos (MP4, MOV, WebM, MKV, AVI)"


@dataclass(frozen=True)
class SniffedMedia:
    kind: MediaKind
    format: str
    mime: str


def sniff_media(path: Path) -> SniffedMedia:
    """Classify a file by its magic bytes; raise ``UnsupportedMedia`` for anything else."""
    guess = filetype.guess(str(path))
    if guess is None:
        if path.stat().st_size == 0:
            raise UnsupportedMedia(f"The file is empty. Send one of: {SUPPORTED_TEXT}.")
        raise UnsupportedMedia(
            f"The file is not a recognised image or video (its bytes match no known format). "
            f"Send one of: {SUPPORTED_TEXT}."
        )
    mime = guess.mime
    if mime in IMAGE_FORMATS:
        return SniffedMedia("image", IMAGE_FORMATS[mime], mime)
    if mime in VIDEO_FORMATS:
        return SniffedMedia("video", VIDEO_FORMATS[mime], mime)
    raise UnsupportedMedia(
        f"The file is {mime} ({guess.extension}), which Lopt cannot analyse. "
        f"Convert it to one of: {SUPPORTED_TEXT}."
    )

"""The one table of media formats Lopt reads: MIME types, format name, file extensions, kind.

Sniffing (by bytes), ``/api/limits`` (for clients' file pickers), dataset discovery and
``lopt export`` all read it; the server itself never trusts a file's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MediaKind = Literal["image", "video"]


@dataclass(frozen=True)
class MediaFormat:
    name: str  # as responses name it, e.g. "jpeg", "mp4"
    kind: MediaKind
    mimes: tuple[str, ...]  # what byte sniffing may report for it; the first is canonical
    extensions: tuple[str, ...]


FORMATS: tuple[MediaFormat, ...] = (
    MediaFormat("jpeg", "image", ("image/jpeg",), (".jpg", ".jpeg", ".jfif")),
    MediaFormat("png", "image", ("image/png",), (".png",)),
    MediaFormat("webp", "image", ("image/webp",), (".webp",)),
    MediaFormat("gif", "image", ("image/gif",), (".gif",)),
    MediaFormat("bmp", "image", ("image/bmp", "image/x-ms-bmp"), (".bmp",)),
    MediaFormat("tiff", "image", ("image/tiff",), (".tif", ".tiff")),
    MediaFormat("mp4", "video", ("video/mp4", "video/x-m4v"), (".mp4", ".m4v")),
    MediaFormat("mov", "video", ("video/quicktime",), (".mov",)),
    MediaFormat("webm", "video", ("video/webm",), (".webm",)),
    MediaFormat("mkv", "video", ("video/x-matroska",), (".mkv",)),
    MediaFormat("avi", "video", ("video/x-msvideo",), (".avi",)),
    MediaFormat("mpeg", "video", ("video/mpeg",), (".mpg", ".mpeg")),
    MediaFormat("flv", "video", ("video/x-flv",), (".flv",)),
    MediaFormat("wmv", "video", ("video/x-ms-wmv",), (".wmv",)),
)
BY_MIME: dict[str, MediaFormat] = {mime: f for f in FORMATS for mime in f.mimes}


def mime_types(kind: MediaKind) -> list[str]:
    return sorted(mime for f in FORMATS if f.kind == kind for mime in f.mimes)


def extensions(kind: MediaKind | None = None) -> set[str]:
    """File name extensions (lower case, with the dot) of one kind, or of every format."""
    return {ext for f in FORMATS if kind in (None, f.kind) for ext in f.extensions}


def kind_of_name(name: str) -> MediaKind | None:
    """What a file name's extension suggests (for choosing files in folders, not trust)."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for f in FORMATS:
        if suffix in f.extensions:
            return f.kind
    return None


def supported_text() -> str:
    """The formats, for error messages: 'images (JPEG, PNG, ...) and videos (MP4, ...)'."""
    label = {"webm": "WebM"}

    def names(kind: MediaKind) -> str:
        return ", ".join(label.get(f.name, f.name.upper()) for f in FORMATS if f.kind == kind)

    return f"images ({names('image')}) and videos ({names('video')})"

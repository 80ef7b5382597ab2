"""Find what an upload really is from its first bytes, never from its name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import filetype

from lopt.errors import UnsupportedMedia
from lopt.media.formats import BY_MIME, MediaKind, supported_text

SUPPORTED_TEXT = supported_text()


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
    if mime in BY_MIME:
        known = BY_MIME[mime]
        return SniffedMedia(known.kind, known.name, mime)
    raise UnsupportedMedia(
        f"The file is {mime} ({guess.extension}), which Lopt cannot analyse. "
        f"Convert it to one of: {SUPPORTED_TEXT}."
    )

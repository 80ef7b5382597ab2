from __future__ import annotations

from pathlib import Path

import pytest

from lopt.errors import UnsupportedMedia
from lopt.media.sniff import sniff_media
from tests.helpers import noise_image, write_video


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("JPEG", "jpeg"),
        ("PNG", "png"),
        ("WEBP", "webp"),
        ("GIF", "gif"),
        ("BMP", "bmp"),
        ("TIFF", "tiff"),
    ],
)
def test_images_are_recognised_by_their_bytes(tmp_path: Path, fmt: str, expected: str) -> None:
    path = tmp_path / "misleading.mp4"  # the name must not matter
    noise_image().save(path, format=fmt)
    sniffed = sniff_media(path)
    assert (sniffed.kind, sniffed.format) == ("image", expected)


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [(".mp4", "mp4"), (".mov", "mp4"), (".avi", "avi"), (".webm", "webm"), (".mkv", "mkv")],
)
def test_videos_are_recognised_by_their_bytes(tmp_path: Path, suffix: str, expected: str) -> None:
    path = write_video(tmp_path / f"clip{suffix}", frames=5)
    renamed = path.rename(tmp_path / "photo.jpg")
    sniffed = sniff_media(renamed)
    assert sniffed.kind == "video"
    assert sniffed.format in {expected, "mov", "mkv", "webm"}


def test_text_and_empty_files_are_unsupported(tmp_path: Path) -> None:
    text = tmp_path / "photo.jpg"
    text.write_text("hello, this is not a photo\n" * 10)
    with pytest.raises(UnsupportedMedia, match="no known format"):
        sniff_media(text)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(UnsupportedMedia, match="empty"):
        sniff_media(empty)


def test_known_but_unsupported_types_are_named(tmp_path: Path) -> None:
    zipped = tmp_path / "archive.jpg"
    zipped.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(UnsupportedMedia, match="application/zip"):
        sniff_media(zipped)

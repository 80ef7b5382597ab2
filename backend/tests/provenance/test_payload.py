"""The container walk that measures C2PA data before the SDK sees it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lopt.provenance.payload import c2pa_payload_bytes
from tests.helpers import PROVENANCE, needs_provenance, write_image, write_video
from tests.provenance.signing import sign


@needs_provenance
def test_signed_files_are_measured_in_each_container(tmp_path: Path) -> None:
    for name, mime in [("plain.jpg", "image/jpeg"), ("plain.png", "image/png")]:
        plain = write_image(tmp_path / name)
        assert c2pa_payload_bytes(plain, mime) == 0
        signed = sign(plain, tmp_path / f"signed-{name}")
        assert 1000 < c2pa_payload_bytes(signed, mime) < signed.stat().st_size  # type: ignore[operator]
    video = sign(write_video(tmp_path / "v.mp4", frames=12), tmp_path / "s.mp4")
    assert 1000 < c2pa_payload_bytes(video, "video/mp4") < video.stat().st_size  # type: ignore[operator]
    shared = PROVENANCE / "c2pa"
    assert c2pa_payload_bytes(shared / "C.jpg", "image/jpeg") > 50_000  # type: ignore[operator]
    assert c2pa_payload_bytes(shared / "A.jpg", "image/jpeg") == 0


def test_formats_not_measured_say_so(tmp_path: Path) -> None:
    assert c2pa_payload_bytes(write_image(tmp_path / "a.gif"), "image/gif") is None


@pytest.mark.parametrize(
    ("mime", "content"),
    [
        ("image/jpeg", b"\xff\xd8" + b"\xff\xeb\x00\x02" * 300_000),  # many empty APP11s
        ("image/jpeg", b"\xff\xd8\xff\xeb\xff\xff"),  # a segment longer than the file
        ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x00caBX\x00\x00\x00\x00" * 300_000),
        ("video/mp4", b"\x00\x00\x00\x01uuid" + b"\x00" * 8),  # a zero large size
        ("video/mp4", b"\x00\x00\x00\x04ftyp"),  # a box smaller than its header
        ("image/webp", b"RIFF\xff\xff\xff\xffWEBPC2PA\xff\xff\xff\x7f"),
        ("image/tiff", b"II*\x00\xff\xff\xff\x7f"),
    ],
    ids=["app11-flood", "long-segment", "png-flood", "large-size", "tiny-box", "riff", "tiff"],
)
def test_hostile_headers_end_quickly(tmp_path: Path, mime: str, content: bytes) -> None:
    path = tmp_path / "hostile"
    path.write_bytes(content)
    started = time.perf_counter()
    measured = c2pa_payload_bytes(path, mime)
    assert time.perf_counter() - started < 2.0
    assert measured is not None and measured >= 0

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.requests import Request

from lopt.api.uploads import receive_upload
from lopt.errors import InvalidRequest, MediaTooLarge

BOUNDARY = "lopt-test-boundary"
CHUNK = 64 * 1024


def streaming_request(
    body_chunks: list[bytes], consumed: list[int], length: int | None = None
) -> Request:
    """A request whose body arrives chunk by chunk and records how much was read."""
    headers = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    chunks = iter(body_chunks)

    async def receive() -> dict[str, object]:
        chunk = next(chunks, b"")
        consumed.append(len(chunk))
        return {"type": "http.request", "body": chunk, "more_body": bool(chunk)}

    scope = {"type": "http", "method": "POST", "path": "/playground", "headers": headers}
    return Request(scope, receive)


def multipart_chunks(file_bytes: int, name: str = "file") -> list[bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="v.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    body = [head] + [b"\0" * CHUNK for _ in range(file_bytes // CHUNK)]
    return [*body, f"\r\n--{BOUNDARY}--\r\n".encode()]


async def test_limit_is_enforced_while_streaming_without_reading_the_rest(tmp_path: Path) -> None:
    consumed: list[int] = []
    request = streaming_request(multipart_chunks(100 * CHUNK), consumed)  # no Content-Length
    with pytest.raises(MediaTooLarge):
        async with receive_upload(request, max_bytes=10 * CHUNK, directory=tmp_path):
            raise AssertionError("an oversized upload must not reach the route")
    assert sum(consumed) < 13 * CHUNK  # stopped soon after the limit, 90 chunks never read
    assert list(tmp_path.iterdir()) == []


async def test_declared_length_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    consumed: list[int] = []
    request = streaming_request(multipart_chunks(20 * CHUNK), consumed, length=20 * CHUNK + 300)
    with pytest.raises(MediaTooLarge):
        async with receive_upload(request, max_bytes=10 * CHUNK, directory=tmp_path):
            pass
    assert consumed == []


async def test_file_is_on_disk_inside_and_gone_after(tmp_path: Path) -> None:
    consumed: list[int] = []
    request = streaming_request(multipart_chunks(3 * CHUNK), consumed)
    async with receive_upload(request, max_bytes=10 * CHUNK, directory=tmp_path) as upload:
        assert upload.path.stat().st_size == 3 * CHUNK == upload.size
        assert upload.filename == "v.mp4"
    assert not upload.path.exists()


async def test_temp_file_is_removed_when_analysis_fails(tmp_path: Path) -> None:
    request = streaming_request(multipart_chunks(CHUNK), [])
    with pytest.raises(RuntimeError):
        async with receive_upload(request, max_bytes=10 * CHUNK, directory=tmp_path):
            raise RuntimeError("model crashed")
    assert list(tmp_path.iterdir()) == []


async def test_broken_multipart_is_invalid(tmp_path: Path) -> None:
    request = streaming_request([b"this is not multipart at all"], [])
    with pytest.raises(InvalidRequest):
        async with receive_upload(request, max_bytes=CHUNK, directory=tmp_path):
            pass
    assert list(tmp_path.iterdir()) == []

"""Frame sampling seeks to keyframes instead of decoding every frame, with the same frames."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from lopt.media import video
from lopt.media.video import read_frames, sample_frame_indices
from tests.helpers import level_of


def encode(path: Path, frames: int, gop: int, codec: str = "mpeg4", b_frames: int = 0) -> Path:
    """A video whose frame ``i`` is gray level ``level_of(i)``, a keyframe every ``gop``."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.codec_context.gop_size = gop
        stream.codec_context.max_b_frames = b_frames
        for i in range(frames):
            rgb = np.full((48, 64, 3), level_of(i, frames), dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode())
    return path


def assert_same_as_sequential(path: Path, sampled: list[video.SampledFrame]) -> None:
    """Each sampled frame is pixel for pixel the one a full sequential decode gives."""
    wanted = [f.index for f in sampled]
    expected, _ = video._decode_selected(path, wanted, None)
    by_index = {f.index: f for f in expected}
    for frame in sampled:
        np.testing.assert_array_equal(frame.image, by_index[frame.index].image)
        assert frame.time_s == pytest.approx(by_index[frame.index].time_s, abs=1e-6)


@pytest.fixture
def decoded_count(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many frames the decoder produced, across every pass."""
    count = [0]
    original = video._decode

    def counting(container, stream) -> Iterator[av.VideoFrame]:  # type: ignore[no-untyped-def]
        for frame in original(container, stream):
            count[0] += 1
            yield frame

    monkeypatch.setattr(video, "_decode", counting)
    return count


@pytest.mark.parametrize(("codec", "b_frames"), [("mpeg4", 0), ("mpeg4", 2), ("libx264", 2)])
def test_seeking_returns_the_wanted_frames_and_skips_the_rest(
    tmp_path: Path, decoded_count: list[int], codec: str, b_frames: int
) -> None:
    if codec not in av.codecs_available:
        pytest.skip(f"{codec} encoder not in this PyAV build")
    frames = 300
    path = encode(tmp_path / f"gop10-{codec}.mp4", frames, gop=10, codec=codec, b_frames=b_frames)
    wanted = sample_frame_indices(frames, 8)
    sampled = read_frames(path, wanted)
    assert [f.index for f in sampled] == wanted
    for frame in sampled:
        assert abs(float(frame.image.mean()) - level_of(frame.index, frames)) < 4
        assert frame.time_s == pytest.approx(frame.index / 25, abs=0.021)
    assert decoded_count[0] <= 8 * 12  # at most a GOP (plus reordering) per sample, not 300
    assert_same_as_sequential(path, sampled)


def test_sparse_keyframes_mean_one_sequential_pass(
    tmp_path: Path, decoded_count: list[int]
) -> None:
    frames = 120
    path = encode(tmp_path / "one-keyframe.mp4", frames, gop=1000)
    wanted = sample_frame_indices(frames, 6)
    sampled = read_frames(path, wanted)
    assert [f.index for f in sampled] == wanted
    assert decoded_count[0] <= wanted[-1] + 3  # never went back to the start
    assert_same_as_sequential(path, sampled)


def test_repeated_indices_of_a_short_video(tmp_path: Path) -> None:
    path = encode(tmp_path / "short.mp4", 3, gop=1)
    wanted = sample_frame_indices(3, 8)
    assert [f.index for f in read_frames(path, wanted)] == wanted

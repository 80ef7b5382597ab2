from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lopt.errors import CorruptMedia, MediaTooLarge
from lopt.media.video import probe_video, read_frames, sample_frame_indices
from tests.helpers import level_of, shared_data, write_video

LIMITS = {"max_seconds": 600.0, "max_pixels": 3840 * 2160}


def test_indices_cover_the_whole_video_evenly() -> None:
    indices = sample_frame_indices(1000, 8)
    assert indices == sorted(indices) and len(set(indices)) == 8
    assert indices[0] < 125 and indices[-1] >= 875  # first and last eighths are both sampled
    gaps = np.diff(indices)
    assert gaps.max() - gaps.min() <= 1


def test_short_videos_repeat_frames_instead_of_failing() -> None:
    assert sample_frame_indices(3, 8) == [0, 0, 0, 1, 1, 2, 2, 2]


@pytest.mark.parametrize("suffix", [".mp4", ".avi", ".webm", ".mkv", ".mov"])
def test_the_requested_frames_are_the_ones_decoded(tmp_path: Path, suffix: str) -> None:
    frames = 50
    path = write_video(tmp_path / f"levels{suffix}", frames=frames, fps=10)
    info = probe_video(path, **LIMITS)
    assert info.frame_count == frames and info.duration_s == pytest.approx(5.0, abs=0.15)
    wanted = sample_frame_indices(info.frame_count, 6)
    decoded = read_frames(path, wanted)
    assert [f.index for f in decoded] == wanted
    for frame in decoded:
        assert abs(float(frame.image.mean()) - level_of(frame.index, frames)) < 6
        assert frame.time_s == pytest.approx(frame.index / 10, abs=0.051)


def test_frames_are_downscaled_while_decoding(tmp_path: Path) -> None:
    path = write_video(tmp_path / "wide.mp4", frames=5, size=(320, 160))
    [frame] = read_frames(path, [2], max_side=100)
    assert frame.image.shape == (50, 100, 3)


def test_duration_limit(tmp_path: Path) -> None:
    path = write_video(tmp_path / "long.avi", frames=40, fps=10)
    assert probe_video(path, max_seconds=4.5, max_pixels=10**7).duration_s == pytest.approx(4.0)
    with pytest.raises(MediaTooLarge, match="LOPT_MAX_VIDEO_SECONDS"):
        probe_video(path, max_seconds=3.5, max_pixels=10**7)


def test_frame_size_limit(tmp_path: Path) -> None:
    path = write_video(tmp_path / "big.mp4", frames=3, size=(200, 100))
    with pytest.raises(MediaTooLarge, match="LOPT_MAX_VIDEO_PIXELS"):
        probe_video(path, max_seconds=60, max_pixels=19_999)


def test_overstated_frame_count_still_samples_real_frames(tmp_path: Path) -> None:
    path = write_video(tmp_path / "short.avi", frames=10)
    decoded = read_frames(path, sample_frame_indices(40, 4))  # header claimed 40 frames
    assert len(decoded) == 4 and max(f.index for f in decoded) < 10
    assert decoded[-1].index >= 7  # re-spread over the frames that exist


def test_garbage_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "x.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(500))
    with pytest.raises(CorruptMedia):
        probe_video(path, **LIMITS)


def test_real_1080p_video_probe() -> None:
    video = shared_data() / "media" / "multiperson_real_1080p.mp4"
    if not video.exists():
        pytest.skip(f"shared media not found at {video}")
    info = probe_video(video, **LIMITS)
    assert (info.width, info.height, info.frame_count) == (1920, 1080, 105)
    [first, last] = read_frames(video, [0, 104], max_side=640)
    assert first.image.shape == (360, 640, 3) and last.time_s == pytest.approx(104 / 25, abs=0.05)

"""Video probing and frame sampling across the whole duration, with PyAV (FFmpeg)."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from lopt.errors import CorruptMedia, MediaTooLarge

DEFAULT_FPS = 25.0


@dataclass(frozen=True)
class VideoInfo:
    format: str
    codec: str
    width: int
    height: int
    fps: float
    duration_s: float
    frame_count: int


@dataclass(frozen=True)
class SampledFrame:
    """One decoded frame: its position in the video and upright RGB pixels."""

    index: int
    time_s: float
    image: np.ndarray


def probe_video(path: Path, *, max_seconds: float, max_pixels: int) -> VideoInfo:
    """Read a video's header (and, if it lacks a duration, its packet index) without decoding."""
    with _open(path) as container:
        stream = _video_stream(container)
        width, height = stream.codec_context.width, stream.codec_context.height
        if width <= 0 or height <= 0:
            raise CorruptMedia("The video's frame size is missing. Re-encode it and send it again.")
        if width * height > max_pixels:
            raise MediaTooLarge(
                f"The video is {width}x{height}; the limit is {max_pixels:,} pixels per frame "
                "(LOPT_MAX_VIDEO_PIXELS). Downscale it and send it again."
            )
        fps = _frame_rate(stream)
        duration = _declared_duration(container, stream)
        frame_count = int(stream.frames or 0)
        if duration is None or duration <= 0:
            duration, counted = _scan_packets(container, stream, max_seconds)
            frame_count = frame_count or counted
        _check_duration(duration, max_seconds)
        if frame_count <= 0:
            frame_count = max(1, round(duration * fps))
        return VideoInfo(
            format=container.format.name.split(",")[0],
            codec=stream.codec_context.name,
            width=width,
            height=height,
            fps=fps,
            duration_s=duration,
            frame_count=frame_count,
        )


def sample_frame_indices(frame_count: int, count: int) -> list[int]:
    """Indices of ``count`` frames spread evenly over the whole video, one per equal segment.

    Each index is the middle of its segment, so the first and last parts of the video are
    represented as much as the rest. Short videos repeat frames rather than fail.
    """
    if frame_count <= 0 or count <= 0:
        raise ValueError("frame_count and count must be positive")
    positions = (np.arange(count) + 0.5) * frame_count / count
    return [min(frame_count - 1, int(p)) for p in positions]


def read_frames(
    path: Path, indices: Sequence[int], *, max_side: int | None = None
) -> list[SampledFrame]:
    """Decode just the frames at ``indices`` (sorted, repeats allowed), dropping all others.

    Frames are downscaled while decoding so that their longer side is at most ``max_side``;
    only the selected frames are ever held. If the header over-stated the frame count, the
    sample is re-spread over the frames that really exist.

    The packet index (read without decoding) tells where every frame and keyframe is, so
    the decoder seeks to the keyframe before a wanted frame whenever that skips frames,
    and otherwise decodes on: with frequent keyframes only a few frames per sample are
    decoded; with sparse ones this is one sequential pass. Files whose packets lack
    timestamps are decoded sequentially.
    """
    wanted = sorted(indices)
    index = _packet_index(path)
    if index is not None:
        if wanted[-1] >= len(index.pts):
            wanted = sample_frame_indices(len(index.pts), len(wanted))
        seeked = _decode_by_seeking(path, wanted, index, max_side)
        if seeked is not None:
            by_index = {frame.index: frame for frame in seeked}
            return [by_index[i] for i in wanted]
    frames, decoded = _decode_selected(path, wanted, max_side)
    if decoded == 0:
        raise CorruptMedia(
            "No frame of the video could be decoded. Re-encode it and send it again."
        )
    if len({f.index for f in frames}) < len(set(wanted)):
        wanted = sample_frame_indices(decoded, len(wanted))
        frames, _ = _decode_selected(path, wanted, max_side)
    by_index = {frame.index: frame for frame in frames}
    return [by_index[i] for i in wanted if i in by_index]


@dataclass(frozen=True)
class PacketIndex:
    """Presentation timestamps of every frame, in display order, and which are keyframes."""

    pts: list[int]
    keyframes: list[int]  # sorted pts of keyframes


def _packet_index(path: Path) -> PacketIndex | None:
    """Read every packet's timestamp without decoding; None when they cannot be trusted."""
    pts: list[int] = []
    keyframes: list[int] = []
    try:
        with _open(path) as container:
            stream = _video_stream(container)
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                if packet.pts is None:
                    return None
                pts.append(int(packet.pts))
                if packet.is_keyframe:
                    keyframes.append(int(packet.pts))
    except (av.FFmpegError, CorruptMedia):
        return None
    if not pts or not keyframes or len(set(pts)) != len(pts):
        return None
    return PacketIndex(sorted(pts), sorted(keyframes))


def _decode_by_seeking(
    path: Path, wanted: Sequence[int], index: PacketIndex, max_side: int | None
) -> list[SampledFrame] | None:
    """The wanted frames (by display position), seeking past stretches with a keyframe.

    None if the decoder does not deliver a wanted frame where the index said it would be;
    the caller then decodes sequentially.
    """
    selected: list[SampledFrame] = []
    try:
        with _open(path) as container:
            stream = _video_stream(container)
            stream.thread_type = "AUTO"
            frames: Iterator[av.VideoFrame] | None = None
            position = -1  # pts of the last frame decoded
            for target in sorted(set(wanted)):
                target_pts = index.pts[target]
                keyframe = index.keyframes[bisect.bisect_right(index.keyframes, target_pts) - 1]
                if frames is None or keyframe > position or target_pts <= position:
                    container.seek(keyframe, backward=True, any_frame=False, stream=stream)
                    frames = _decode(container, stream)
                frame = _advance(frames, target_pts)
                if frame is None or frame.pts != target_pts:
                    return None
                position = target_pts
                time_s = float(frame.time) if frame.time is not None else 0.0
                selected.append(SampledFrame(target, time_s, _to_rgb(frame, max_side)))
    except (av.FFmpegError, CorruptMedia):
        return None
    return selected


def _advance(frames: Iterator[av.VideoFrame], target_pts: int) -> av.VideoFrame | None:
    """The first frame at or after ``target_pts``; earlier ones are dropped undecoded to RGB."""
    for frame in frames:
        if frame.pts is None:
            return None
        if frame.pts >= target_pts:
            return frame
    return None


def _decode_selected(
    path: Path, wanted: Sequence[int], max_side: int | None
) -> tuple[list[SampledFrame], int]:
    targets = set(wanted)
    last_target = max(targets)
    selected: list[SampledFrame] = []
    decoded = 0
    with _open(path) as container:
        stream = _video_stream(container)
        stream.thread_type = "AUTO"
        fps = _frame_rate(stream)
        try:
            for index, frame in enumerate(_decode(container, stream)):
                decoded = index + 1
                if index in targets:
                    time_s = float(frame.time) if frame.time is not None else index / fps
                    selected.append(SampledFrame(index, time_s, _to_rgb(frame, max_side)))
                if index >= last_target:
                    break
        except av.FFmpegError:
            # A damaged tail still leaves the frames decoded before it usable.
            if decoded == 0:
                raise CorruptMedia(
                    "The video's frames cannot be decoded. Re-encode it and send it again."
                ) from None
    return selected, decoded


def _decode(
    container: av.container.InputContainer, stream: av.VideoStream
) -> Iterator[av.VideoFrame]:
    for packet in container.demux(stream):
        try:
            yield from packet.decode()
        except av.InvalidDataError:
            continue


def _to_rgb(frame: av.VideoFrame, max_side: int | None) -> np.ndarray:
    width, height = frame.width, frame.height
    if max_side and max(width, height) > max_side:
        scale = max_side / max(width, height)
        width, height = max(2, round(width * scale)), max(2, round(height * scale))
    image: np.ndarray = frame.to_ndarray(format="rgb24", width=width, height=height)
    rotation = int(getattr(frame, "rotation", 0) or 0) % 360
    if rotation:
        # The display matrix rotates counter-clockwise; np.rot90 does too.
        image = np.ascontiguousarray(np.rot90(image, k=rotation // 90))
    return image


def _open(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError):
        raise CorruptMedia(
            "The video container cannot be read. It may be truncated or damaged; "
            "re-encode it and send it again."
        ) from None


def _video_stream(container: av.container.InputContainer) -> av.VideoStream:
    if not container.streams.video:
        raise CorruptMedia(
            "The file has no video track. Send a video with picture, not only sound."
        )
    return container.streams.video[0]


def _frame_rate(stream: av.VideoStream) -> float:
    rate: Fraction | None = stream.average_rate or stream.guessed_rate or stream.base_rate
    value = float(rate) if rate else 0.0
    return value if 0 < value <= 1000 else DEFAULT_FPS


def _declared_duration(
    container: av.container.InputContainer, stream: av.VideoStream
) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def _scan_packets(
    container: av.container.InputContainer, stream: av.VideoStream, max_seconds: float
) -> tuple[float, int]:
    """Measure duration from packet timestamps, stopping as soon as it passes the limit."""
    count, last_time = 0, 0.0
    for packet in container.demux(stream):
        if packet.size == 0:
            continue
        count += 1
        if packet.pts is not None and packet.time_base:
            last_time = max(last_time, float(packet.pts * packet.time_base))
        _check_duration(last_time, max_seconds)
    fps = _frame_rate(stream)
    return max(last_time + 1.0 / fps, count / fps), count


def _check_duration(duration: float, max_seconds: float) -> None:
    if duration > max_seconds:
        raise MediaTooLarge(
            f"The video lasts {duration:.1f} s; the limit is {max_seconds:g} s "
            "(LOPT_MAX_VIDEO_SECONDS). Trim it and send it again."
        )

"""A video's verdict: frames sampled over the whole length, every person judged.

Faces are found on every sampled frame and linked into tracks, one per person; each
face crop is judged by the image detector, and a person's score combines their frames
by ``LOPT_VIDEO_AGGREGATION``. A video checkpoint, when configured, judges clips of
whole frames. The video's fake probability is the highest of the available evidence —
the most suspicious person and the clips — so it is Fake when any person is. With no
judgeable face and no video model, whole frames are judged by the image detector.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING

import torch
from PIL import Image

from lopt.inference.aggregation import aggregate
from lopt.inference.batcher import MicroBatcher
from lopt.inference.image_analysis import NO_FACE_NOTE, to_box
from lopt.inference.results import (
    ClipScore,
    FrameFace,
    FrameScore,
    MediaInfo,
    Prediction,
    Status,
    TrackScore,
)
from lopt.media.faces import FaceBox, crop_faces
from lopt.media.sniff import SniffedMedia
from lopt.media.tracking import Track, link_tracks
from lopt.media.video import SampledFrame, probe_video, read_frames, sample_frame_indices

if TYPE_CHECKING:
    from lopt.inference.service import DetectionService


@dataclass
class PreparedVideo:
    media: MediaInfo
    frames: list[tuple[int, float]]  # (frame index, time) of each sampled frame
    scale: float  # original pixels per decoded pixel
    tracks: list[Track] = field(default_factory=list)
    judged: set[int] = field(default_factory=set)
    face_refs: list[tuple[int, int]] = field(default_factory=list)  # (track id, position)
    face_tensors: list[torch.Tensor] = field(default_factory=list)
    clip_tensors: list[torch.Tensor] = field(default_factory=list)
    clip_frames: list[list[int]] = field(default_factory=list)  # positions per clip
    frame_tensors: list[torch.Tensor] = field(default_factory=list)


def group_positions(count: int, size: int) -> list[list[int]]:
    """Consecutive runs of ``size`` positions; a short tail repeats its last position."""
    groups = [list(range(start, min(start + size, count))) for start in range(0, count, size)]
    groups[-1] += [groups[-1][-1]] * (size - len(groups[-1]))
    return groups


async def submit_in_chunks(batcher: MicroBatcher, tensors: Sequence[torch.Tensor]) -> list[float]:
    """Queue a long request a batch at a time, so one video cannot fill the queue alone."""
    chunk = max(1, min(batcher.max_batch_size, batcher.queue_depth))
    results: list[float] = []
    for start in range(0, len(tensors), chunk):
        results += await batcher.submit(tensors[start : start + chunk])
    return results


async def analyse_video(service: DetectionService, path: Path, sniffed: SniffedMedia) -> Prediction:
    prepared = await asyncio.to_thread(_prepare, service, path, sniffed)
    empty: list[float] = []
    face_fakes, clip_fakes, frame_fakes = await asyncio.gather(
        submit_in_chunks(service.image_batcher, prepared.face_tensors),
        submit_in_chunks(service.video_batcher, prepared.clip_tensors)
        if service.video_batcher
        else asyncio.sleep(0, empty),
        submit_in_chunks(service.image_batcher, prepared.frame_tensors),
    )
    return _verdict(service, prepared, face_fakes, clip_fakes, frame_fakes)


def _prepare(service: DetectionService, path: Path, sniffed: SniffedMedia) -> PreparedVideo:
    settings, video = service.settings, service.video
    info = probe_video(
        path, max_seconds=settings.max_video_seconds, max_pixels=settings.max_video_pixels
    )
    wanted = settings.video_clips * video.num_frames if video else settings.video_frames
    frames = read_frames(
        path, sample_frame_indices(info.frame_count, wanted), max_side=settings.video_frame_side
    )
    media = MediaInfo(
        format=sniffed.format,
        mime=sniffed.mime,
        width=info.width,
        height=info.height,
        duration_s=round(info.duration_s, 3),
        fps=round(info.fps, 3),
        frame_count=info.frame_count,
        sampled_frames=len(frames),
    )
    decoded_side = max(frames[0].image.shape[:2])
    prepared = PreparedVideo(
        media=media,
        frames=[(f.index, round(f.time_s, 3)) for f in frames],
        scale=max(info.width, info.height) / decoded_side,
    )
    if service.faces is not None:
        _prepare_faces(service, frames, prepared)
    if video is not None:
        prepared.clip_frames = group_positions(len(frames), video.num_frames)
        prepared.clip_tensors = [
            video.preprocess([frames[p].image for p in group]) for group in prepared.clip_frames
        ]
    elif not prepared.judged:
        prepared.frame_tensors = [
            service.image.preprocess(Image.fromarray(f.image)) for f in frames
        ]
    return prepared


def _prepare_faces(
    service: DetectionService, frames: list[SampledFrame], prepared: PreparedVideo
) -> None:
    assert service.faces is not None
    settings = service.settings
    boxes: list[list[FaceBox]] = [service.faces.detect(frame.image) for frame in frames]
    prepared.tracks = link_tracks(boxes)
    min_size = settings.min_face_size / prepared.scale  # the limit is in original pixels
    # A face glimpsed in one or two frames is usually a tracking break or a passer-by seen
    # badly; alone it must not decide a video, so it is listed but not judged.
    min_frames = min(settings.min_track_frames, len(frames))
    for track in prepared.tracks:
        if median(box.size for box in track.boxes) < min_size or len(track.detections) < min_frames:
            continue
        prepared.judged.add(track.track_id)
        for position, box in track.detections:
            [crop] = crop_faces(frames[position].image, [box], settings.face_margin)
            prepared.face_refs.append((track.track_id, position))
            prepared.face_tensors.append(service.image.preprocess(Image.fromarray(crop)))


def _verdict(
    service: DetectionService,
    prepared: PreparedVideo,
    face_fakes: list[float],
    clip_fakes: list[float],
    frame_fakes: list[float],
) -> Prediction:
    settings, image = service.settings, service.image
    rule_name = settings.video_aggregation
    by_face = dict(zip(prepared.face_refs, face_fakes, strict=True))
    tracks = [_track_score(service, prepared, track, by_face) for track in prepared.tracks]
    evidence: dict[str, float] = {}
    persons = [t.fake_probability for t in tracks if t.fake_probability is not None]
    if persons and settings.video_face_rule == "per_frame":
        evidence["most_suspicious_face_per_frame"] = aggregate(
            most_suspicious_face_per_frame(by_face), rule_name
        )
    elif persons:
        evidence["most_suspicious_person"] = max(persons)
    if clip_fakes:
        evidence["clips"] = aggregate(clip_fakes, rule_name)
    if frame_fakes:
        evidence["whole_frames"] = aggregate(frame_fakes, rule_name)
    decider = service.video if "clips" in evidence and service.video else image
    overall = decider.decide(max(evidence.values()))
    status: Status = "ok"
    note = None
    if service.faces is not None and not persons:
        status = "faces_too_small" if tracks else "no_face"
        note = (
            NO_FACE_NOTE.replace("image was", "frames were")
            if not tracks
            else (
                "Faces were found but all are too small to judge (LOPT_MIN_FACE_SIZE); "
                "whole frames were judged instead. Treat this verdict with caution."
            )
        )
    seen = {position for track in prepared.tracks for position, _ in track.detections}
    clips = [
        _clip_score(service, prepared, index, group, fake)
        for index, (group, fake) in enumerate(zip(prepared.clip_frames, clip_fakes, strict=True))
    ]
    return Prediction(
        type="video",
        label=overall.label,
        confidence=overall.confidence,
        fake_probability=overall.fake_probability,
        probabilities=overall.probabilities,
        threshold=decider.threshold,
        model=service.model_ref(decider),
        media=prepared.media,
        status=status,
        rule=f"max({', '.join(evidence)})" if len(evidence) > 1 else next(iter(evidence)),
        note=note,
        tracks=tracks if service.faces is not None else None,
        frames_without_face=sorted(
            {prepared.frames[p][0] for p in range(len(prepared.frames)) if p not in seen}
        )
        if service.faces is not None
        else None,
        frame_scores=[
            FrameScore(frame_index=i, time_s=t, fake_probability=round(f, 4))
            for (i, t), f in zip(prepared.frames, frame_fakes, strict=True)
        ]
        if frame_fakes
        else None,
        aggregation=rule_name,
        clips=clips or None,
        elapsed_ms=0.0,
    )


def most_suspicious_face_per_frame(by_face: dict[tuple[int, int], float]) -> list[float]:
    """Each sampled frame's highest judged-face fake probability, in frame order."""
    per_frame: dict[int, float] = {}
    for (_, position), fake in by_face.items():
        per_frame[position] = max(per_frame.get(position, 0.0), fake)
    return [per_frame[position] for position in sorted(per_frame)]


def _track_score(
    service: DetectionService,
    prepared: PreparedVideo,
    track: Track,
    by_face: dict[tuple[int, int], float],
) -> TrackScore:
    judged = track.track_id in prepared.judged
    frames = []
    for position, box in track.detections:
        index, time_s = prepared.frames[position]
        fake = by_face.get((track.track_id, position))
        k = prepared.scale
        scaled = FaceBox(box.x1 * k, box.y1 * k, box.x2 * k, box.y2 * k, box.score)
        frames.append(
            FrameFace(
                frame_index=index,
                time_s=time_s,
                box=to_box(scaled),
                fake_probability=None if fake is None else round(fake, 4),
            )
        )
    score = TrackScore(track_id=track.track_id, judged=judged, frames=frames)
    if judged:
        # Unrounded scores: the verdict must not flip on display rounding.
        fakes = [by_face[(track.track_id, position)] for position, _ in track.detections]
        verdict = service.image.decide(aggregate(fakes, service.settings.video_aggregation))
        score.label, score.confidence = verdict.label, verdict.confidence
        score.fake_probability = verdict.fake_probability
    return score


def _clip_score(
    service: DetectionService, prepared: PreparedVideo, index: int, group: list[int], fake: float
) -> ClipScore:
    assert service.video is not None
    verdict = service.video.decide(fake)
    fps = prepared.media.fps or 25.0
    return ClipScore(
        index=index,
        start_s=prepared.frames[group[0]][1],
        end_s=round(prepared.frames[group[-1]][1] + 1.0 / fps, 3),
        frame_indices=[prepared.frames[p][0] for p in group],
        label=verdict.label,
        fake_probability=verdict.fake_probability,
    )

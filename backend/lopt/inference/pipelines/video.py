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
from dataclasses import dataclass, field
from statistics import median

import torch
from PIL import Image

from lopt.config import Settings
from lopt.config_media import Aggregation
from lopt.inference.aggregation import aggregate
from lopt.inference.batcher import MicroBatcher
from lopt.inference.detectors import ImageDetector, VideoDetector
from lopt.inference.heatmaps import HeatmapMaker
from lopt.inference.pipelines.evidence import (
    NOTHING_TO_EXPLAIN,
    FaceRef,
    SampledAt,
    clip_scores,
    combine,
    crop_box,
    explain_verdict,
    face_status,
    frame_scores,
    frames_without_face,
    most_suspicious_frames,
    person_evidence,
    track_heatmaps,
    track_scores,
)
from lopt.inference.pipelines.media_input import MediaInput
from lopt.inference.pipelines.provenance_evidence import provenance_evidence, with_provenance
from lopt.inference.results import Box, Explanation, MediaInfo, Prediction, Status
from lopt.media.faces import FaceBox, FaceDetector, crop_faces
from lopt.media.tracking import Track, link_tracks
from lopt.media.video import SampledFrame, probe_video, read_frames, sample_frame_indices
from lopt.provenance import ProvenanceOptions


@dataclass(frozen=True)
class VideoOptions:
    max_seconds: float  # LOPT_MAX_VIDEO_SECONDS
    max_pixels: int  # LOPT_MAX_VIDEO_PIXELS
    frames: int  # LOPT_VIDEO_FRAMES: sampled frames without a video model
    clips: int  # LOPT_VIDEO_CLIPS: clips for a video model
    frame_side: int  # LOPT_VIDEO_FRAME_SIDE
    min_face_size: int  # LOPT_MIN_FACE_SIZE, in the video's pixels
    face_margin: float  # LOPT_FACE_MARGIN
    min_track_frames: int  # LOPT_MIN_TRACK_FRAMES
    aggregation: Aggregation  # LOPT_VIDEO_AGGREGATION
    face_rule: str  # LOPT_VIDEO_FACE_RULE
    heatmap_frames: int  # LOPT_HEATMAP_FRAMES

    @classmethod
    def from_settings(cls, settings: Settings) -> VideoOptions:
        return cls(
            max_seconds=settings.max_video_seconds,
            max_pixels=settings.max_video_pixels,
            frames=settings.video_frames,
            clips=settings.video_clips,
            frame_side=settings.video_frame_side,
            min_face_size=settings.min_face_size,
            face_margin=settings.face_margin,
            min_track_frames=settings.min_track_frames,
            aggregation=settings.video_aggregation,
            face_rule=settings.video_face_rule,
            heatmap_frames=settings.heatmap_frames,
        )


def group_positions(count: int, size: int) -> list[list[int]]:
    """Consecutive runs of ``size`` positions; a short tail repeats its last position."""
    groups = [list(range(start, min(start + size, count))) for start in range(0, count, size)]
    groups[-1] += [groups[-1][-1]] * (size - len(groups[-1]))
    return groups


@dataclass
class PreparedVideo:
    media: MediaInfo
    sampled: list[SampledAt]
    scale: float  # original pixels per decoded pixel
    tracks: list[Track] = field(default_factory=list)
    judged: set[int] = field(default_factory=set)  # ids of the tracks judged
    face_refs: list[FaceRef] = field(default_factory=list)
    face_tensors: list[torch.Tensor] = field(default_factory=list)
    face_crops: list[Box] = field(default_factory=list)  # each face crop, original pixels
    clip_positions: list[list[int]] = field(default_factory=list)
    clip_tensors: list[torch.Tensor] = field(default_factory=list)
    frame_tensors: list[torch.Tensor] = field(default_factory=list)


@dataclass
class VideoPipeline:
    image: ImageDetector
    image_batcher: MicroBatcher
    faces: FaceDetector | None  # None: face analysis is off
    options: VideoOptions
    video: VideoDetector | None = None  # a clip checkpoint, when configured
    video_batcher: MicroBatcher | None = None
    heatmaps: HeatmapMaker | None = None  # None: LOPT_HEATMAPS is off
    provenance: ProvenanceOptions | None = None  # None: LOPT_PROVENANCE is off

    async def run(self, media: MediaInput) -> Prediction:
        prepared, provenance = await asyncio.gather(
            asyncio.to_thread(self.prepare, media), provenance_evidence(media, self.provenance)
        )
        nothing: list[float] = []
        face_fakes, clip_fakes, frame_fakes = await asyncio.gather(
            self.image_batcher.submit_chunked(prepared.face_tensors),
            self.video_batcher.submit_chunked(prepared.clip_tensors)
            if self.video_batcher
            else asyncio.sleep(0, nothing),
            self.image_batcher.submit_chunked(prepared.frame_tensors),
        )
        prediction = self.verdict(media, prepared, face_fakes, clip_fakes, frame_fakes)
        if media.explain and self.heatmaps is not None:
            prediction.explanation = await self._explain(prepared, prediction, face_fakes)
        return with_provenance(prediction, provenance, self.provenance)

    async def _explain(
        self, prepared: PreparedVideo, prediction: Prediction, face_fakes: list[float]
    ) -> Explanation:
        """Heatmaps of each judged person's most suspicious frames (LOPT_HEATMAP_FRAMES)."""
        maker = self.heatmaps
        assert maker is not None
        if not prediction.tracks or not face_fakes:
            return maker.explanation(0, NOTHING_TO_EXPLAIN)
        by_face = dict(zip(prepared.face_refs, face_fakes, strict=True))
        chosen = most_suspicious_frames(by_face, self.options.heatmap_frames)
        index = {ref: i for i, ref in enumerate(prepared.face_refs)}
        maps = await maker.maps([prepared.face_tensors[index[ref]] for ref in chosen])
        blocks = {
            ref: maker.blocks(m, prepared.face_crops[index[ref]])
            for ref, m in zip(chosen, maps, strict=True)
        }
        track_heatmaps(prediction.tracks, blocks, prepared.sampled)
        return maker.explanation(len(blocks))

    def verdict(
        self,
        media: MediaInput,
        prepared: PreparedVideo,
        face_fakes: list[float],
        clip_fakes: list[float],
        frame_fakes: list[float],
    ) -> Prediction:
        """Evidence blocks from the scores, and the verdict from the most suspicious one."""
        options = self.options
        by_face = dict(zip(prepared.face_refs, face_fakes, strict=True))
        tracks = track_scores(
            self.image,
            prepared.tracks,
            prepared.judged,
            by_face,
            prepared.sampled,
            prepared.scale,
            options.aggregation,
        )
        evidence = person_evidence(
            self.image, tracks, by_face, options.face_rule, options.aggregation
        )
        clips = []
        if clip_fakes and self.video is not None:
            fps = prepared.media.fps or 25.0
            clips = clip_scores(
                self.video, prepared.clip_positions, clip_fakes, prepared.sampled, fps
            )
            evidence["clips"] = (self.video, aggregate(clip_fakes, options.aggregation))
        if frame_fakes:
            evidence["whole_frames"] = (self.image, aggregate(frame_fakes, options.aggregation))
        rule, decider, overall = combine(evidence)
        status: Status = "ok"
        note = None
        if self.faces is not None:
            status, note = face_status(
                bool(tracks), bool(prepared.judged), options.min_face_size, "whole frames"
            )
        elif self.image.judges_faces:
            status, note = face_status(False, False, 0, "whole frames", analysed=False)
        # A video model's clips judge whole frames: with them, no face is needed.
        applicable = "ok" if clips or status == "ok" else status
        if clips and status != "ok":
            note = "No face was judged: the verdict rests on the video model's clips alone."
        verdict, reason = explain_verdict(overall, decider.bands, applicable)
        return Prediction(
            type="video",
            verdict=verdict,
            verdict_reason=reason,
            label=overall.label,
            confidence=overall.confidence,
            fake_probability=overall.fake_probability,
            raw_fake_probability=overall.raw_fake_probability,
            calibrated=overall.calibrated,
            probabilities=overall.probabilities,
            threshold=decider.threshold,
            bands=decider.bands,
            model=decider.ref,
            media=prepared.media,
            status=status,
            rule=rule,
            note=note,
            tracks=tracks if self.faces is not None else None,
            frames_without_face=frames_without_face(prepared.sampled, prepared.tracks)
            if self.faces is not None
            else None,
            frame_scores=frame_scores(self.image, prepared.sampled, frame_fakes)
            if frame_fakes
            else None,
            aggregation=options.aggregation,
            clips=clips or None,
            filename=media.filename,
            elapsed_ms=media.elapsed_ms(),
        )

    def prepare(self, media: MediaInput) -> PreparedVideo:
        """Probe, sample frames over the whole length, and make every model input."""
        options, video = self.options, self.video
        info = probe_video(
            media.path, max_seconds=options.max_seconds, max_pixels=options.max_pixels
        )
        wanted = options.clips * video.num_frames if video else options.frames
        frames = read_frames(
            media.path, sample_frame_indices(info.frame_count, wanted), max_side=options.frame_side
        )
        decoded_side = max(frames[0].image.shape[:2])
        prepared = PreparedVideo(
            media=MediaInfo(
                format=media.sniffed.format,
                mime=media.sniffed.mime,
                width=info.width,
                height=info.height,
                duration_s=round(info.duration_s, 3),
                fps=round(info.fps, 3),
                frame_count=info.frame_count,
                sampled_frames=len(frames),
            ),
            sampled=[SampledAt(f.index, round(f.time_s, 3)) for f in frames],
            scale=max(info.width, info.height) / decoded_side,
        )
        if self.faces is not None:
            self._prepare_faces(self.faces, frames, prepared)
        if video is not None:
            prepared.clip_positions = group_positions(len(frames), video.num_frames)
            prepared.clip_tensors = [
                video.preprocess([frames[p].image for p in group])
                for group in prepared.clip_positions
            ]
        elif not prepared.judged:
            prepared.frame_tensors = [
                self.image.preprocess(Image.fromarray(f.image)) for f in frames
            ]
        return prepared

    def _prepare_faces(
        self, faces: FaceDetector, frames: list[SampledFrame], prepared: PreparedVideo
    ) -> None:
        options = self.options
        boxes: list[list[FaceBox]] = [faces.detect(frame.image) for frame in frames]
        prepared.tracks = link_tracks(boxes)
        min_size = options.min_face_size / prepared.scale  # the limit is in original pixels
        # A face glimpsed in one or two frames is usually a tracking break or a passer-by
        # seen badly; alone it must not decide a video, so it is listed but not judged.
        min_frames = min(options.min_track_frames, len(frames))
        for track in prepared.tracks:
            too_small = median(box.size for box in track.boxes) < min_size
            if too_small or len(track.detections) < min_frames:
                continue
            prepared.judged.add(track.track_id)
            for position, box in track.detections:
                image = frames[position].image
                [crop] = crop_faces(image, [box], options.face_margin)
                prepared.face_refs.append((track.track_id, position))
                prepared.face_tensors.append(self.image.preprocess(Image.fromarray(crop)))
                prepared.face_crops.append(
                    crop_box(box, options.face_margin, image.shape, prepared.scale)
                )

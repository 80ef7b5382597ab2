"""The detection service: loaded detectors, their batchers, and one ``analyse(path)``.

Used by the API (held on ``app.state``) and by ``lopt predict``, so both give the same
answer for the same file.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import torch

from lopt.config import Settings
from lopt.errors import UnsupportedMedia
from lopt.inference.aggregation import aggregate
from lopt.inference.batcher import MicroBatcher
from lopt.inference.detectors import Detector, ImageDetector, VideoDetector
from lopt.inference.device import pick_device, pick_dtype
from lopt.inference.registry import LoadedModel, load_model
from lopt.inference.results import ClipScore, MediaInfo, ModelInfo, ModelRef, Prediction
from lopt.media.images import load_image
from lopt.media.sniff import SniffedMedia, sniff_media
from lopt.media.video import SampledFrame, probe_video, read_frames, sample_frame_indices

log = logging.getLogger(__name__)


class DetectionService:
    def __init__(
        self, settings: Settings, image: ImageDetector, video: VideoDetector | None = None
    ) -> None:
        self.settings = settings
        self.image = image
        self.video = video
        # One inference thread for every model: torch already uses all cores per pass.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lopt-inference")
        self.image_batcher = self._batcher(image, "image")
        self.video_batcher = self._batcher(video, "video") if video else None
        self.ready = False

    @classmethod
    def load(cls, settings: Settings) -> DetectionService:
        """Load the configured checkpoints (blocking; call before serving)."""
        device = pick_device(settings.device)
        dtype = pick_dtype(settings.dtype, device)
        common = {"device": device, "dtype": dtype, "hub_timeout_s": settings.hub_timeout_s}
        log.info("Loading image model %s on %s (%s)", settings.image_model, device, dtype)
        image = load_model(
            settings.image_model,
            task="image",
            setting="LOPT_IMAGE_MODEL",
            revision=settings.image_model_revision,
            **common,  # type: ignore[arg-type]
        )
        video = None
        if settings.video_model:
            log.info("Loading video model %s", settings.video_model)
            video = load_model(
                settings.video_model,
                task="video",
                setting="LOPT_VIDEO_MODEL",
                revision=settings.video_model_revision,
                **common,  # type: ignore[arg-type]
            )
        return cls(settings, ImageDetector(image), VideoDetector(video) if video else None)

    def _batcher(self, detector: Detector, name: str) -> MicroBatcher:
        s = self.settings
        return MicroBatcher(
            detector.predict,
            executor=self._executor,
            max_batch_size=s.max_batch_size,
            max_wait_ms=s.max_wait_ms,
            queue_depth=s.queue_depth,
            name=name,
        )

    async def start(self) -> None:
        """Start the batchers and run one warm-up pass per model through them."""
        for detector, batcher in self._pairs():
            batcher.start()
            await batcher.submit([detector.warm_up_input()])
        self.ready = True
        log.info("Detectors ready: %s", ", ".join(m.id for m in self.models()))

    async def stop(self) -> None:
        self.ready = False
        for _, batcher in self._pairs():
            await batcher.stop()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _pairs(self) -> list[tuple[Detector, MicroBatcher]]:
        pairs: list[tuple[Detector, MicroBatcher]] = [(self.image, self.image_batcher)]
        if self.video and self.video_batcher:
            pairs.append((self.video, self.video_batcher))
        return pairs

    def models(self) -> list[ModelInfo]:
        return [_model_info(detector.loaded) for detector, _ in self._pairs()]

    async def analyse(self, path: Path, filename: str | None = None) -> Prediction:
        """Judge one file: sniff its real type, decode it once, run the matching detector."""
        started = time.perf_counter()
        sniffed = await asyncio.to_thread(sniff_media, path)
        if sniffed.kind == "image":
            prediction = await self._analyse_image(path, sniffed)
        else:
            prediction = await self._analyse_video(path, sniffed)
        prediction.filename = filename
        prediction.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        return prediction

    async def _analyse_image(self, path: Path, sniffed: SniffedMedia) -> Prediction:
        def prepare() -> tuple[torch.Tensor, MediaInfo]:
            decoded = load_image(path, max_pixels=self.settings.max_image_pixels)
            media = MediaInfo(
                format=sniffed.format, mime=sniffed.mime, width=decoded.width, height=decoded.height
            )
            return self.image.preprocess(decoded.image), media

        tensor, media = await asyncio.to_thread(prepare)
        [fake] = await self.image_batcher.submit([tensor])
        scores = self.image.decide(fake)
        return Prediction(
            type="image",
            label=scores.label,
            confidence=scores.confidence,
            fake_probability=scores.fake_probability,
            probabilities=scores.probabilities,
            threshold=self.image.threshold,
            model=_model_ref(self.image.loaded),
            media=media,
            elapsed_ms=0.0,
        )

    async def _analyse_video(self, path: Path, sniffed: SniffedMedia) -> Prediction:
        video, batcher = self.video, self.video_batcher
        if video is None or batcher is None:
            raise UnsupportedMedia(
                "This server has no video model (LOPT_VIDEO_MODEL is off), so it cannot "
                "analyse videos. Send an image, or ask the operator to configure a video model."
            )
        settings = self.settings

        def prepare() -> tuple[list[torch.Tensor], list[ClipSpan], MediaInfo]:
            info = probe_video(
                path, max_seconds=settings.max_video_seconds, max_pixels=settings.max_video_pixels
            )
            wanted = settings.video_clips * video.num_frames
            indices = sample_frame_indices(info.frame_count, wanted)
            frames = read_frames(path, indices, max_side=settings.video_frame_side)
            groups = group_clips(frames, video.num_frames)
            tensors = [video.preprocess([f.image for f in group]) for group in groups]
            spans = [ClipSpan.of(group, info.fps) for group in groups]
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
            return tensors, spans, media

        tensors, spans, media = await asyncio.to_thread(prepare)
        fakes = await batcher.submit(tensors)
        clips = []
        for index, (span, fake) in enumerate(zip(spans, fakes, strict=True)):
            scores = video.decide(fake)
            clips.append(
                ClipScore(
                    index=index,
                    start_s=span.start_s,
                    end_s=span.end_s,
                    frame_indices=span.frame_indices,
                    label=scores.label,
                    fake_probability=scores.fake_probability,
                )
            )
        overall = video.decide(aggregate(fakes, settings.video_aggregation))
        return Prediction(
            type="video",
            label=overall.label,
            confidence=overall.confidence,
            fake_probability=overall.fake_probability,
            probabilities=overall.probabilities,
            threshold=video.threshold,
            model=_model_ref(video.loaded),
            media=media,
            aggregation=settings.video_aggregation,
            clips=clips,
            elapsed_ms=0.0,
        )


@dataclass(frozen=True)
class ClipSpan:
    """Where a clip sits in the video, kept after its pixels are dropped."""

    frame_indices: list[int]
    start_s: float
    end_s: float

    @classmethod
    def of(cls, frames: list[SampledFrame], fps: float) -> ClipSpan:
        end = frames[-1].time_s + 1.0 / fps
        return cls([f.index for f in frames], round(frames[0].time_s, 3), round(end, 3))


def group_clips(frames: list[SampledFrame], num_frames: int) -> list[list[SampledFrame]]:
    """Consecutive runs of ``num_frames`` sampled frames; a short tail repeats its last frame."""
    groups = [frames[i : i + num_frames] for i in range(0, len(frames), num_frames)]
    last = groups[-1]
    last.extend([last[-1]] * (num_frames - len(last)))
    return groups


def _model_ref(loaded: LoadedModel) -> ModelRef:
    return ModelRef(id=loaded.model_id, revision=loaded.revision)


def _model_info(loaded: LoadedModel) -> ModelInfo:
    return ModelInfo(
        id=loaded.model_id,
        revision=loaded.revision,
        task=loaded.task,
        labels=list(loaded.labels.names),
        verdicts=list(loaded.labels.verdicts),
        threshold=loaded.threshold,
        device=str(loaded.device),
        dtype=str(loaded.dtype).removeprefix("torch."),
        parameters=loaded.parameters,
        num_frames=loaded.num_frames,
    )

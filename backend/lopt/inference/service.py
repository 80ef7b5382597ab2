"""The detection service: loaded detectors, their batchers, the pipelines composed from
them, and one ``analyse(path)`` that sniffs a file and hands it to the right pipeline.

Used by the API (held on ``app.state``) and by ``lopt predict``, so both give the same
answer for the same file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lopt.config import Settings, SettingsError
from lopt.errors import InvalidRequest, UnsupportedMedia
from lopt.inference.batcher import MicroBatcher
from lopt.inference.calibration import CalibrationError, VerdictPolicy, configure_policy
from lopt.inference.detectors import Detector, ImageDetector, VideoDetector
from lopt.inference.device import configure_threads, pick_device, pick_dtype
from lopt.inference.embedded import load_configured_models
from lopt.inference.exports import export_folder
from lopt.inference.heatmaps import HeatmapMaker
from lopt.inference.live_check import LiveCheck
from lopt.inference.live_tally import recorded_status
from lopt.inference.model_info import CalibrationInfo, ModelInfo
from lopt.inference.pipelines import (
    ImageOptions,
    ImagePipeline,
    MediaInput,
    VideoOptions,
    VideoPipeline,
)
from lopt.inference.precision import apply_configured_precision, cpu_supports_bf16
from lopt.inference.registry import LoadedModel
from lopt.inference.results import Prediction
from lopt.media.face_config import FaceDetectorConfig
from lopt.media.faces import FaceDetector
from lopt.media.sniff import sniff_media
from lopt.provenance import ProvenanceOptions, load_trust_list

log = logging.getLogger(__name__)


class DetectionService:
    def __init__(
        self,
        settings: Settings,
        image: ImageDetector,
        video: VideoDetector | None = None,
        faces: FaceDetector | None = None,
    ) -> None:
        self.settings = settings
        self.image = image
        self.video = video
        self.faces = faces
        provenance = _provenance_options(settings)  # first: a bad trust list stops start-up
        # One inference thread for every model: torch already uses all cores per pass.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lopt-inference")
        self.image_batcher = self._batcher(image, "image")
        self.video_batcher = self._batcher(video, "video") if video else None
        self.heatmaps = (
            HeatmapMaker.build(image.loaded, settings, self._executor)
            if settings.heatmaps
            else None
        )
        # A model of whole images needs no faces found; one of face crops needs them.
        pipeline_faces = faces if image.judges_faces else None
        self.image_pipeline = ImagePipeline(
            image,
            self.image_batcher,
            pipeline_faces,
            ImageOptions.from_settings(settings),
            heatmaps=self.heatmaps,
            provenance=provenance,
        )
        self.video_pipeline = VideoPipeline(
            image,
            self.image_batcher,
            pipeline_faces,
            VideoOptions.from_settings(settings),
            video=video,
            video_batcher=self.video_batcher,
            heatmaps=self.heatmaps,
            provenance=provenance,
        )
        self.ready = False
        self.live_check: LiveCheck | None = None
        self._live_task: asyncio.Task[None] | None = None
        self._active = 0  # analyses in flight

    @classmethod
    def load(cls, settings: Settings) -> DetectionService:
        """Load the configured checkpoints (blocking; call before serving)."""
        configure_threads(settings.num_threads)
        device = pick_device(settings.device)
        dtype = pick_dtype(settings.dtype, device)
        common = {"device": device, "dtype": dtype, "hub_timeout_s": settings.hub_timeout_s}
        log.info("Loading image model %s on %s (%s)", settings.image_model, device, dtype)
        image, video = load_configured_models(settings, **common)
        image = apply_configured_precision(image, settings)
        video = apply_configured_precision(video, settings) if video else None
        image.policy = _configured_policy(image, settings, image=True)
        if video:
            video.policy = _configured_policy(video, settings, image=False)
        faces = None
        if settings.face_analysis:
            faces = FaceDetectorConfig.from_settings(settings).build()
        return cls(settings, ImageDetector(image), VideoDetector(video) if video else None, faces)

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

    async def start(self, *, live_checks: bool = False) -> None:
        """Start the batchers and run one warm-up pass per model through them;
        ``live_checks`` (a server): check reduced paths on the inputs it judges."""
        for detector, batcher in self._pairs():
            batcher.start()
            await batcher.submit([detector.warm_up_input()])
        if live_checks and self._live_checks_apply():
            self.live_check = LiveCheck(
                self.image,
                self.settings,
                executor=self._executor,
                waiting=self._inputs_waiting,
                busy=lambda: self._active > 0,
                folder=export_folder(self.image.loaded, self.settings),
                bf16_capable=cpu_supports_bf16(),
            )
            self.image_batcher.observer = self.live_check.observe
            self._live_task = asyncio.create_task(self.live_check.run(), name="lopt-live-check")
        self.ready = True
        log.info("Detectors ready: %s", ", ".join(m.id for m in self.models()))

    def _live_checks_apply(self) -> bool:
        s, loaded = self.settings, self.image.loaded
        float32_kept = loaded.precision == "exact" or loaded.reference_model is not None
        on_cpu = loaded.device.type == "cpu"
        return s.precision == "auto" and s.shadow_samples > 0 and on_cpu and float32_kept

    def _inputs_waiting(self) -> bool:
        return any(batcher.queued for _, batcher in self._pairs())

    async def stop(self) -> None:
        self.ready = False
        if self._live_task is not None:
            self._live_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._live_task
            self._live_task = None
        for _, batcher in self._pairs():
            await batcher.stop()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _pairs(self) -> list[tuple[Detector, MicroBatcher]]:
        pairs: list[tuple[Detector, MicroBatcher]] = [(self.image, self.image_batcher)]
        if self.video and self.video_batcher:
            pairs.append((self.video, self.video_batcher))
        return pairs

    def models(self) -> list[ModelInfo]:
        infos = [_model_info(detector) for detector, _ in self._pairs()]
        for info, (detector, _) in zip(infos, self._pairs(), strict=True):
            if detector is self.image and self.live_check is not None:
                info.precision_check = self.live_check.status()
            elif self.settings.precision == "auto":
                info.precision_check = recorded_status(detector.loaded, self.settings.min_agreement)
        return infos

    async def analyse(
        self, path: Path, filename: str | None = None, *, explain: bool = False
    ) -> Prediction:
        """Judge one file: sniff its real type, decode it once, run the matching detector
        (``explain``: with heatmaps)."""
        started = time.perf_counter()
        if explain and self.heatmaps is None:
            raise InvalidRequest(
                "This server does not draw heatmaps (LOPT_HEATMAPS=false). Send the file "
                "without explain=true, or ask its operator to turn heatmaps on."
            )
        self._active += 1
        try:
            sniffed = await asyncio.to_thread(sniff_media, path)
            media = MediaInput(path, sniffed, filename, started, explain=explain)
            if sniffed.kind == "image":
                return await self.image_pipeline.run(media)
            if self.video is None and self.video_pipeline.faces is None and self.image.judges_faces:
                raise UnsupportedMedia(
                    "This server has no video model (LOPT_VIDEO_MODEL is off) and face "
                    "analysis is off, so it cannot analyse videos. Send an image instead."
                )
            return await self.video_pipeline.run(media)
        finally:
            self._active -= 1


def _provenance_options(settings: Settings) -> ProvenanceOptions | None:
    """Provenance reading as configured, its trust list loaded now (None: it is off)."""
    if not settings.provenance:
        return None
    options = ProvenanceOptions.from_settings(settings)
    try:
        load_trust_list(options.trust_list)
    except ValueError as error:
        raise SettingsError(
            f"Invalid Lopt settings:\n  LOPT_PROVENANCE_TRUST_LIST={str(options.trust_list)!r}: "
            f"the C2PA SDK cannot read it ({error}). Point it at a PEM file of CA certificates."
        ) from None
    return options


def _configured_policy(loaded: LoadedModel, settings: Settings, *, image: bool) -> VerdictPolicy:
    """The checkpoint's calibration, bands and input, with this server's settings over them."""
    try:
        return configure_policy(
            loaded.policy,
            model_input=settings.image_model_input if image else "auto",
            calibration_file=settings.image_calibration if image else None,
            authentic_below=settings.verdict_authentic_below,
            manipulated_at=settings.verdict_manipulated_at,
        )
    except CalibrationError as error:
        raise SettingsError(f"Invalid Lopt settings for {loaded.model_id}: {error}") from None


def _model_info(detector: Detector) -> ModelInfo:
    loaded, calibration = detector.loaded, detector.policy.calibration
    return ModelInfo(
        id=loaded.model_id,
        revision=loaded.revision,
        task=loaded.task,
        labels=list(loaded.labels.names),
        verdicts=list(loaded.labels.verdicts),
        threshold=detector.threshold,
        calibration=CalibrationInfo(method=calibration.method, fitted_on=calibration.fitted_on)
        if calibration
        else None,
        bands=detector.bands,
        judges=detector.policy.judges,
        device=str(loaded.device),
        dtype=str(loaded.dtype).removeprefix("torch."),
        precision=loaded.precision,
        parameters=loaded.parameters,
        num_frames=loaded.num_frames,
        replaces=loaded.replaces,
    )

"""A photo's verdict: find every face, judge each one, say so when there is none.

Rule ``most_suspicious_face``: the image's fake probability is that of its most
suspicious judged face, so one manipulated face among real ones makes the image
manipulated. Without a judgeable face the whole image is still scored (rule
``whole_image``), but a detector of face crops cannot judge it: the verdict is
``not_applicable`` and ``status`` says why (``no_face``, ``faces_too_small``,
``face_analysis_off``). A detector of whole images judges the whole image.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import numpy as np
import torch

from lopt.config import Settings
from lopt.inference.batcher import MicroBatcher
from lopt.inference.detectors import ImageDetector
from lopt.inference.heatmaps import HeatmapMaker
from lopt.inference.pipelines.evidence import (
    NOTHING_TO_EXPLAIN,
    combine,
    crop_box,
    explain_verdict,
    face_heatmaps,
    face_scores,
    face_status,
    scale_box,
)
from lopt.inference.pipelines.media_input import MediaInput
from lopt.inference.pipelines.provenance_evidence import provenance_evidence, with_provenance
from lopt.inference.results import (
    Box,
    Explanation,
    FaceScore,
    Heatmap,
    MediaInfo,
    Prediction,
    Status,
)
from lopt.media.faces import FaceBox, FaceDetector, crop_faces
from lopt.media.images import load_image
from lopt.provenance import ProvenanceOptions


@dataclass(frozen=True)
class ImageOptions:
    max_pixels: int  # LOPT_MAX_IMAGE_PIXELS
    face_detection_size: int  # LOPT_FACE_DETECTION_SIZE
    min_face_size: int  # LOPT_MIN_FACE_SIZE, in the file's pixels
    face_margin: float  # LOPT_FACE_MARGIN

    @classmethod
    def from_settings(cls, settings: Settings) -> ImageOptions:
        return cls(
            max_pixels=settings.max_image_pixels,
            face_detection_size=settings.face_detection_size,
            min_face_size=settings.min_face_size,
            face_margin=settings.face_margin,
        )


@dataclass
class PreparedImage:
    tensors: list[torch.Tensor]  # the judged face crops, or the whole image
    boxes: list[FaceBox]  # every face found, in the file's pixels
    judged: list[bool]
    media: MediaInfo
    crops: list[Box]  # the region of the file each tensor shows, in the file's pixels


@dataclass
class ImagePipeline:
    detector: ImageDetector
    batcher: MicroBatcher
    faces: FaceDetector | None  # None: face analysis is off, whole images are scored
    options: ImageOptions
    heatmaps: HeatmapMaker | None = None  # None: LOPT_HEATMAPS is off
    provenance: ProvenanceOptions | None = None  # None: LOPT_PROVENANCE is off

    async def run(self, media: MediaInput) -> Prediction:
        prepared, provenance = await asyncio.gather(
            asyncio.to_thread(self.prepare, media), provenance_evidence(media, self.provenance)
        )
        fakes = await self.batcher.submit(prepared.tensors)
        faces: list[FaceScore] | None = None
        status: Status = "ok"
        note: str | None = None
        if self.faces is not None:
            judged = any(prepared.judged)
            faces = face_scores(self.detector, prepared.boxes, prepared.judged, fakes)
            status, note = face_status(
                bool(prepared.boxes), judged, self.options.min_face_size, "the whole image"
            )
        elif self.detector.judges_faces:
            status, note = face_status(False, False, 0, "the whole image", analysed=False)
        name = "most_suspicious_face" if faces and status == "ok" else "whole_image"
        rule, detector, overall = combine({name: (self.detector, max(fakes))})
        verdict, reason = explain_verdict(overall, detector.bands, status)
        explanation, whole = None, None
        if media.explain and self.heatmaps is not None:
            explanation, whole = await self._explain(prepared, faces, status)
        prediction = Prediction(
            type="image",
            verdict=verdict,
            verdict_reason=reason,
            label=overall.label,
            confidence=overall.confidence,
            fake_probability=overall.fake_probability,
            raw_fake_probability=overall.raw_fake_probability,
            calibrated=overall.calibrated,
            probabilities=overall.probabilities,
            threshold=detector.threshold,
            bands=detector.bands,
            model=detector.ref,
            media=prepared.media,
            status=status,
            rule=rule,
            note=note,
            faces=faces,
            heatmap=whole,
            explanation=explanation,
            filename=media.filename,
            elapsed_ms=media.elapsed_ms(),
        )
        return with_provenance(prediction, provenance, self.provenance)

    async def _explain(
        self, prepared: PreparedImage, faces: list[FaceScore] | None, status: Status
    ) -> tuple[Explanation, Heatmap | None]:
        """Heatmaps of the judged faces, or of the whole image for a whole-image model."""
        maker = self.heatmaps
        assert maker is not None
        if status != "ok" and self.detector.judges_faces:
            return maker.explanation(0, NOTHING_TO_EXPLAIN), None
        maps = await maker.maps(prepared.tensors)
        blocks = [maker.blocks(m, box) for m, box in zip(maps, prepared.crops, strict=True)]
        if faces is not None and status == "ok":
            face_heatmaps(faces, blocks)
            return maker.explanation(len(blocks)), None
        whole = blocks[0].heatmap if blocks else None
        return maker.explanation(len(blocks)), whole

    def prepare(self, media: MediaInput) -> PreparedImage:
        """Decode once (reduced where that loses nothing), find faces, crop the judged ones."""
        options, detector = self.options, self.detector
        # A JPEG is decoded at reduced size when the face detector's copy (its longer side
        # is LOPT_FACE_DETECTION_SIZE) or, without face analysis, the model's input is still
        # no larger than the decoded image. Faces too small at that size are re-cropped
        # from a full decode below.
        if self.faces:
            reduced = {"min_long_side": options.face_detection_size}
        else:
            reduced = {"min_side": 2 * detector.input_side}
        decoded = load_image(media.path, max_pixels=options.max_pixels, **reduced)
        width, height = decoded.original_size
        info = MediaInfo(
            format=media.sniffed.format, mime=media.sniffed.mime, width=width, height=height
        )
        rgb, scale = np.asarray(decoded.image), decoded.scale
        found = self.faces.detect(rgb) if self.faces else []
        boxes = [scale_box(box, scale) for box in found]  # in the file's pixels
        judged = [box.size >= options.min_face_size for box in boxes]
        chosen = [box for box, ok in zip(boxes, judged, strict=True) if ok]
        if chosen and scale > 1:
            smallest = min(box.size for box in chosen) * options.face_margin / scale
            if smallest < detector.input_side:
                # A face too small at this size for the model's input: crop at full size.
                full = load_image(media.path, max_pixels=options.max_pixels)
                rgb, scale = np.asarray(full.image), 1.0
        crops = [scale_box(box, 1 / scale) for box in chosen]
        inputs = crop_faces(rgb, crops, options.face_margin) if chosen else [rgb]
        tensors = [detector.preprocess(crop) for crop in inputs]
        side = rgb.shape[:2]
        regions = [crop_box(box, options.face_margin, side, scale) for box in crops]
        if not chosen:
            regions = [Box(x1=0, y1=0, x2=width, y2=height)]
        return PreparedImage(tensors, boxes, judged, info, regions)

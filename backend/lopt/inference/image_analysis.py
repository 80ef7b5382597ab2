"""An image's verdict: find every face, judge each one, say so when there is none.

Rule ``most_suspicious_face``: the image's fake probability is that of its most
suspicious judged face, so one manipulated face among real ones makes the image Fake.
Without a judgeable face the whole image is judged (rule ``whole_image``) and the
response says so, with ``status`` ``no_face`` or ``faces_too_small``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from lopt.inference.results import Box, FaceScore, MediaInfo, Prediction, Status
from lopt.media.faces import FaceBox, crop_faces
from lopt.media.images import load_image
from lopt.media.sniff import SniffedMedia

if TYPE_CHECKING:
    from lopt.inference.service import DetectionService

NO_FACE_NOTE = (
    "No face was found, so the whole image was judged. The detector was trained on faces: "
    "treat this verdict with caution."
)
SMALL_FACES_NOTE = (
    "Faces were found but all are smaller than {size} px (LOPT_MIN_FACE_SIZE), too small to "
    "judge, so the whole image was judged instead. Treat this verdict with caution."
)
FACES_OFF_NOTE = "Face analysis is off (LOPT_FACE_ANALYSIS=false): the whole image was judged."


@dataclass
class PreparedImage:
    tensors: list[torch.Tensor]
    boxes: list[FaceBox]
    judged: list[bool]
    media: MediaInfo


def scale_box(box: FaceBox, scale: float) -> FaceBox:
    if scale == 1:
        return box
    return FaceBox(box.x1 * scale, box.y1 * scale, box.x2 * scale, box.y2 * scale, box.score)


def to_box(box: FaceBox) -> Box:
    return Box(x1=round(box.x1, 1), y1=round(box.y1, 1), x2=round(box.x2, 1), y2=round(box.y2, 1))


async def analyse_image(service: DetectionService, path: Path, sniffed: SniffedMedia) -> Prediction:
    settings, detector = service.settings, service.image

    def prepare() -> PreparedImage:
        # A JPEG is decoded at reduced size when the face detector's copy (its longer side
        # is LOPT_FACE_DETECTION_SIZE) or, without face analysis, the model's input is still
        # no larger than the decoded image. Faces too small at that size are re-cropped
        # from a full decode below.
        if service.faces:
            reduced = {"min_long_side": settings.face_detection_size}
        else:
            reduced = {"min_side": 2 * detector.input_side}
        decoded = load_image(path, max_pixels=settings.max_image_pixels, **reduced)
        width, height = decoded.original_size
        media = MediaInfo(format=sniffed.format, mime=sniffed.mime, width=width, height=height)
        rgb, scale = np.asarray(decoded.image), decoded.scale
        found = service.faces.detect(rgb) if service.faces else []
        boxes = [scale_box(box, scale) for box in found]  # in the file's pixels
        judged = [box.size >= settings.min_face_size for box in boxes]
        chosen = [box for box, ok in zip(boxes, judged, strict=True) if ok]
        if chosen and scale > 1:
            smallest = min(box.size for box in chosen) * settings.face_margin / scale
            if smallest < detector.input_side:
                # A face too small at this size for the model's input: crop at full size.
                rgb, scale = (
                    np.asarray(load_image(path, max_pixels=settings.max_image_pixels).image),
                    1.0,
                )
        crops = [scale_box(box, 1 / scale) for box in chosen]
        inputs = crop_faces(rgb, crops, settings.face_margin) if chosen else [rgb]
        tensors = [detector.preprocess(crop) for crop in inputs]
        return PreparedImage(tensors, boxes, judged, media)

    prepared = await asyncio.to_thread(prepare)
    fakes = await service.image_batcher.submit(prepared.tensors)
    faces, status, note = _face_scores(service, prepared, fakes)
    overall = detector.decide(max(fakes))
    return Prediction(
        type="image",
        label=overall.label,
        confidence=overall.confidence,
        fake_probability=overall.fake_probability,
        probabilities=overall.probabilities,
        threshold=detector.threshold,
        model=service.model_ref(detector),
        media=prepared.media,
        status=status,
        rule="most_suspicious_face" if status == "ok" and faces else "whole_image",
        note=note,
        faces=faces,
        elapsed_ms=0.0,
    )


def _face_scores(
    service: DetectionService, prepared: PreparedImage, fakes: list[float]
) -> tuple[list[FaceScore] | None, Status, str | None]:
    if service.faces is None:
        return None, "ok", FACES_OFF_NOTE
    scores = iter(fakes) if any(prepared.judged) else iter(())
    faces = []
    for box, judged in zip(prepared.boxes, prepared.judged, strict=True):
        face = FaceScore(box=to_box(box), detector_score=round(box.score, 4), judged=judged)
        if judged:
            verdict = service.image.decide(next(scores))
            face.label, face.confidence = verdict.label, verdict.confidence
            face.fake_probability = verdict.fake_probability
        faces.append(face)
    if any(prepared.judged):
        return faces, "ok", None
    if faces:
        return (
            faces,
            "faces_too_small",
            SMALL_FACES_NOTE.format(size=service.settings.min_face_size),
        )
    return faces, "no_face", NO_FACE_NOTE

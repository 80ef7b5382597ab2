"""Face detection and square face crops.

The detector is CenterFace (``lopt.media.centerface``: weights, session, the searched copy,
output decoding); why it was chosen is in ``docs/face-detection.md``.

The detector runs on a copy whose longer side is ``detection_size`` pixels, scaled down
for large photos (CenterFace misses large faces at full 2048 px) and up for thumbnails
(faces of 10-15 px in a 128 px photo are found once enlarged five times). Boxes come back
in the original image's pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from lopt.media.centerface import (
    ALIGN,
    INPUT_NAME,
    OUTPUT_NAMES,
    decode,
    default_model_path,
    load_session,
    nms,
    prepare,
)

DEFAULT_MARGIN = 1.3
_PAD = 0.15  # border (of the longer side) added for a second search when none is found


@dataclass(frozen=True)
class FaceBox:
    """A detected face in the pixel coordinates of the image it was found in."""

    x1: float
    y1: float
    x2: float
    y2: float
    score: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @property
    def size(self) -> float:
        """The longer side, the unit in which crops and track distances are measured."""
        return max(self.width, self.height)

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2

    def to_dict(self) -> dict[str, float]:
        return {
            "x1": self.x1,
            "y1": self.y1,
            "x2": self.x2,
            "y2": self.y2,
            "score": self.score,
        }


class FaceDetector:
    """Find faces in RGB images with CenterFace on ONNX Runtime (CPU).

    The model is loaded once, in the constructor. ``detect`` may be called from any
    thread, and concurrently: ONNX Runtime runs calls on one session side by side, a lone
    call spread over ``num_threads`` cores (0: one per physical core), calls that overlap
    on one core each (``lopt.media.sessions``), idle threads asleep. Serialising them
    behind a lock cost a third of the detections per second with 8 clients on 2 cores
    (12.7 against 17.8 per second, 960x540 photos) and gained nothing for a lone request.
    """

    def __init__(
        self,
        *,
        score_threshold: float = 0.5,
        detection_size: int = 640,
        max_faces: int = 20,
        nms_iou_threshold: float = 0.3,
        num_threads: int = 0,
        model_path: Path | None = None,
        frame_probe_size: int = 160,
    ) -> None:
        if not 0.0 < score_threshold < 1.0:
            raise ValueError("score_threshold must be between 0 and 1")
        if detection_size < ALIGN:
            raise ValueError(f"detection_size must be at least {ALIGN} pixels")
        if max_faces < 1:
            raise ValueError("max_faces must be at least 1")
        if num_threads < 0:
            raise ValueError("num_threads must be 0 (one per core) or more")
        self.score_threshold = score_threshold
        self.detection_size = detection_size
        if frame_probe_size and frame_probe_size < ALIGN:
            raise ValueError(f"frame_probe_size must be 0 or at least {ALIGN} pixels")
        self.frame_probe_size = frame_probe_size
        self.max_faces = max_faces
        self.nms_iou_threshold = nms_iou_threshold
        self.model_path = model_path or default_model_path()
        self._session = load_session(self.model_path, num_threads)

    def detect(self, image: np.ndarray) -> list[FaceBox]:
        """Faces in an upright RGB uint8 ``H x W x 3`` image, best first, after NMS.

        CenterFace misses a face that fills the whole picture (a tightly cropped face
        photo): when nothing is found, the search is repeated once on a copy with a gray
        border of ``_PAD`` times the longer side, and boxes are mapped back and clipped.
        Only a face filling the frame is left to find there, and such a face is large, so
        a quick look at ``frame_probe_size`` px decides first whether there is one; the
        full search (at ``detection_size``, so boxes are as exact as ever) runs only then.
        Photos without a face pay for the quick look instead of a second full search.
        """
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an RGB uint8 HxWx3 array, got {image.dtype} {image.shape}")
        height, width = image.shape[:2]
        if height == 0 or width == 0:
            return []
        faces = self._detect(image, self.detection_size)
        if faces:
            return faces
        pad = round(_PAD * max(height, width))
        framed = cv2.copyMakeBorder(
            image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(128, 128, 128)
        )
        probe = self.frame_probe_size
        if 0 < probe < self.detection_size and not self._detect(framed, probe):
            return []
        found = []
        for face in self._detect(framed, self.detection_size):
            x1, x2 = min(max(face.x1 - pad, 0), width), min(max(face.x2 - pad, 0), width)
            y1, y2 = min(max(face.y1 - pad, 0), height), min(max(face.y2 - pad, 0), height)
            if x2 > x1 and y2 > y1:
                found.append(FaceBox(x1, y1, x2, y2, face.score))
        return found

    def _detect(self, image: np.ndarray, detection_size: int) -> list[FaceBox]:
        height, width = image.shape[:2]
        blob, scale_x, scale_y = prepare(image, detection_size)
        heatmap, log_size, offset, _ = self._session.run(list(OUTPUT_NAMES), {INPUT_NAME: blob})
        boxes, scores = decode(heatmap, log_size, offset, self.score_threshold)
        keep = nms(boxes, scores, self.nms_iou_threshold)
        boxes = boxes[keep] / np.array([scale_x, scale_y, scale_x, scale_y], dtype=np.float32)
        boxes[:, 0::2] = boxes[:, 0::2].clip(0, width)
        boxes[:, 1::2] = boxes[:, 1::2].clip(0, height)
        faces = [
            FaceBox(float(x1), float(y1), float(x2), float(y2), float(score))
            for (x1, y1, x2, y2), score in zip(boxes, scores[keep], strict=True)
            if x2 > x1 and y2 > y1
        ]
        return faces[: self.max_faces]


def square_crop_box(
    box: FaceBox, margin: float, width: int, height: int
) -> tuple[int, int, int, int]:
    """A square ``(x1, y1, x2, y2)`` around the box centre, inside a ``width x height`` image.

    The side is ``margin`` times the box's longer side. A square that would cross an
    edge is shifted back inside rather than cut, so the face stays whole and the crop
    stays square; only an image smaller than the square shrinks it, to the image's
    shorter side.
    """
    if width < 1 or height < 1:
        raise ValueError("width and height of the image must be positive")
    side = min(max(1, round(margin * box.size)), width, height)
    centre_x, centre_y = box.centre
    x1 = min(max(round(centre_x - side / 2), 0), width - side)
    y1 = min(max(round(centre_y - side / 2), 0), height - side)
    return x1, y1, x1 + side, y1 + side


def crop_faces(
    image: np.ndarray, boxes: Sequence[FaceBox], margin: float = DEFAULT_MARGIN
) -> list[np.ndarray]:
    """Square crops of ``image`` around each box (see ``square_crop_box``), in box order.

    Shared by serving and training, so both see faces framed the same way. Each crop is
    a copy: it does not keep the whole frame alive.
    """
    height, width = image.shape[:2]
    crops = []
    for box in boxes:
        x1, y1, x2, y2 = square_crop_box(box, margin, width, height)
        crops.append(image[y1:y2, x1:x2].copy())
    return crops

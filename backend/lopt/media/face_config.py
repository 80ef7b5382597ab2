"""How faces are found: one configuration for serving, ``lopt export`` and ``lopt train``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lopt.media.faces import DEFAULT_MARGIN, FaceDetector

if TYPE_CHECKING:
    from lopt.config import Settings


@dataclass(frozen=True)
class FaceDetectorConfig:
    """How faces are found, the same in serving, ``lopt export`` and ``lopt train``:
    ``LOPT_FACE_SCORE_THRESHOLD``, ``LOPT_FACE_DETECTION_SIZE``, ``LOPT_MAX_FACES`` and
    ``LOPT_FACE_MARGIN`` (the crop side as a multiple of the face box) and
    ``LOPT_FACE_FRAME_PROBE_SIZE`` (the quick look for a face filling the photo)."""

    score_threshold: float = 0.5
    detection_size: int = 640
    max_faces: int = 20
    margin: float = DEFAULT_MARGIN
    frame_probe_size: int = 160

    @classmethod
    def from_settings(cls, settings: Settings) -> FaceDetectorConfig:
        return cls(
            score_threshold=settings.face_score_threshold,
            detection_size=settings.face_detection_size,
            max_faces=settings.max_faces,
            margin=settings.face_margin,
            frame_probe_size=settings.face_frame_probe_size,
        )

    def build(self) -> FaceDetector:
        return FaceDetector(
            score_threshold=self.score_threshold,
            detection_size=self.detection_size,
            max_faces=self.max_faces,
            frame_probe_size=self.frame_probe_size,
        )

    def key(self) -> str:
        """Identifies the crops this configuration makes (for caches)."""
        key = f"{self.score_threshold}|{self.detection_size}|{self.max_faces}|{self.margin}"
        # The quick look can only drop a face that only the full bordered search finds;
        # rare, but crops made with and without it are kept apart all the same.
        return key if self.frame_probe_size == 0 else f"{key}|probe{self.frame_probe_size}"

"""Videos in training data become face frames spread over the clip, cached, in its group."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from lopt.media.faces import FaceDetector, crop_faces
from lopt.training import frames as frames_module
from lopt.training.data import Sample
from lopt.training.frames import expand_videos
from tests.helpers import MEDIA, needs_media


def face_video(path: Path, count: int = 30) -> Path:
    """A face moving left to right over a gradient, as MP4."""
    detector = FaceDetector()
    with Image.open(MEDIA / "facenet_kate_siegel.jpg") as image:
        rgb = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    (face,) = crop_faces(rgb, detector.detect(rgb)[:1], margin=1.6)
    face = cv2.resize(face, (120, 120))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (480, 270))
    for i in range(count):
        frame = np.full((270, 480, 3), 90, np.uint8)
        x = 20 + 10 * i
        frame[70:190, x : x + 120] = face
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


@needs_media
def test_each_video_gives_face_frames_with_its_label_group_and_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = face_video(tmp_path / "clip.mp4")
    blank = tmp_path / "blank.mp4"
    writer = cv2.VideoWriter(str(blank), cv2.VideoWriter_fourcc(*"mp4v"), 10, (160, 120))
    for _ in range(10):
        writer.write(np.full((120, 160, 3), 128, np.uint8))
    writer.release()
    photo = Sample(MEDIA / "facenet_paul_rudd.jpg", 0, "rudd", "photos")
    samples = [
        photo,
        Sample(video, 1, group="pair-1", source="clips", split="test"),
        Sample(blank, 0, group="blank", source="clips"),
    ]
    detector = FaceDetector()
    out = expand_videos(samples, tmp_path / "frames", frames=6, frame_side=640, detector=detector)

    assert out[0] == photo
    faces = out[1:]
    assert len(faces) == 6  # the blank video gave none and is left out
    assert all(
        (s.label, s.group, s.source, s.split, s.video) == (1, "pair-1", "clips", "test", video)
        for s in faces
    )
    crops = [cv2.imread(str(s.path)) for s in faces]
    assert all(c is not None and c.shape[0] == c.shape[1] > 120 for c in crops)  # 2x margin
    # Frames spread over the whole clip: the face is found at every position it passes.
    assert detector.detect(cv2.cvtColor(crops[0], cv2.COLOR_BGR2RGB))

    def no_decoding(*_: object, **__: object) -> None:
        raise AssertionError("decoded again")

    monkeypatch.setattr(frames_module, "read_frames", no_decoding)
    again = expand_videos(samples, tmp_path / "frames", frames=6, frame_side=640, detector=detector)
    assert again == out

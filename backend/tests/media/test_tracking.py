"""Linking face boxes across frames: hand-made boxes, and real detections on made-up videos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from lopt.media.faces import FaceBox, FaceDetector, crop_faces
from lopt.media.tracking import box_iou, centre_distance, link_tracks
from tests.helpers import MEDIA, needs_media


def box(x: float, y: float, size: float = 40.0) -> FaceBox:
    return FaceBox(x, y, x + size, y + size, 0.9)


def test_iou_and_centre_distance() -> None:
    assert box_iou(box(0, 0), box(0, 0)) == 1.0
    assert box_iou(box(0, 0), box(20, 0)) == pytest.approx(1 / 3)
    assert box_iou(box(0, 0), box(100, 0)) == 0.0
    assert centre_distance(box(0, 0), box(80, 0)) == pytest.approx(2.0)


def test_face_moving_smoothly_is_one_track() -> None:
    frames = [[box(10.0 + 8 * i, 50.0)] for i in range(10)]

    tracks = link_tracks(frames)

    assert len(tracks) == 1
    assert tracks[0].positions == list(range(10))


def test_two_people_side_by_side_are_two_tracks() -> None:
    frames = [[box(300.0 - 5 * i, 50.0), box(20.0 + 5 * i, 60.0)] for i in range(6)]

    tracks = link_tracks(frames)

    assert len(tracks) == 2
    assert all(len(track.detections) == 6 for track in tracks)
    assert all(b.x1 >= 250 for b in tracks[0].boxes)
    assert all(b.x1 <= 50 for b in tracks[1].boxes)


def test_a_few_missed_detections_keep_the_track() -> None:
    frames: list[list[FaceBox]] = [[box(10.0, 10.0)], [], [], [box(14.0, 10.0)], [box(18.0, 10.0)]]

    tracks = link_tracks(frames, max_gap=2)

    assert [t.positions for t in tracks] == [[0, 3, 4]]


def test_a_gap_longer_than_max_gap_starts_a_new_track() -> None:
    frames: list[list[FaceBox]] = [[box(10.0, 10.0)], [], [], [], [box(10.0, 10.0)]]

    tracks = link_tracks(frames, max_gap=2)

    assert [t.positions for t in tracks] == [[0], [4]]


def test_far_apart_samples_link_by_centre_distance_when_boxes_do_not_overlap() -> None:
    # Sampled seconds apart: the face moved most of its own width each time.
    frames = [[box(10.0 + 35 * i, 10.0)] for i in range(5)]
    assert box_iou(frames[0][0], frames[1][0]) < 0.3

    assert len(link_tracks(frames)) == 1
    assert len(link_tracks(frames, max_centre_distance=0.5)) == 5


def test_a_much_smaller_face_near_by_is_another_person() -> None:
    frames = [[box(100.0, 100.0, size=80.0)], [box(130.0, 110.0, size=20.0)]]

    assert len(link_tracks(frames)) == 2


def test_each_box_goes_to_the_nearest_track() -> None:
    frames = [
        [box(0.0, 0.0), box(100.0, 0.0)],
        [box(95.0, 0.0), box(5.0, 0.0)],  # detections come in another order
    ]

    tracks = link_tracks(frames)

    assert [[b.x1 for b in t.boxes] for t in tracks] == [[0.0, 5.0], [100.0, 95.0]]


def test_no_frames_or_no_faces_give_no_tracks() -> None:
    assert link_tracks([]) == []
    assert link_tracks([[], []]) == []


# Real detections on frames made by pasting faces from the shared photos onto a
# textured background at moving positions.


def load_face(detector: FaceDetector, name: str, side: int) -> np.ndarray:
    with Image.open(MEDIA / name) as image:
        rgb = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    (crop,) = crop_faces(rgb, detector.detect(rgb)[:1], margin=1.6)
    return cv2.resize(crop, (side, side), interpolation=cv2.INTER_AREA)


def background(rng: np.random.Generator) -> np.ndarray:
    ramp = np.linspace(60, 190, 640, dtype=np.float32)
    image = np.dstack([np.tile(ramp, (360, 1))] * 3) + rng.normal(0, 6, (360, 640, 3))
    return np.clip(image, 0, 255).astype(np.uint8)


def paste(frame: np.ndarray, patch: np.ndarray, x: int, y: int) -> None:
    frame[y : y + patch.shape[0], x : x + patch.shape[1]] = patch


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


@needs_media
def test_real_detections_of_one_moving_face_form_one_track(detector: FaceDetector) -> None:
    face = load_face(detector, "facenet_kate_siegel.jpg", 110)
    rng = np.random.default_rng(1)
    frames = []
    for i in range(8):
        frame = background(rng)
        paste(frame, face, 40 + 50 * i, 120 + 10 * (i % 3))
        frames.append(frame)

    detections = [detector.detect(frame) for frame in frames]
    tracks = link_tracks(detections)

    assert [len(d) for d in detections] == [1] * 8
    assert len(tracks) == 1
    assert tracks[0].positions == list(range(8))


@needs_media
def test_real_detections_of_two_people_form_two_tracks(detector: FaceDetector) -> None:
    left = load_face(detector, "facenet_kate_siegel.jpg", 100)
    right = load_face(detector, "facenet_paul_rudd.jpg", 120)
    rng = np.random.default_rng(2)
    frames = []
    for i in range(8):
        frame = background(rng)
        paste(frame, left, 20 + 20 * i, 40 + 15 * i)
        paste(frame, right, 480 - 15 * i, 200 - 18 * i)
        frames.append(frame)

    tracks = link_tracks([detector.detect(frame) for frame in frames])

    assert len(tracks) == 2
    assert all(t.positions == list(range(8)) for t in tracks)
    sides = sorted(all(b.centre[0] < 320 for b in t.boxes) for t in tracks)
    assert sides == [False, True], "each track stays with one person"

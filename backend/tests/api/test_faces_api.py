"""Face-aware analysis seen from the API, on real photos and generated media."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from lopt.api.app import create_app
from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL
from tests.helpers import shared_data

MEDIA = shared_data() / "media"
pytestmark = pytest.mark.skipif(not MEDIA.is_dir(), reason=f"shared media not found at {MEDIA}")


def post_file(client: TestClient, path: Path) -> dict:  # type: ignore[type-arg]
    response = client.post("/playground", files={"file": (path.name, path.read_bytes())})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_group_photo_lists_and_judges_every_face(client: TestClient) -> None:
    body = post_file(client, MEDIA / "facenet_multiface.jpg")
    assert body["status"] == "ok" and body["rule"] == "most_suspicious_face"
    faces = body["faces"]
    assert len(faces) == 6 and all(face["judged"] for face in faces)
    width, height = body["media"]["width"], body["media"]["height"]
    for face in faces:
        box = face["box"]
        assert 0 <= box["x1"] < box["x2"] <= width and 0 <= box["y1"] < box["y2"] <= height
        assert face["label"] in {"Real", "Fake"} and 0 <= face["fake_probability"] <= 1
    assert body["fake_probability"] == pytest.approx(
        max(f["fake_probability"] for f in faces), abs=1e-4
    )


def test_portrait_box_is_in_original_upright_pixels(client: TestClient) -> None:
    body = post_file(client, MEDIA / "facenet_paul_rudd.jpg")
    [face] = body["faces"]
    box = face["box"]
    with Image.open(MEDIA / "facenet_paul_rudd.jpg") as image:
        width = image.width
    centre_x = (box["x1"] + box["x2"]) / 2 / width
    assert 0.25 < centre_x < 0.75 and (box["x2"] - box["x1"]) > 0.15 * width


def test_tiny_faces_are_listed_but_not_judged(client: TestClient) -> None:
    body = post_file(client, MEDIA / "blazeface_4faces.png")  # 128 px photo, faces of ~10 px
    assert len(body["faces"]) == 4
    assert not any(face["judged"] for face in body["faces"])
    assert all(face["label"] is None for face in body["faces"])
    assert body["status"] == "faces_too_small" and body["rule"] == "whole_image"
    assert "LOPT_MIN_FACE_SIZE" in body["note"]


def test_min_face_size_is_the_settings_value(make_settings) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(min_face_size=8))) as client:
        body = post_file(client, MEDIA / "blazeface_4faces.png")
    assert body["status"] == "ok" and all(face["judged"] for face in body["faces"])


def test_image_without_a_face_says_so(client: TestClient, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    path = tmp_path / "texture.png"
    Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)).save(path)
    body = post_file(client, path)
    assert body["status"] == "no_face" and body["faces"] == [] and body["rule"] == "whole_image"
    assert "No face was found" in body["note"]


def test_one_fake_face_makes_the_image_fake(make_settings, checkpoints) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(image_model=str(checkpoints["vit-fake"])))) as client:
        body = post_file(client, MEDIA / "facenet_multiface.jpg")
    assert body["label"] == "Fake" and all(face["label"] == "Fake" for face in body["faces"])


def test_face_analysis_can_be_turned_off(make_settings) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(face_analysis=False))) as client:
        body = post_file(client, MEDIA / "facenet_multiface.jpg")
    assert (
        body["faces"] is None
        and body["rule"] == "whole_image"
        and "LOPT_FACE_ANALYSIS" in body["note"]
    )


def moving_face_video(path: Path, frames: int = 30, visible: int | None = None) -> Path:
    """One real face gliding across a plain background (in the first ``visible`` frames)."""
    face = np.asarray(Image.open(MEDIA / "facenet_paul_rudd.jpg").convert("RGB"))
    face = cv2.resize(face, (160, int(160 * face.shape[0] / face.shape[1])))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (640, 360))
    for index in range(frames):
        canvas = np.full((360, 640, 3), 90, np.uint8)
        x = 20 + index * 14
        if visible is None or index < visible:
            canvas[60 : 60 + min(face.shape[0], 280), x : x + 160] = face[:280]
        writer.write(cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def test_moving_face_keeps_one_track_with_per_frame_scores(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    video = moving_face_video(tmp_path / "walk.mp4")
    with TestClient(create_app(make_settings(video_model="none", video_frames=8))) as client:
        body = post_file(client, video)
    assert body["status"] == "ok" and body["rule"] == "most_suspicious_person"
    [track] = body["tracks"]
    assert track["judged"] and len(track["frames"]) == 8
    xs = [frame["box"]["x1"] for frame in track["frames"]]
    assert xs == sorted(xs) and xs[-1] - xs[0] > 250  # follows the face left to right
    assert all(frame["fake_probability"] is not None for frame in track["frames"])
    mean = sum(frame["fake_probability"] for frame in track["frames"]) / 8
    assert track["fake_probability"] == pytest.approx(mean, abs=1e-3)
    assert body["frames_without_face"] == [] and body["frame_scores"] is None


def test_video_model_and_people_combine_by_the_highest_evidence(
    client: TestClient, tmp_path: Path
) -> None:
    body = post_file(client, moving_face_video(tmp_path / "walk.mp4"))
    assert body["rule"] == "max(most_suspicious_person, clips)"
    person = body["tracks"][0]["fake_probability"]
    clips = sum(c["fake_probability"] for c in body["clips"]) / len(body["clips"])
    assert body["fake_probability"] == pytest.approx(max(person, clips), abs=1e-3)


def test_real_crowd_video_is_tracked_in_original_pixels(client: TestClient) -> None:
    body = post_file(client, MEDIA / "multiperson_real_1080p.mp4")
    assert body["status"] == "ok" and len(body["tracks"]) >= 2
    boxes = [frame["box"] for track in body["tracks"] for frame in track["frames"]]
    assert max(box["x2"] for box in boxes) > 700  # mapped back from the decoded size to 1920 px
    assert all(box["x2"] <= 1920 and box["y2"] <= 1080 for box in boxes)


def test_a_person_glimpsed_in_too_few_frames_is_listed_not_judged(
    make_settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    video = moving_face_video(tmp_path / "glimpse.mp4", visible=6)  # the first 0.6 s of 3 s
    with TestClient(
        create_app(make_settings(video_model="none", video_frames=8, min_track_frames=3))
    ) as client:
        body = post_file(client, video)
    [track] = body["tracks"]
    assert not track["judged"] and track["fake_probability"] is None and len(track["frames"]) == 2
    assert len(body["frames_without_face"]) == 6
    assert body["status"] == "faces_too_small" and body["rule"] == "whole_frames"


def two_people_video(path: Path, frames: int = 20) -> Path:
    faces = []
    for name in ("facenet_paul_rudd.jpg", "facenet_kate_siegel.jpg"):
        face = np.asarray(Image.open(MEDIA / name).convert("RGB"))
        faces.append(cv2.resize(face, (150, int(150 * face.shape[0] / face.shape[1])))[:250])
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (640, 360))
    for index in range(frames):
        canvas = np.full((360, 640, 3), 90, np.uint8)
        for offset, face in zip((20, 400), faces, strict=True):
            x = offset + index * 4
            canvas[40 : 40 + face.shape[0], x : x + 150] = face
        writer.write(cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def test_per_frame_rule_takes_each_frames_most_suspicious_face(
    make_settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    video = two_people_video(tmp_path / "two.mp4")
    settings = make_settings(
        image_model=EMBEDDED_IMAGE_MODEL,  # trained: the two people score differently
        video_model="none",
        video_frames=8,
        video_face_rule="per_frame",
        video_aggregation="top_quarter",
    )
    with TestClient(create_app(settings)) as client:
        body = post_file(client, video)
    assert body["rule"] == "most_suspicious_face_per_frame" and body["aggregation"] == "top_quarter"
    assert len(body["tracks"]) == 2 and all(t["judged"] for t in body["tracks"])
    per_frame: dict[int, float] = {}
    for track in body["tracks"]:
        for frame in track["frames"]:
            index = frame["frame_index"]
            per_frame[index] = max(per_frame.get(index, 0.0), frame["fake_probability"])
    top = sorted(per_frame.values())[-2:]  # the highest quarter of 8 frames
    mean = sum(per_frame.values()) / len(per_frame)
    assert abs(sum(top) / 2 - mean) > 1e-3  # the rules differ on this video
    assert body["fake_probability"] == pytest.approx(sum(top) / 2, abs=2e-4)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([0.1, 0.2, 0.9, 0.3], 0.9), ([0.5], 0.5), ([0.1] * 6 + [0.7, 0.9], 0.8)],
)
def test_top_quarter_is_the_mean_of_the_highest_quarter(
    values: list[float], expected: float
) -> None:
    from lopt.inference.aggregation import aggregate

    assert aggregate(values, "top_quarter") == pytest.approx(expected)

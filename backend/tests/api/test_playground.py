from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from lopt.api.app import create_app
from tests.helpers import noise_image, shared_data, write_video

MEDIA = shared_data() / "media"


def jpeg_bytes(image: Image.Image | None = None) -> bytes:
    buffer = io.BytesIO()
    (image or noise_image()).save(buffer, format="JPEG")
    return buffer.getvalue()


def post(
    client: TestClient,
    content: bytes,
    name: str = "upload.bin",
    mime: str = "application/octet-stream",
):  # type: ignore[no-untyped-def]
    return client.post("/playground", files={"file": (name, content, mime)})


def assert_error(response, status: int, code: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert "Traceback" not in response.text
    return str(body["error"]["message"])


def test_image_gets_a_verdict_in_the_documented_shape(client: TestClient, upload_dir: Path) -> None:
    response = post(client, jpeg_bytes(), "holiday.jpg", "image/jpeg")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["type"] == "image"
    assert body["label"] in {"Real", "Fake"}
    fake = body["fake_probability"]
    assert body["probabilities"] == pytest.approx({"Real": 1 - fake, "Fake": fake}, abs=1e-4)
    expected_label = "Fake" if fake >= body["threshold"] else "Real"
    assert body["label"] == expected_label
    assert body["confidence"] == pytest.approx(body["probabilities"][expected_label], abs=1e-4)
    assert body["media"] == {
        "format": "jpeg", "mime": "image/jpeg", "width": 96, "height": 64,
        "duration_s": None, "fps": None, "frame_count": None, "sampled_frames": None,
    }  # fmt: skip
    assert body["filename"] == "holiday.jpg"
    assert body["clips"] is None
    assert list(upload_dir.iterdir()) == []


@pytest.mark.parametrize("key", ["vit-fake", "vit-fake-first"])
def test_verdict_follows_the_checkpoints_id2label(make_settings, checkpoints, key: str) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(image_model=str(checkpoints[key])))) as client:
        body = post(client, jpeg_bytes()).json()
    assert body["label"] == "Fake"
    assert body["confidence"] > 0.99


def test_type_comes_from_bytes_not_from_name_or_content_type(client: TestClient) -> None:
    response = post(client, jpeg_bytes(), "clip.mp4", "video/mp4")
    assert response.status_code == 200 and response.json()["type"] == "image"


def test_text_file_renamed_jpg_is_refused_with_415(client: TestClient, upload_dir: Path) -> None:
    message = assert_error(
        post(client, b"just some notes\n" * 20, "photo.jpg", "image/jpeg"), 415, "unsupported_media"
    )
    assert "JPEG" in message  # says what would be accepted
    assert list(upload_dir.iterdir()) == []


def test_pdf_is_refused_naming_its_type(client: TestClient) -> None:
    message = assert_error(
        post(client, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
        415,
        "unsupported_media",
    )
    assert "application/pdf" in message


def test_truncated_jpeg_is_422_and_leaves_no_temp_file(
    client: TestClient, upload_dir: Path
) -> None:
    data = jpeg_bytes(noise_image(400, 300))
    assert_error(post(client, data[: len(data) // 2]), 422, "corrupt_media")
    assert list(upload_dir.iterdir()) == []


def test_upload_over_the_byte_limit_is_413(make_settings, upload_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(max_upload_bytes=10_000))) as client:
        data = jpeg_bytes(noise_image(300, 300))
        assert len(data) > 10_000
        message = assert_error(post(client, data), 413, "media_too_large")
        assert "LOPT_MAX_UPLOAD_BYTES" in message
        assert post(client, jpeg_bytes(noise_image(40, 30))).status_code == 200
    assert list(upload_dir.iterdir()) == []


def test_image_over_the_pixel_limit_is_413(make_settings) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(max_image_pixels=5_000))) as client:
        message = assert_error(
            post(client, jpeg_bytes(noise_image(100, 100))), 413, "media_too_large"
        )
        assert "LOPT_MAX_IMAGE_PIXELS" in message
        assert post(client, jpeg_bytes(noise_image(50, 50))).status_code == 200


def test_request_without_a_file_is_422(client: TestClient) -> None:
    response = client.post(
        "/playground", data={"note": "hello"}, files={"other": ("", b"", "text/plain")}
    )
    assert_error(response, 422, "invalid_request")


def test_non_multipart_request_is_415_and_explains_how(client: TestClient) -> None:
    message = assert_error(
        client.post("/playground", content=b"{}", headers={"content-type": "application/json"}),
        415,
        "unsupported_media",
    )
    assert "-F file=@" in message


def test_video_is_sampled_over_its_whole_length(
    client: TestClient, tmp_path: Path, upload_dir: Path
) -> None:
    path = write_video(tmp_path / "clip.mp4", frames=60, fps=10)
    response = post(client, path.read_bytes(), "clip.mp4", "video/mp4")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["type"] == "video" and body["label"] in {"Real", "Fake"}
    assert body["aggregation"] == "mean"
    clips = body["clips"]
    assert len(clips) == 3  # LOPT_VIDEO_CLIPS in the fixture
    assert all(len(c["frame_indices"]) == 4 for c in clips)  # the checkpoint's num_frames
    assert clips[0]["start_s"] < 1.0 and clips[-1]["end_s"] > 5.0  # covers the 6 s video
    starts = [c["start_s"] for c in clips]
    assert starts == sorted(starts)
    mean = sum(c["fake_probability"] for c in clips) / len(clips)
    assert body["fake_probability"] == pytest.approx(mean, abs=1e-3)
    assert body["media"]["duration_s"] == pytest.approx(6.0, abs=0.2)
    assert body["media"]["sampled_frames"] == 12
    assert list(upload_dir.iterdir()) == []


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".avi", ".webm", ".mkv"])
def test_common_video_containers_are_analysed(
    client: TestClient, tmp_path: Path, suffix: str
) -> None:
    path = write_video(tmp_path / f"clip{suffix}", frames=24, fps=8)
    response = post(client, path.read_bytes(), "upload.bin")
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "video"


def test_video_over_the_duration_limit_is_413(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_video(tmp_path / "long.mp4", frames=50, fps=10)
    with TestClient(create_app(make_settings(max_video_seconds=3))) as client:
        message = assert_error(post(client, path.read_bytes()), 413, "media_too_large")
    assert "LOPT_MAX_VIDEO_SECONDS" in message


def test_video_without_decodable_frames_is_422(client: TestClient, tmp_path: Path) -> None:
    data = write_video(tmp_path / "clip.avi", frames=20).read_bytes()
    # Keep the container header, destroy every frame.
    broken = data[:400] + bytes(len(data) - 400)
    assert_error(post(client, broken), 422, "corrupt_media")


def test_verdict_with_a_biased_video_model(make_settings, checkpoints, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(video_model=str(checkpoints["timesformer-fake"]))
    with TestClient(create_app(settings)) as client:
        body = post(client, write_video(tmp_path / "v.mp4").read_bytes()).json()
    assert body["label"] == "Fake" and body["confidence"] > 0.99
    assert all(clip["label"] == "Fake" for clip in body["clips"])


def test_video_without_a_video_model_is_judged_frame_by_frame(
    make_settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(video_model="none", video_frames=10))) as client:
        body = post(client, write_video(tmp_path / "v.mp4", frames=50).read_bytes()).json()
        assert [m["task"] for m in client.get("/api/models").json()] == ["image"]
    assert body["type"] == "video" and body["clips"] is None
    assert body["status"] == "no_face" and body["rule"] == "whole_frames"
    # A face model with no face cannot judge: the frames' scores are shown, not a verdict.
    assert body["verdict"] == "not_applicable" and "for reference" in body["note"]
    assert "judges faces only" in body["verdict_reason"]
    frames = body["frame_scores"]
    assert len(frames) == 10 and frames[0]["frame_index"] < 5 and frames[-1]["frame_index"] >= 45
    mean = sum(f["fake_probability"] for f in frames) / len(frames)
    assert body["fake_probability"] == pytest.approx(mean, abs=1e-3)


def test_video_needs_a_video_model_or_face_analysis(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(video_model="none", face_analysis=False)
    with TestClient(create_app(settings)) as client:
        response = post(client, write_video(tmp_path / "v.mp4").read_bytes())
    assert "LOPT_VIDEO_MODEL" in assert_error(response, 415, "unsupported_media")


def test_a_video_larger_than_the_queue_is_fed_in_batches(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(queue_depth=2, max_batch_size=2, video_clips=5)
    with TestClient(create_app(settings)) as client:
        body = post(client, write_video(tmp_path / "v.mp4", frames=60).read_bytes()).json()
    assert len(body["clips"]) == 5


@pytest.mark.skipif(not MEDIA.is_dir(), reason=f"shared media not found at {MEDIA}")
def test_real_photos_and_video_from_shared_data(client: TestClient) -> None:
    photos = sorted(MEDIA.glob("facenet_*.jpg")) + sorted(MEDIA.glob("*.png"))
    assert photos
    for photo in photos:
        response = post(client, photo.read_bytes(), photo.name)
        assert response.status_code == 200, (photo.name, response.text)
        with Image.open(photo) as original:
            assert (
                response.json()["media"]["width"],
                response.json()["media"]["height"],
            ) == original.size
    video = MEDIA / "multiperson_real_1080p.mp4"
    body = post(client, video.read_bytes(), video.name).json()
    assert body["type"] == "video"
    assert body["media"]["width"] == 1920 and body["media"]["frame_count"] == 105
    assert body["clips"][-1]["end_s"] > 3.5  # the last clip reaches the end of the 4.2 s video

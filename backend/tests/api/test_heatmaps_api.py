"""Heatmaps seen from the API: asked for with explain=true, one per judged face (and per
person's most suspicious video frames), placed over the crop the model saw."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from lopt.api.app import create_app
from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL
from tests.api.test_faces_api import moving_face_video
from tests.helpers import shared_data

MEDIA = shared_data() / "media"
pytestmark = pytest.mark.skipif(not MEDIA.is_dir(), reason=f"shared media not found at {MEDIA}")
GROUP = MEDIA / "facenet_multiface.jpg"


def post(client: TestClient, path: Path, data: dict | None = None, query: str = "") -> dict:  # type: ignore[type-arg]
    response = client.post(
        f"/playground{query}", files={"file": (path.name, path.read_bytes())}, data=data
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def png(url: str) -> Image.Image:
    assert url.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


def inside(face: dict, crop: dict) -> bool:  # type: ignore[type-arg]
    return all(
        [
            crop["x1"] <= face["x1"] + 1,
            crop["y1"] <= face["y1"] + 1,
            crop["x2"] >= face["x2"] - 1,
            crop["y2"] >= face["y2"] - 1,
        ]
    )


def test_every_judged_face_gets_a_map_over_the_crop_it_was_judged_on(make_settings) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(heatmap_side=48))) as client:
        body = post(client, GROUP, data={"explain": "true"})
    faces = [face for face in body["faces"] if face["judged"]]
    assert len(faces) == 6
    explanation = body["explanation"]
    assert explanation["heatmaps"] == 6 and explanation["precision"] == "float32"
    assert explanation["methods"] == ["grad-cam", "attention-rollout"]
    for face in faces:
        heatmap, attention = face["heatmap"], face["attention_map"]
        assert heatmap["method"] == "grad-cam" and heatmap["layer"] == "vit.layers.0 (input)"
        assert attention["method"] == "attention-rollout"
        assert inside(face["box"], heatmap["box"]) and heatmap["box"] == attention["box"]
        for block in (heatmap, attention):
            assert block["localised"] == (block["image"] is not None)
            if block["image"]:
                assert png(block["image"]).size == (48, 48)


def test_the_shipped_detector_explains_through_its_float32_weights_while_serving_onnx(
    make_settings,  # type: ignore[no-untyped-def]
) -> None:
    settings = make_settings(image_model=EMBEDDED_IMAGE_MODEL, precision="onnx", video_model="none")
    with TestClient(create_app(settings)) as client:
        [model] = [m for m in client.get("/api/models").json() if m["task"] == "image"]
        plain = post(client, MEDIA / "facenet_paul_rudd.jpg")
        explained = post(client, MEDIA / "facenet_paul_rudd.jpg", query="?explain=true")
    assert model["precision"] == "onnx"
    assert explained["explanation"]["model"] == EMBEDDED_IMAGE_MODEL
    assert explained["explanation"]["layer"] == "timm_model.global_pool (input)"
    [face] = explained["faces"]
    assert face["heatmap"]["localised"] and png(face["heatmap"]["image"]).mode == "RGBA"
    assert face["attention_map"] is None  # rollout is for transformers
    # explain changes nothing else: same scores, and no heatmap fields when it is off
    assert explained["fake_probability"] == plain["fake_probability"]
    assert plain["explanation"] is None and plain["faces"][0]["heatmap"] is None


def test_a_map_without_concentrated_evidence_is_reported_not_drawn(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(image_model=EMBEDDED_IMAGE_MODEL, heatmap_min_concentration=0.99)
    with TestClient(create_app(settings)) as client:
        body = post(client, MEDIA / "facenet_paul_rudd.jpg", data={"explain": "1"})
    [face] = body["faces"]
    assert face["heatmap"]["localised"] is False and face["heatmap"]["image"] is None
    assert face["heatmap"]["concentration"] < 0.99


def test_no_face_means_no_map_and_says_so(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "texture.png"
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)).save(path)
    body = post(client, path, data={"explain": "true"})
    assert body["verdict"] == "not_applicable"
    assert body["explanation"]["heatmaps"] == 0 and "No face" in body["explanation"]["note"]
    assert body["heatmap"] is None


def test_a_video_gets_maps_on_each_persons_most_suspicious_frames_only(
    make_settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    video = moving_face_video(tmp_path / "walk.mp4")
    settings = make_settings(video_model="none", video_frames=8, heatmap_frames=2)
    with TestClient(create_app(settings)) as client:
        body = post(client, video, data={"explain": "true"})
    [track] = body["tracks"]
    drawn = [frame for frame in track["frames"] if frame["heatmap"] is not None]
    assert len(drawn) == 2 and body["explanation"]["heatmaps"] == 2
    top = sorted(frame["fake_probability"] for frame in track["frames"])[-2:]
    assert sorted(frame["fake_probability"] for frame in drawn) == top
    for frame in drawn:
        assert inside(frame["box"], frame["heatmap"]["box"])
        assert frame["heatmap"]["box"]["x2"] <= 640 and frame["heatmap"]["box"]["y2"] <= 360


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_bad_explain_value_is_refused_and_leaves_nothing_behind(
    client: TestClient, upload_dir: Path, value: str
) -> None:
    response = client.post(
        "/playground",
        files={"file": (GROUP.name, GROUP.read_bytes())},
        data={"explain": value},
    )
    assert response.status_code == 422
    assert "explain" in response.json()["error"]["message"]
    assert list(upload_dir.iterdir()) == []


def test_a_server_without_heatmaps_refuses_explain_and_still_judges(make_settings) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(heatmaps=False))) as client:
        refused = client.post(
            "/playground?explain=true", files={"file": (GROUP.name, GROUP.read_bytes())}
        )
        plain = post(client, GROUP)
    assert refused.status_code == 422
    assert "LOPT_HEATMAPS=false" in refused.json()["error"]["message"]
    assert plain["explanation"] is None and plain["verdict"] != "not_applicable"

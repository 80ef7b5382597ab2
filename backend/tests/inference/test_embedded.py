"""The embedded detector: shipped weights that load offline and tell real from fake faces."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from lopt.api.app import create_app
from lopt.config import Settings
from lopt.errors import ModelUnavailable
from lopt.inference.precision import apply_configured_precision, read_record
from lopt.inference.service import DetectionService
from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL, embedded_path
from lopt.tools.export import load_float32
from lopt.training.metrics import roc_auc
from tests.helpers import MEDIA, needs_media, shared_data

FACES = shared_data() / "faces"
TEST_SPLIT = (
    Path(__file__).resolve().parents[3] / "models" / EMBEDDED_IMAGE_MODEL / "test-split.csv"
)
UNREACHABLE_HUB = {"HF_ENDPOINT": "http://127.0.0.1:9", "HF_HUB_OFFLINE": ""}


def test_embedded_weights_ship_with_the_package() -> None:
    folder = embedded_path(EMBEDDED_IMAGE_MODEL)
    assert folder is not None, "the embedded detector's weights are missing from the package"
    weights = folder / "model.safetensors"
    assert 1_000_000 < weights.stat().st_size < 30_000_000  # the embedded budget: 30 MB


@pytest.fixture
def offline_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    for key, value in UNREACHABLE_HUB.items():
        monkeypatch.setenv(key, value)


def test_unreachable_hub_model_falls_back_to_the_embedded_detector(
    offline_hub, upload_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        hub_timeout_s=1, upload_dir=upload_dir
    )  # defaults: agasta/virtus, agasta/scarlet
    with TestClient(create_app(settings)) as client:
        models = client.get("/api/models").json()
        photo = shared_data() / "media" / "facenet_paul_rudd.jpg"
        if not photo.exists():
            pytest.skip(f"shared media not found at {photo}")
        body = client.post("/playground", files={"file": ("p.jpg", photo.read_bytes())}).json()
    assert [(m["id"], m["replaces"]) for m in models] == [(EMBEDDED_IMAGE_MODEL, "agasta/virtus")]
    assert models[0]["precision"] == "onnx"  # auto, from the shipped record
    assert body["model"] == {
        "id": EMBEDDED_IMAGE_MODEL,
        "revision": None,
        "replaces": "agasta/virtus",
    }
    assert body["status"] == "ok" and len(body["faces"]) == 1


def test_fallback_can_be_turned_off(offline_hub) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelUnavailable, match="LOPT_IMAGE_MODEL"):
        DetectionService.load(Settings(hub_timeout_s=1, model_fallback=False))


def held_out(source: str, label: int, count: int, seed: int = 0) -> list[Path]:
    """Files of the shipped detector's own test split (identities never seen in training),
    listed in its model card's folder by path under the shared data folder."""
    with TEST_SPLIT.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["source"] == source]
    paths = [shared_data() / r["path"] for r in rows if int(r["label"] == "fake") == label]
    chosen = np.random.default_rng(seed).choice(len(paths), count, replace=False)
    return [paths[i] for i in sorted(chosen)]


def serving_scores(paths: list[Path]) -> list[float]:
    service = DetectionService.load(Settings(image_model=EMBEDDED_IMAGE_MODEL, video_model="none"))

    async def score() -> list[float]:
        await service.start()
        try:
            return [(await service.analyse(path)).fake_probability for path in paths]
        finally:
            await service.stop()

    return asyncio.run(score())


@pytest.mark.skipif(not FACES.is_dir(), reason=f"shared faces not found at {FACES}")
@pytest.mark.parametrize(
    ("source", "floor"),
    [("lfw-faceswap-250", 0.90), ("ffhq-tpdne-128", 0.75)],  # face swaps 0.97, StyleGAN2 0.84
)
def test_embedded_detector_separates_held_out_real_and_fake_faces(
    source: str, floor: float
) -> None:
    """60 real and 60 fake files of one source from the training run's test split, through
    the serving path (decode, face detection, crop, batch)."""
    reals, fakes = held_out(source, 0, 60), held_out(source, 1, 60)
    probabilities = serving_scores(reals + fakes)
    assert roc_auc([0] * 60 + [1] * 60, probabilities) >= floor


def test_embedded_detector_ships_its_checked_onnx_file() -> None:
    """The record `lopt export --check` wrote on the training run's validation faces, and
    the ONNX file it vouches for: `auto` serves that file."""
    folder = embedded_path(EMBEDDED_IMAGE_MODEL)
    assert folder is not None
    record = read_record(folder)
    assert record["onnx"].samples >= 500 and record["onnx"].agreement >= 0.99
    assert (folder / "model.onnx").is_file()
    loaded = apply_configured_precision(
        load_float32(EMBEDDED_IMAGE_MODEL),
        Settings(precision="auto"),
    )
    assert loaded.precision == "onnx"


@needs_media
def test_onnx_and_exact_give_the_same_answers_on_real_photos() -> None:
    photos = ["facenet_multiface.jpg", "facenet_angelina_jolie.jpg", "skimage_astronaut.png"]

    async def answers(precision: str) -> list[list[float]]:
        settings = Settings(
            image_model=EMBEDDED_IMAGE_MODEL, video_model="none", precision=precision
        )
        service = DetectionService.load(settings)
        assert service.image.loaded.precision == precision
        await service.start()
        try:
            results = [await service.analyse(MEDIA / name) for name in photos]
        finally:
            await service.stop()
        return [[face.fake_probability or 0.0 for face in r.faces or []] for r in results]

    exact, onnx = asyncio.run(answers("exact")), asyncio.run(answers("onnx"))
    assert [len(faces) for faces in exact] == [6, 1, 1]
    assert [len(faces) for faces in onnx] == [6, 1, 1]
    flat = [[p for faces in answers for p in faces] for answers in (exact, onnx)]
    assert np.allclose(*flat, atol=1e-3)

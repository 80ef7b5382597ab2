from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch

from lopt.errors import ModelLoadError, ModelUnavailable
from lopt.inference.detectors import ImageDetector, VideoDetector
from lopt.inference.registry import load_model
from tests.helpers import build_image_model, noise_image

CPU = {"device": torch.device("cpu"), "dtype": torch.float32}


@pytest.mark.parametrize("kind", ["vit", "deit"])
def test_image_checkpoints_load_and_predict(checkpoints, kind: str) -> None:  # type: ignore[no-untyped-def]
    loaded = load_model(str(checkpoints[kind]), task="image", setting="LOPT_IMAGE_MODEL", **CPU)
    assert not loaded.model.training
    assert loaded.labels.verdicts == ("Real", "Fake")
    detector = ImageDetector(loaded)
    batch = torch.stack([detector.preprocess(noise_image(seed=s)) for s in range(2)])
    fake = detector.predict(batch)
    assert fake.shape == (2,) and ((fake >= 0) & (fake <= 1)).all()


@pytest.mark.parametrize("kind", ["timesformer", "videomae"])
def test_video_checkpoints_load_and_predict(checkpoints, kind: str) -> None:  # type: ignore[no-untyped-def]
    loaded = load_model(str(checkpoints[kind]), task="video", setting="LOPT_VIDEO_MODEL", **CPU)
    assert loaded.num_frames == 4
    detector = VideoDetector(loaded)
    clip = detector.preprocess([noise_image(seed=s) for s in range(4)])  # type: ignore[misc]
    assert clip.shape == (4, 3, 32, 32)
    assert detector.predict(clip[None]).shape == (1,)


def test_bfloat16_weights_give_float32_probabilities(checkpoints) -> None:  # type: ignore[no-untyped-def]
    loaded = load_model(
        str(checkpoints["vit"]),
        task="image",
        setting="X",
        device=torch.device("cpu"),
        dtype=torch.bfloat16,
    )
    assert next(loaded.model.parameters()).dtype == torch.bfloat16
    detector = ImageDetector(loaded)
    fake = detector.predict(detector.preprocess(noise_image())[None])
    assert fake.dtype.name == "float32"


def test_image_model_given_as_video_model_is_refused(checkpoints) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelLoadError, match="not a video classifier"):
        load_model(str(checkpoints["vit"]), task="video", setting="LOPT_VIDEO_MODEL", **CPU)


def test_checkpoint_with_unmappable_labels_is_refused(tmp_path: Path) -> None:
    folder = build_image_model(tmp_path / "m", id2label={0: "LABEL_0", 1: "LABEL_1"})
    with pytest.raises(ModelLoadError, match="cannot map"):
        load_model(str(folder), task="image", setting="LOPT_IMAGE_MODEL", **CPU)


def test_checkpoint_without_processor_is_refused(tmp_path: Path) -> None:
    folder = build_image_model(tmp_path / "m")
    (folder / "preprocessor_config.json").unlink()
    with pytest.raises(ModelLoadError, match="processor"):
        load_model(str(folder), task="image", setting="LOPT_IMAGE_MODEL", **CPU)


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="LOPT_IMAGE_MODEL"):
        load_model(str(tmp_path / "nope"), task="image", setting="LOPT_IMAGE_MODEL", **CPU)


def test_hub_model_without_network_fails_fast_and_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    started = time.perf_counter()
    with pytest.raises(ModelUnavailable) as raised:
        load_model(
            "agasta/virtus", task="image", setting="LOPT_IMAGE_MODEL", hub_timeout_s=2, **CPU
        )
    assert time.perf_counter() - started < 10
    message = raised.value.message
    assert "LOPT_IMAGE_MODEL=./models/virtus" in message and "cannot be reached" in message


def test_offline_mode_is_respected(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailable, match="HF_HUB_OFFLINE"):
        load_model("agasta/scarlet", task="video", setting="LOPT_VIDEO_MODEL", **CPU)

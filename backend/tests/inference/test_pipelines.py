"""Pipelines are built from what they use, without a service, and return finished verdicts."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from lopt.config import Settings
from lopt.inference.batcher import MicroBatcher
from lopt.inference.detectors import ImageDetector
from lopt.inference.pipelines import ImageOptions, ImagePipeline, MediaInput
from lopt.inference.pipelines.evidence import combine
from lopt.inference.registry import load_model
from lopt.inference.results import Prediction
from lopt.media.sniff import sniff_media
from tests.helpers import build_image_model, load_on_cpu, set_policy


def test_an_image_pipeline_alone_returns_a_finished_verdict(checkpoints, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loaded = load_model(
        str(checkpoints["vit-fake"]),
        task="image",
        setting="LOPT_IMAGE_MODEL",
        device=torch.device("cpu"),
        dtype=torch.float32,
    )
    detector = ImageDetector(loaded)
    photo = tmp_path / "photo.png"
    Image.fromarray(np.full((64, 80, 3), 90, dtype=np.uint8)).save(photo)

    async def judge() -> Prediction:
        with ThreadPoolExecutor(max_workers=1) as executor:
            batcher = MicroBatcher(
                detector.predict, executor=executor, max_batch_size=4, max_wait_ms=1, queue_depth=8
            )
            batcher.start()
            pipeline = ImagePipeline(
                detector, batcher, None, ImageOptions.from_settings(Settings())
            )
            try:
                return await pipeline.run(MediaInput(photo, sniff_media(photo), "photo.png"))
            finally:
                await batcher.stop()

    prediction = asyncio.run(judge())
    assert prediction.label == "Fake" and prediction.rule == "whole_image"
    # A face model with face analysis off cannot judge: the score is shown, not a verdict.
    assert prediction.verdict == "not_applicable" and prediction.status == "face_analysis_off"
    assert prediction.note and "LOPT_IMAGE_MODEL_INPUT" in prediction.note
    assert prediction.faces is None
    assert prediction.filename == "photo.png" and prediction.elapsed_ms > 0
    assert prediction.media.width == 80 and prediction.model.id == str(checkpoints["vit-fake"])


def test_the_verdict_takes_the_most_suspicious_evidence_on_the_calibrated_scale(
    tmp_path: Path,
) -> None:
    def detector(name: str, temperature: float) -> ImageDetector:
        folder = set_policy(
            build_image_model(tmp_path / name),
            lopt_calibration={"method": "temperature", "params": {"temperature": temperature}},
        )
        loaded = load_on_cpu(folder)
        return ImageDetector(loaded)

    faces, clips = detector("faces", 1.0), detector("clips", 10.0)
    rule, chosen, scores = combine({"most_suspicious_person": (faces, 0.2)})
    assert (rule, chosen, scores.raw_fake_probability) == ("most_suspicious_person", faces, 0.2)
    # Raw 0.7 from a model whose scores overstate (temperature 10) means less than 0.6
    # from a calibrated one: each model's own map decides which evidence is stronger.
    rule, chosen, scores = combine({"most_suspicious_person": (faces, 0.6), "clips": (clips, 0.7)})
    assert rule == "max(most_suspicious_person, clips)" and chosen is faces
    assert scores.fake_probability == pytest.approx(0.6)
    with pytest.raises(ValueError):
        combine({})

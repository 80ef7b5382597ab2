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
from lopt.inference.pipelines.evidence import FACES_OFF_NOTE, combine
from lopt.inference.registry import load_model
from lopt.inference.results import Prediction
from lopt.media.sniff import sniff_media


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
    assert prediction.note == FACES_OFF_NOTE and prediction.faces is None
    assert prediction.filename == "photo.png" and prediction.elapsed_ms > 0
    assert prediction.media.width == 80 and prediction.model.id == str(checkpoints["vit-fake"])


def test_the_verdict_takes_the_most_suspicious_evidence_and_names_it() -> None:
    assert combine({"most_suspicious_person": 0.2}) == ("most_suspicious_person", 0.2)
    assert combine({"most_suspicious_person": 0.2, "clips": 0.7}) == (
        "max(most_suspicious_person, clips)",
        0.7,
    )
    with pytest.raises(ValueError):
        combine({})

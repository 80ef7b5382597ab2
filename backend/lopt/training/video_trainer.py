"""``lopt train --task video``: fine-tune a TimeSformer/VideoMAE-style video classifier.

Data is a folder of videos under real/fake folders (or a CSV manifest); the split is
stratified by label and grouped by source clip. Each clip is ``num_frames`` frames spread
over the whole video, decoded with the serving sampler (``media.video``) at the serving
frame size and prepared by the checkpoint's own processor, exactly as ``POST /playground``
does. Training, resume, early stopping, the threshold rule and the reports are the same
as for face crops (``lopt.training.loop``, ``lopt.training.report``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler
from transformers import AutoModelForVideoClassification

from lopt.config import load_settings
from lopt.inference.detectors import preprocess_clip
from lopt.media.video import probe_video, read_frames, sample_frame_indices
from lopt.training.config import ID2LABEL, TrainConfig
from lopt.training.data import VIDEO_SUFFIXES, Sample
from lopt.training.dataset import balanced_weights
from lopt.training.loop import EvalSet, fit
from lopt.training.models import build_trainable
from lopt.training.report import finish
from lopt.training.trainer import seed_worker, start_run
from lopt.training.weights import init_weights


class ClipDataset(Dataset[tuple[torch.Tensor, int]]):
    """One clip per video, frames spread over its whole length, via the serving code."""

    def __init__(
        self,
        samples: list[Sample],
        processor: Any,
        num_frames: int,
        frame_side: int,
        limits: dict[str, Any],
    ) -> None:
        self.samples, self.processor, self.num_frames = samples, processor, num_frames
        self.frame_side, self.limits = frame_side, limits

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        sample = self.samples[index]
        info = probe_video(sample.path, **self.limits)
        indices = sample_frame_indices(info.frame_count, self.num_frames)
        frames = read_frames(sample.path, indices, max_side=self.frame_side)
        clip = preprocess_clip(self.processor, [frame.image for frame in frames], self.num_frames)
        return clip, sample.label


def train_video(config: TrainConfig) -> Path:
    """Train a video classifier; save the best epoch with its threshold and reports."""
    _, splits = start_run(config, VIDEO_SUFFIXES)
    trainable = build_trainable(
        config.backbone, ID2LABEL, 0, freeze_stages=0, lora=config.lora, task="video"
    )
    if config.init_from is not None:
        init_weights(trainable.model, config.init_from, lora=config.lora)
    settings = load_settings()  # frames are decoded as the service decodes them
    limits = {"max_seconds": settings.max_video_seconds, "max_pixels": settings.max_video_pixels}
    num_frames = int(trainable.config.num_frames)

    def dataset(samples: list[Sample]) -> ClipDataset:
        return ClipDataset(
            samples, trainable.processor, num_frames, settings.video_frame_side, limits
        )

    sets = {
        name: EvalSet(
            loader=DataLoader(dataset(part), batch_size=config.batch_size),
            labels=np.array([s.label for s in part], dtype=np.int64),
            sources=np.array([s.source for s in part], dtype=object),
            kinds=np.array(["fake" if s.label else "real" for s in part], dtype=object),
        )
        for name, part in (("val", splits.val), ("test", splits.test))
    }
    keys = [(s.source, "fake" if s.label else "real") for s in splits.train]
    generator = torch.Generator().manual_seed(config.seed)
    train_loader = DataLoader(
        dataset(splits.train),
        batch_size=config.batch_size,
        sampler=WeightedRandomSampler(
            balanced_weights(keys, config.source_share, config.source_weight).tolist(),
            num_samples=config.samples_per_epoch or len(splits.train),
            replacement=True,
            generator=generator,
        ),
        num_workers=config.workers,
        worker_init_fn=seed_worker,
        generator=generator,
    )
    fitted = fit(trainable.model, train_loader, sets["val"], trainable.save, config)
    recipe = {"video_frame_side": settings.video_frame_side, **fitted.summary}
    return finish(fitted.best, AutoModelForVideoClassification, sets, config, recipe)

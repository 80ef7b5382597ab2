"""``lopt train --task video``: fine-tune a TimeSformer/VideoMAE-style video classifier.

Data is a folder of videos under real/fake folders (or a CSV manifest); the split is
stratified by label and grouped by source clip. Each clip is ``num_frames`` frames spread
over the whole video, decoded with the serving sampler (``media.video``) and prepared by
the checkpoint's own processor, exactly as ``POST /playground`` does. The best epoch by
validation ROC AUC is saved with a threshold chosen on validation data, and the test split
is reported.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm
from transformers import AutoModelForVideoClassification

from lopt.inference.detectors import VideoDetector
from lopt.inference.labels import map_labels
from lopt.inference.registry import THRESHOLD_KEY, LoadedModel, load_processor
from lopt.media.video import probe_video, read_frames, sample_frame_indices
from lopt.training import metrics
from lopt.training.data import VIDEO_SUFFIXES, Sample
from lopt.training.trainer import ID2LABEL, TrainConfig, start_run

log = logging.getLogger(__name__)
MAX_SECONDS = 3600.0
MAX_PIXELS = 3840 * 2160


class ClipDataset(Dataset[tuple[torch.Tensor, int]]):
    """One clip per video, frames spread over its whole length, via the serving code."""

    def __init__(self, samples: list[Sample], detector: VideoDetector, frame_side: int) -> None:
        self.samples, self.detector, self.frame_side = samples, detector, frame_side

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        sample = self.samples[index]
        info = probe_video(sample.path, max_seconds=MAX_SECONDS, max_pixels=MAX_PIXELS)
        indices = sample_frame_indices(info.frame_count, self.detector.num_frames)
        frames = read_frames(sample.path, indices, max_side=self.frame_side)
        return self.detector.preprocess([frame.image for frame in frames]), sample.label


def train_video(config: TrainConfig) -> Path:
    _, splits = start_run(config, VIDEO_SUFFIXES)
    model = AutoModelForVideoClassification.from_pretrained(
        config.backbone,
        num_labels=2,
        id2label=ID2LABEL,
        label2id={v: k for k, v in ID2LABEL.items()},
        ignore_mismatched_sizes=True,
    )
    processor = load_processor(config.backbone, "video", "--backbone", {})
    loaded = LoadedModel(
        model_id=str(config.output),
        revision=None,
        task="video",
        model=model,
        processor=processor,
        labels=map_labels(dict(ID2LABEL.items()), "video"),
        device=torch.device("cpu"),
        dtype=torch.float32,
        threshold=0.5,
        num_frames=int(model.config.num_frames),
        parameters=sum(p.numel() for p in model.parameters()),
    )
    detector = VideoDetector(loaded)
    trained: nn.Module = model
    if config.lora:
        from peft import LoraConfig, get_peft_model

        lora = LoraConfig(
            r=8, lora_alpha=16, target_modules="all-linear", modules_to_save=["classifier"]
        )
        trained = get_peft_model(model, lora)
    loader = DataLoader(
        ClipDataset(splits.train, detector, config.image_size * 2),
        batch_size=config.batch_size,
        shuffle=True,
        num_workers=config.workers,
        generator=torch.Generator().manual_seed(config.seed),
    )
    parameters = [p for p in trained.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    best_auc, best_state, steps = -1.0, None, 0
    for epoch in range(config.epochs):
        trained.train()
        for pixels, labels in tqdm(
            loader, desc=f"epoch {epoch + 1}/{config.epochs}", mininterval=10
        ):
            loss = loss_fn(trained(pixel_values=pixels).logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            steps += 1
            if config.max_steps and steps >= config.max_steps:
                break
        labels_val, probs_val = _predict(trained, splits.val, detector, config)
        auc = metrics.roc_auc(labels_val, probs_val) if len(set(labels_val)) == 2 else 0.0
        log.info("epoch %d: val ROC AUC %.4f", epoch + 1, auc)
        if auc > best_auc:
            best_auc = auc
            best_state = {k: v.detach().clone() for k, v in trained.state_dict().items()}
        if config.max_steps and steps >= config.max_steps:
            break
    if best_state is not None:
        trained.load_state_dict(best_state)
    final: Any = trained.merge_and_unload() if config.lora else trained  # type: ignore[operator]
    labels_val, probs_val = _predict(final, splits.val, detector, config)
    threshold = (
        metrics.choose_threshold(labels_val, probs_val, "eer") if len(set(labels_val)) == 2 else 0.5
    )
    final.config.update({THRESHOLD_KEY: threshold, "lopt_threshold_rule": "eer on validation"})
    final.save_pretrained(config.output)
    processor.save_pretrained(config.output)
    labels_test, probs_test = _predict(final, splits.test, detector, config)
    summary: dict[str, Any] = {"threshold": threshold, "val_auc": best_auc}
    if len(set(labels_test)) == 2:
        report = metrics.save_evaluation(
            config.output / "reports" / "test", labels_test, probs_test, threshold
        )
        summary["test"] = {k: report[k] for k in ("count", "roc_auc", "eer", "accuracy")}
    (config.output / "reports").mkdir(parents=True, exist_ok=True)
    (config.output / "reports" / "summary.json").write_text(json.dumps(summary, indent=2))
    return config.output


def _predict(
    model: nn.Module, samples: list[Sample], detector: VideoDetector, config: TrainConfig
) -> tuple[list[int], list[float]]:
    if not samples:
        return [], []
    loader = DataLoader(
        ClipDataset(samples, detector, config.image_size * 2), batch_size=config.batch_size
    )
    model.eval()
    probs: list[np.ndarray] = []
    with torch.inference_mode():
        for pixels, _ in loader:
            probs.append(
                torch.softmax(model(pixel_values=pixels).logits.float(), dim=-1)[:, 1].numpy()
            )
    return [s.label for s in samples], np.concatenate(probs).tolist()

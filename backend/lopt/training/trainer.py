"""``lopt train`` for images: fine-tune a detector on face crops, keep the best by val AUC.

Fixed seeds, class- and source-balanced sampling, live progress bars, a resumable
``last.pt`` after every epoch, early stopping on validation ROC AUC, a threshold chosen
on validation data and stored in the checkpoint, and a test-split report at the end.
"""

from __future__ import annotations

import logging
import random
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, WeightedRandomSampler
from tqdm import tqdm

from lopt.media.faces import FaceDetector
from lopt.training.augment import eval_transform, train_transform
from lopt.training.crops import CachedCrop, build_crop_cache
from lopt.training.data import (
    IMAGE_SUFFIXES,
    VIDEO_SUFFIXES,
    Sample,
    Splits,
    load_samples,
    split_samples,
    write_manifest,
)
from lopt.training.dataset import FaceDataset, Item, balanced_weights, make_items
from lopt.training.frames import expand_videos, is_video
from lopt.training.identity import group_by_identity
from lopt.training.metrics import roc_auc
from lopt.training.models import TrainableModel, build_trainable

log = logging.getLogger(__name__)
ID2LABEL = {0: "Real", 1: "Fake"}
# Video frames are decoded and searched for faces as the service does by default
# (LOPT_VIDEO_FRAME_SIDE, LOPT_FACE_DETECTION_SIZE).
VIDEO_FRAME_SIDE = 1280
VIDEO_DETECTION_SIZE = 640


@dataclass
class TrainConfig:
    data: Path | list[Path]
    output: Path
    backbone: str = "efficientnet-lite0"
    image_size: int = 160
    crop_size: int = 192  # side of the cached face crops (at least image_size)
    video_frames: int = 16  # face frames taken from each training video
    group_by_face: list[str] = field(default_factory=list)  # sources grouped by identity
    source_share: str = "count"  # each source's share of draws: count, sqrt or equal
    epochs: int = 5
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 1e-4
    freeze_stages: int = 0
    lora: bool = False
    sbi: bool = True
    samples_per_epoch: int | None = None
    max_steps: int | None = None
    val_fraction: float = 0.1
    test_fraction: float = 0.1
    patience: int = 2
    seed: int = 0
    workers: int = 1
    threshold_rule: str = "fpr<=0.03"
    cache_dir: Path = field(default_factory=lambda: Path(".cache/face-crops"))
    resume: bool = False
    init_from: Path | None = None  # start from this checkpoint folder's weights


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def start_run(config: TrainConfig, suffixes: set[str]) -> tuple[list[Sample], Splits]:
    """Seed, load DATA, split it by label and group, and save the split as CSV manifests
    (OUTPUT/splits/*.csv) so `lopt evaluate` can reuse exactly the same files."""
    seed_everything(config.seed)
    config.output.mkdir(parents=True, exist_ok=True)
    samples = load_samples(config.data, suffixes)
    return samples, split_and_save(config, samples)


def split_and_save(config: TrainConfig, samples: list[Sample]) -> Splits:
    """Split by label and group; write OUTPUT/splits/{train,val,test}.csv, and for face
    frames taken from videos also {split}-videos.csv listing those videos."""
    splits = split_samples(
        samples,
        val_fraction=config.val_fraction,
        test_fraction=config.test_fraction,
        seed=config.seed,
    )
    log.info("Split by label and group: %s", splits.describe())
    for name in ("train", "val", "test"):
        part: list[Sample] = getattr(splits, name)
        write_manifest(part, config.output / "splits" / f"{name}.csv")
        videos = {s.video: replace(s, path=s.video, video=None) for s in part if s.video}
        if videos:
            write_manifest(list(videos.values()), config.output / "splits" / f"{name}-videos.csv")
    return splits


def prepare_faces(config: TrainConfig) -> tuple[list[CachedCrop], Splits]:
    """DATA -> cached face crops (videos give face frames), regrouped where asked, split."""
    seed_everything(config.seed)
    config.output.mkdir(parents=True, exist_ok=True)
    samples = load_samples(config.data, IMAGE_SUFFIXES | VIDEO_SUFFIXES)
    if any(is_video(s) for s in samples):
        detector = FaceDetector(detection_size=VIDEO_DETECTION_SIZE, max_faces=5)
        samples = expand_videos(
            samples,
            config.cache_dir / "video-frames",
            frames=config.video_frames,
            frame_side=VIDEO_FRAME_SIDE,
            detector=detector,
        )
    crops = build_crop_cache(
        samples, config.cache_dir, size=config.crop_size, workers=max(2, config.workers)
    )
    if config.group_by_face:
        grouping = group_by_identity(crops, set(config.group_by_face), workers=2)
        log.info(
            "Grouped %s by face: %d identities among real faces, %d of %d fakes matched to "
            "the photo they were pasted into; largest group %d files",
            ", ".join(config.group_by_face),
            grouping.identities,
            grouping.matched_fakes,
            grouping.fakes,
            grouping.largest_group,
        )
        regrouped = {s.path: s for s in grouping.samples}
        crops = [replace(c, sample=regrouped[c.sample.path]) for c in crops]
    return crops, split_and_save(config, [c.sample for c in crops])


def train(config: TrainConfig) -> Path:
    """Train, save the best model as a Hugging Face checkpoint in ``config.output``."""
    if config.crop_size < config.image_size:
        raise ValueError("--crop-size must be at least --image-size")
    crops, splits = prepare_faces(config)
    by_path = {crop.sample.path: crop for crop in crops}
    items = {
        name: make_items([by_path[s.path] for s in part if s.path in by_path], sbi=config.sbi)
        for name, part in (("train", splits.train), ("val", splits.val), ("test", splits.test))
    }
    trainable = build_trainable(
        config.backbone, ID2LABEL, config.image_size, config.freeze_stages, config.lora
    )
    if config.init_from is not None:
        init_weights(trainable.model, config.init_from, lora=config.lora)
        log.info("Starting from the weights in %s", config.init_from)
    model = trainable.model.to(memory_format=torch.channels_last)
    train_loader = _train_loader(items["train"], trainable, config)
    steps_per_epoch = len(train_loader)
    total_steps = min(config.max_steps or 10**12, steps_per_epoch * config.epochs)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.lr, total_steps=max(total_steps, 2), pct_start=0.1
    )
    state = {"epoch": 0, "step": 0, "best_auc": -1.0, "stale": 0}
    last = config.output / "last.pt"
    if config.resume and last.exists():
        state = _restore(last, model, optimizer, scheduler)
        log.info("Resumed from %s at epoch %d", last, state["epoch"])
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    best_dir = config.output / "best"
    while state["epoch"] < config.epochs and state["step"] < total_steps:
        model.train()
        bar = tqdm(train_loader, desc=f"epoch {state['epoch'] + 1}/{config.epochs}", mininterval=10)
        running = 0.0
        for pixels, labels in bar:
            logits = model(pixel_values=pixels.to(memory_format=torch.channels_last)).logits
            loss = loss_fn(logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            state["step"] += 1
            value = float(loss.detach())
            running = 0.98 * running + 0.02 * value if state["step"] > 1 else value
            bar.set_postfix(
                loss=f"{running:.3f}", lr=f"{scheduler.get_last_lr()[0]:.1e}", refresh=False
            )
            if state["step"] >= total_steps:
                break
        state["epoch"] += 1
        labels_val, probs_val = predict_items(model, items["val"], trainable, config)
        auc = roc_auc(labels_val, probs_val)
        log.info("epoch %d: val ROC AUC %.4f (best %.4f)", state["epoch"], auc, state["best_auc"])
        if auc > state["best_auc"]:
            state["best_auc"], state["stale"] = auc, 0
            trainable.save(best_dir)
        else:
            state["stale"] += 1
        _checkpoint(last, model, optimizer, scheduler, state, config)
        if state["stale"] >= config.patience:
            log.info("Early stop: no val AUC gain for %d epochs", config.patience)
            break
    from lopt.training.report import finish

    return finish(best_dir, config, items, trainable)


def init_weights(model: nn.Module, folder: Path, *, lora: bool = False) -> None:
    """Load a saved checkpoint's weights (``FOLDER/model.safetensors``, same architecture)
    into ``model``; the optimiser and learning-rate schedule start fresh."""
    from safetensors.torch import load_file

    if lora:
        raise ValueError(
            "--init-from cannot be combined with --lora; pass the folder as --backbone."
        )
    weights = Path(folder) / "model.safetensors"
    if not weights.is_file():
        raise ValueError(f"--init-from {folder}: no model.safetensors there")
    missing, unexpected = model.load_state_dict(load_file(weights), strict=False)
    if missing or unexpected:
        raise ValueError(
            f"--init-from {folder} does not match --backbone: {len(missing)} weights missing "
            f"(e.g. {missing[:2]}), {len(unexpected)} unexpected (e.g. {unexpected[:2]})"
        )


def _train_loader(
    items: list[Item], trainable: TrainableModel, config: TrainConfig
) -> DataLoader[Any]:
    dataset = FaceDataset(
        items,
        train_transform(config.image_size),
        trainable.mean,
        trainable.std,
        seed=config.seed,
        train=True,
    )
    weights = balanced_weights(items, config.source_share)
    generator = torch.Generator().manual_seed(config.seed)
    sampler = WeightedRandomSampler(
        weights.tolist(),
        num_samples=config.samples_per_epoch or len(items),
        replacement=True,
        generator=generator,
    )
    return DataLoader(
        dataset,
        batch_size=config.batch_size,
        sampler=sampler,
        num_workers=config.workers,
        worker_init_fn=_seed_worker,
        generator=generator,
        persistent_workers=config.workers > 0,
        drop_last=True,
    )


def predict_items(
    model: nn.Module, items: list[Item], trainable: TrainableModel, config: TrainConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Fake probabilities of fixed (seeded, un-augmented) evaluation items."""
    dataset = FaceDataset(
        items,
        eval_transform(config.image_size),
        trainable.mean,
        trainable.std,
        seed=config.seed,
        train=False,
    )
    loader = DataLoader(dataset, batch_size=64, num_workers=config.workers)
    model.eval()
    probs = []
    with torch.inference_mode():
        for pixels, _ in tqdm(loader, desc="evaluate", leave=False, mininterval=10):
            logits = model(pixel_values=pixels.to(memory_format=torch.channels_last)).logits
            probs.append(torch.softmax(logits.float(), dim=-1)[:, 1].numpy())
    labels = np.array([item.label for item in items])
    return labels, np.concatenate(probs) if probs else np.zeros(0)


def _seed_worker(worker_id: int) -> None:
    seed = torch.initial_seed() % 2**32
    random.seed(seed)
    np.random.seed(seed)


def _checkpoint(
    path: Path,
    model: nn.Module,
    optimizer: Any,
    scheduler: Any,
    state: dict[str, Any],
    config: TrainConfig,
) -> None:
    payload = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "state": state,
        "config": {k: str(v) for k, v in asdict(config).items()},
        "rng": torch.get_rng_state(),
    }
    torch.save(payload, path.with_suffix(".tmp"))
    path.with_suffix(".tmp").replace(path)


def _restore(path: Path, model: nn.Module, optimizer: Any, scheduler: Any) -> dict[str, Any]:
    payload = torch.load(path, weights_only=False)
    model.load_state_dict(payload["model"])
    optimizer.load_state_dict(payload["optimizer"])
    scheduler.load_state_dict(payload["scheduler"])
    torch.set_rng_state(payload["rng"])
    return dict(payload["state"])

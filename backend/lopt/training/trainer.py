"""``lopt train`` on face crops: data, splits and loaders for images; the loop is shared.

Every image and video frame is re-cropped by the serving face cropper and cached; splits
are grouped by identity; sampling is class- and source-balanced, with self-blended fakes
made from every real face. ``lopt.training.loop`` trains, ``lopt.training.report`` ends.
"""

from __future__ import annotations

import logging
import random
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, WeightedRandomSampler
from transformers import AutoModelForImageClassification

from lopt.config import load_settings
from lopt.media.face_config import FaceDetectorConfig
from lopt.training.augment import eval_transform, train_transform
from lopt.training.blend_files import write_self_blended
from lopt.training.config import ID2LABEL, TrainConfig, seed_everything
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
from lopt.training.loop import EvalSet, fit
from lopt.training.models import TrainableModel, build_trainable
from lopt.training.report import finish
from lopt.training.weights import init_weights

log = logging.getLogger(__name__)


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


def prepare_faces(
    config: TrainConfig, faces: FaceDetectorConfig, frame_side: int
) -> tuple[list[CachedCrop], Splits]:
    """DATA -> cached face crops (videos give face frames), regrouped where asked, split."""
    seed_everything(config.seed)
    config.output.mkdir(parents=True, exist_ok=True)
    samples = load_samples(config.data, IMAGE_SUFFIXES | VIDEO_SUFFIXES)
    if any(is_video(s) for s in samples):
        samples = expand_videos(
            samples,
            config.cache_dir / "video-frames",
            frames=config.video_frames,
            frame_side=frame_side,
            detector=faces.build(),
        )
    crops = build_crop_cache(
        samples,
        config.cache_dir,
        size=config.crop_size,
        faces=faces,
        workers=max(2, config.workers),
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
    """Train on face crops; save the best model as a Hugging Face checkpoint in
    ``config.output`` with its threshold and reports."""
    settings = load_settings()  # faces are found and frames decoded as the service does
    faces = FaceDetectorConfig.from_settings(settings)
    crops, splits = prepare_faces(config, faces, settings.video_frame_side)
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
    sets = {name: eval_set(items[name], trainable, config) for name in ("val", "test")}
    fitted = fit(
        trainable.model,
        _train_loader(items["train"], trainable, config),
        sets["val"],
        trainable.save,
        config,
    )
    recipe = {"face_detector": asdict(faces), **fitted.summary}
    finish(fitted.best, AutoModelForImageClassification, sets, config, recipe)
    for split in ("val", "test"):
        # The same fixed self-blends, as files `lopt evaluate` can judge.
        folder = config.output / "splits" / f"{split}-self-blended"
        write_self_blended(items[split], folder, seed=config.seed, parts=config.sbi_parts)
    return config.output


def eval_set(items: list[Item], trainable: TrainableModel, config: TrainConfig) -> EvalSet:
    """Fixed (seeded, un-augmented) evaluation inputs of one split."""
    dataset = _dataset(items, trainable, config, train=False)
    return EvalSet(
        loader=DataLoader(dataset, batch_size=64, num_workers=config.workers),
        labels=np.array([item.label for item in items], dtype=np.int64),
        sources=np.array([item.crop.sample.source for item in items], dtype=object),
        kinds=np.array([item.kind for item in items], dtype=object),
    )


def _dataset(
    items: list[Item], trainable: TrainableModel, config: TrainConfig, *, train: bool
) -> FaceDataset:
    """Training items are augmented and freshly self-blended per draw; evaluation ones
    are fixed (seeded, un-augmented)."""
    transform = (
        train_transform(config.image_size, config.degrade)
        if train
        else eval_transform(config.image_size)
    )
    return FaceDataset(
        items,
        transform,
        trainable.mean,
        trainable.std,
        seed=config.seed,
        train=train,
        sbi_parts=config.sbi_parts,
    )


def _train_loader(
    items: list[Item], trainable: TrainableModel, config: TrainConfig
) -> DataLoader[Any]:
    dataset = _dataset(items, trainable, config, train=True)
    weights = balanced_weights(
        [(i.crop.sample.source, i.kind) for i in items], config.source_share, config.source_weight
    )
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
        worker_init_fn=seed_worker,
        generator=generator,
        persistent_workers=config.workers > 0,
        drop_last=True,
    )


def seed_worker(worker_id: int) -> None:
    seed = torch.initial_seed() % 2**32
    random.seed(seed)
    np.random.seed(seed)

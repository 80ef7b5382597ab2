"""What ``lopt train`` is asked to do, for images and videos alike."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import torch

ID2LABEL = {0: "Real", 1: "Fake"}
# Options that only mean something for face-crop (image) training.
IMAGE_ONLY = (
    "image_size",
    "crop_size",
    "video_frames",
    "group_by_face",
    "sbi",
    "sbi_parts",
    "degrade",
    "freeze_stages",
)


@dataclass
class TrainConfig:
    data: Path | list[Path]
    output: Path
    task: str = "image"  # image: face crops; video: clips for a video classifier
    backbone: str = "efficientnet-lite0"
    image_size: int = 160
    crop_size: int = 192  # side of the cached face crops (at least image_size)
    video_frames: int = 16  # face frames taken from each training video
    group_by_face: list[str] = field(default_factory=list)  # sources grouped by identity
    source_share: str = "count"  # each source's share of draws: count, sqrt or equal
    source_weight: dict[str, float] = field(default_factory=dict)  # share multipliers
    epochs: int = 5
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 1e-4
    freeze_stages: int = 0
    lora: bool = False
    sbi: bool = True
    sbi_parts: float = 0.0  # share of self-blends cut to one face part (eyes, nose, mouth)
    degrade: float = 1.0  # scales the probability of each training degradation
    samples_per_epoch: int | None = None
    max_steps: int | None = None
    val_fraction: float = 0.1
    test_fraction: float = 0.1
    patience: int = 2
    seed: int = 0
    workers: int = 1
    threshold_rule: str = "fpr<=0.03"  # where verdicts become manipulated (validation)
    authentic_rule: str = "fnr<=0.05"  # below which they are authentic (validation)
    cache_dir: Path = field(default_factory=lambda: Path(".cache/face-crops"))
    resume: bool = False
    init_from: Path | None = None  # start from this checkpoint folder's weights
    # Shares of the fine-tune in weight mixtures with init_from's weights, judged on
    # validation after training (WiSE-FT); the best one, or the fine-tune itself, ships.
    interpolate: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.task not in ("image", "video"):
            raise ValueError(f"task must be image or video, got {self.task!r}")
        if self.task == "video":
            defaults = {f.name: f for f in fields(self)}
            changed = [
                name
                for name in IMAGE_ONLY
                if getattr(self, name) != _default(defaults[name].default, defaults[name])
            ]
            if changed:
                options = ", ".join(_flag(name) for name in changed)
                raise ValueError(f"{options}: face-crop options, not used by --task video")
        if any(weight <= 0 for weight in self.source_weight.values()):
            raise ValueError("--source-weight factors must be positive")
        if self.interpolate and self.init_from is None:
            raise ValueError("--interpolate mixes with --init-from's weights: give --init-from")
        if not 0.0 <= self.sbi_parts <= 1.0:
            raise ValueError("--sbi-parts is a share: between 0 and 1")
        if not 0.0 <= self.degrade <= 1.0:
            raise ValueError("--degrade is a share: between 0 and 1")
        if any(not 0.0 <= share <= 1.0 for share in self.interpolate):
            raise ValueError("--interpolate shares must be between 0 and 1")
        if self.task == "image" and self.crop_size < self.image_size:
            raise ValueError("--crop-size must be at least --image-size")


def _flag(name: str) -> str:
    return "--no-sbi" if name == "sbi" else "--" + name.replace("_", "-")


def _default(value: object, spec: object) -> object:
    factory = getattr(spec, "default_factory", None)
    return factory() if callable(factory) else value


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)

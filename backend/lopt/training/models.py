"""What ``lopt train`` fine-tunes: an embedded EfficientNet-Lite or any HF image classifier."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import nn
from transformers import AutoModelForImageClassification, AutoModelForVideoClassification

from lopt.inference.registry import load_processor

LORA_TARGETS = "all-linear"  # every attention and MLP projection, whatever its name


@dataclass
class TrainableModel:
    model: nn.Module
    mean: Sequence[float]
    std: Sequence[float]
    save: Callable[[Path], Path]
    processor: Any = None  # the checkpoint's processor (hub backbones)
    config: Any = None  # the underlying model's config


def build_trainable(
    backbone: str,
    id2label: dict[int, str],
    image_size: int,
    freeze_stages: int,
    lora: bool,
    task: str = "image",
) -> TrainableModel:
    """The embedded CNN (frozen early stages optional) or a hub/local image or video
    classifier (full fine-tune, or LoRA adapters through ``peft``)."""
    from lopt.training import backbone as lite

    if backbone in lite.VARIANTS:
        if task != "image":
            raise ValueError(f"{backbone} is an image backbone; --task video needs a video one")
        model = lite.build_efficientnet_lite_classifier(
            id2label, image_size=image_size, backbone=backbone
        )
        if freeze_stages:
            lite.freeze_stages(model, freeze_stages)
        return TrainableModel(
            model,
            lite.IMAGENET_MEAN,
            lite.IMAGENET_STD,
            lambda f: lite.save_checkpoint(model, f),
            config=model.config,
        )

    if freeze_stages:
        raise ValueError("--freeze-stages applies to the efficientnet-lite backbones only")
    auto = AutoModelForImageClassification if task == "image" else AutoModelForVideoClassification
    hf_model = auto.from_pretrained(
        backbone,
        num_labels=len(id2label),
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
        ignore_mismatched_sizes=True,
    )
    processor = load_processor(backbone, "image" if task == "image" else "video", "--backbone", {})
    trained: nn.Module = hf_model
    if lora:
        from peft import LoraConfig, get_peft_model

        config = LoraConfig(
            r=8, lora_alpha=16, target_modules=LORA_TARGETS, modules_to_save=["classifier"]
        )
        trained = get_peft_model(hf_model, config)

    def save(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        # Merging on a copy leaves the adapters in place for the epochs still to come.
        merged: Any = copy.deepcopy(trained).merge_and_unload() if lora else trained  # type: ignore[operator]
        merged.save_pretrained(folder)
        processor.save_pretrained(folder)
        return folder

    mean = list(getattr(processor, "image_mean", [0.5, 0.5, 0.5]))
    std = list(getattr(processor, "image_std", [0.5, 0.5, 0.5]))
    return TrainableModel(trained, mean, std, save, processor=processor, config=hf_model.config)

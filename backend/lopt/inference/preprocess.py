"""A direct preprocessing path that gives the checkpoint processor's tensors, minus its overhead.

The Hugging Face processor validates arguments, converts PIL images and groups inputs on
every call: several milliseconds per face crop, more than the crop's forward pass costs
for a small model. For the processors Lopt ships or serves (ViT, DeiT, timm wrappers)
the same operations are applied here directly to the uint8 array: the same resize
kernel (torchvision's, or timm's own eval transform), the same centre crop and the same
fused rescale-and-normalise. A processor this module does not recognise, or one with
options it does not model, gets no fast path and the processor itself is used.
Tests compare both paths on the same images.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from PIL import Image

Preprocess = Callable[[np.ndarray], torch.Tensor]

TORCHVISION_PROCESSORS = {"ViTImageProcessor", "DeiTImageProcessor"}
TIMM_PROCESSOR = "TimmWrapperImageProcessor"


def fast_preprocess(processor: Any) -> Preprocess | None:
    """A function RGB uint8 ``H x W x 3`` -> ``(3, H', W')`` float32, or None if unsupported."""
    name = type(processor).__name__
    if name == TIMM_PROCESSOR and hasattr(processor, "val_transforms"):
        return _timm_path(processor)
    if name in TORCHVISION_PROCESSORS and _is_torchvision_backend(processor):
        return _torchvision_path(processor)
    return None


def _is_torchvision_backend(processor: Any) -> bool:
    return any(cls.__name__ == "TorchvisionBackend" for cls in type(processor).__mro__)


def _timm_path(processor: Any) -> Preprocess:
    """timm's own PIL resize and crop, then one vectorised rescale-and-normalise."""
    steps = list(getattr(processor.val_transforms, "transforms", []))
    names = [type(step).__name__ for step in steps]
    transform = processor.val_transforms
    if len(steps) >= 2 and names[-2] in {"ToTensor", "MaybeToTensor"} and names[-1] == "Normalize":
        pil_steps = steps[:-2]
        mean = np.asarray(steps[-1].mean, dtype=np.float32).reshape(3, 1, 1)
        std = np.asarray(steps[-1].std, dtype=np.float32).reshape(3, 1, 1)

        def direct(rgb: np.ndarray) -> torch.Tensor:
            image = Image.fromarray(rgb)
            for step in pil_steps:
                image = step(image)
            chw = np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / np.float32(255.0)
            return torch.from_numpy(np.ascontiguousarray((chw - mean) / std))

        return direct

    def run(rgb: np.ndarray) -> torch.Tensor:
        tensor: torch.Tensor = transform(Image.fromarray(rgb))
        return tensor.float()

    return run


def _torchvision_path(processor: Any) -> Preprocess | None:
    from torchvision.transforms.v2 import functional as tvf
    from transformers.image_utils import SizeDict

    if getattr(processor, "do_pad", False) or getattr(processor, "do_convert_rgb", None) is False:
        return None
    size = _size_dict(processor.size, SizeDict) if processor.do_resize else None
    if size is not None and size.longest_edge and not size.shortest_edge:
        return None
    crop = _size_dict(processor.crop_size, SizeDict) if processor.do_center_crop else None
    do_rescale, do_normalize = processor.do_rescale, processor.do_normalize
    factor = float(processor.rescale_factor)
    mean = torch.tensor(processor.image_mean, dtype=torch.float32)
    std = torch.tensor(processor.image_std, dtype=torch.float32)
    if do_rescale and do_normalize:
        # The processor folds the rescale into mean and std; so do we, for identical rounding.
        mean, std = mean * (1.0 / factor), std * (1.0 / factor)
    mean_list, std_list = mean.tolist(), std.tolist()

    def run(rgb: np.ndarray) -> torch.Tensor:
        image = _as_tensor(rgb).permute(2, 0, 1).unsqueeze(0)
        if size is not None:
            image = processor.resize(image, size=size, resample=processor.resample)
        if crop is not None:
            image = processor.center_crop(image, crop)
        if do_normalize:
            image = tvf.normalize(image.to(torch.float32), mean_list, std_list)
        elif do_rescale:
            image = image.to(torch.float32) * factor
        return image[0].float()

    return run


def _as_tensor(rgb: np.ndarray) -> torch.Tensor:
    """Share the array's memory, also when it is read-only (as PIL's arrays are): the
    tensor is only read, and copying a 12 MP photo would cost more than the resize."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return torch.from_numpy(np.ascontiguousarray(rgb))


def _size_dict(value: Any, size_dict: Any) -> Any:
    return value if isinstance(value, size_dict) else size_dict(**dict(value))


def input_window(processor: Any) -> float:
    """The share of a square crop's side the model's input shows: 1.0, or less when the
    processor resizes larger than its centre crop (timm's crop_pct, ViT/DeiT centre crops).
    Heatmaps are placed on that window."""
    if type(processor).__name__ == TIMM_PROCESSOR and hasattr(processor, "val_transforms"):
        resized = cropped = None
        for step in getattr(processor.val_transforms, "transforms", []):
            name = type(step).__name__
            if name == "Resize":
                resized = _first_side(step.size)
            elif name == "CenterCrop":
                cropped = _first_side(step.size)
        return _ratio(cropped, resized)
    if not getattr(processor, "do_center_crop", False):
        return 1.0
    crop, size = processor.crop_size, processor.size
    resized = _side(size, "shortest_edge") or _side(size, "height")
    return _ratio(_side(crop, "height"), resized)


def _side(size: Any, key: str) -> int | None:
    """One entry of a processor's size (a dict or transformers' SizeDict)."""
    value = size.get(key) if isinstance(size, dict) else getattr(size, key, None)
    return int(value) if value else None


def _first_side(size: Any) -> int | None:
    if isinstance(size, int):
        return size
    if isinstance(size, (tuple, list)) and size:
        return int(size[0])
    return None


def _ratio(cropped: int | None, resized: int | None) -> float:
    if not cropped or not resized or cropped >= resized:
        return 1.0
    return cropped / resized

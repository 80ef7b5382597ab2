"""Image and video detectors: ``preprocess(item)`` -> ``predict(batch)`` -> ``postprocess``.

``preprocess`` runs in any worker thread; ``predict`` only in the batcher's inference
thread; ``postprocess`` turns class probabilities into Lopt's verdict.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from lopt.inference.labels import FAKE, REAL, Verdict
from lopt.inference.preprocess import fast_preprocess
from lopt.inference.registry import LoadedModel
from lopt.inference.results import ModelRef

WARM_UP_SIDE = 256


@dataclass(frozen=True)
class Scores:
    """A verdict for one input: the decision and the probabilities behind it."""

    label: Verdict
    confidence: float
    fake_probability: float

    @property
    def probabilities(self) -> dict[str, float]:
        return {REAL: round(1.0 - self.fake_probability, 4), FAKE: round(self.fake_probability, 4)}


class Detector:
    """What image and video detectors share: the forward pass and the decision rule."""

    def __init__(self, loaded: LoadedModel) -> None:
        self.loaded = loaded
        self._fake = torch.tensor(loaded.labels.fake_indices, dtype=torch.long)

    @property
    def threshold(self) -> float:
        return self.loaded.threshold

    @property
    def ref(self) -> ModelRef:
        """Which checkpoint this is, as a verdict names it."""
        loaded = self.loaded
        return ModelRef(id=loaded.model_id, revision=loaded.revision, replaces=loaded.replaces)

    def predict(self, batch: torch.Tensor) -> np.ndarray:
        """Fake probability of each input in the batch (float32 softmax over all labels)."""
        loaded = self.loaded
        with torch.inference_mode():
            pixels = batch.to(loaded.device, dtype=loaded.dtype, non_blocking=True)
            logits = loaded.model(pixel_values=pixels).logits
            probabilities = torch.softmax(logits.float(), dim=-1)
            fake = probabilities[:, self._fake.to(probabilities.device)].sum(dim=-1)
        return fake.cpu().numpy().astype(np.float32)

    def warm_up_input(self) -> torch.Tensor:
        """A neutral input of the right shape for the first, warm-up, forward pass."""
        raise NotImplementedError

    def decide(self, fake_probability: float) -> Scores:
        """The verdict for ``fake_probability``, and how sure it is (see ``confidence``)."""
        fake_probability = float(min(1.0, max(0.0, fake_probability)))
        label: Verdict = FAKE if fake_probability >= self.threshold else REAL
        confidence = verdict_confidence(fake_probability, self.threshold)
        return Scores(label, round(confidence, 4), round(fake_probability, 4))


def verdict_confidence(fake_probability: float, threshold: float) -> float:
    """How far ``fake_probability`` lies on its verdict's side of ``threshold``, from 0.5
    (at the threshold) to 1 (at 0 or 1), linearly on each side.

    With the usual threshold of 0.5 this is the probability of the returned label. A
    checkpoint with a calibrated threshold (say 0.79) would otherwise call a face with
    fake probability 0.7 "Real with 30% confidence"; here it is Real with 56%.
    """
    if fake_probability >= threshold:
        return 0.5 + 0.5 * (fake_probability - threshold) / max(1.0 - threshold, 1e-9)
    return 0.5 + 0.5 * (threshold - fake_probability) / max(threshold, 1e-9)


class ImageDetector(Detector):
    def __init__(self, loaded: LoadedModel) -> None:
        super().__init__(loaded)
        self._fast = fast_preprocess(loaded.processor)

    def preprocess(self, image: Image.Image | np.ndarray) -> torch.Tensor:
        """One RGB image -> the model's (3, H, W) float tensor, as the checkpoint's processor
        makes it (directly, without the processor's per-call overhead, where supported)."""
        if self._fast is not None:
            rgb = np.asarray(image) if isinstance(image, Image.Image) else image
            if rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3:
                return self._fast(rgb)
        pixels = self.loaded.processor(images=[image], return_tensors="pt")["pixel_values"]
        tensor: torch.Tensor = pixels[0].float()
        return tensor

    def warm_up_input(self) -> torch.Tensor:
        return self.preprocess(Image.new("RGB", (WARM_UP_SIDE, WARM_UP_SIDE), (128, 128, 128)))

    @functools.cached_property
    def input_side(self) -> int:
        """The longer side, in px, of the model's input: a crop at least this large is only
        ever shrunk by preprocessing, so decoding it at a higher resolution adds nothing."""
        return int(max(self.warm_up_input().shape[-2:]))


class VideoDetector(Detector):
    @property
    def num_frames(self) -> int:
        assert self.loaded.num_frames is not None
        return self.loaded.num_frames

    def preprocess(self, frames: Sequence[np.ndarray]) -> torch.Tensor:
        """``num_frames`` RGB frames -> the model's (T, 3, H, W) clip tensor."""
        return preprocess_clip(self.loaded.processor, frames, self.num_frames)

    def warm_up_input(self) -> torch.Tensor:
        frame = np.full((WARM_UP_SIDE, WARM_UP_SIDE, 3), 128, dtype=np.uint8)
        return self.preprocess([frame] * self.num_frames)


def preprocess_clip(processor: Any, frames: Sequence[np.ndarray], num_frames: int) -> torch.Tensor:
    """``num_frames`` RGB frames -> a (T, 3, H, W) clip tensor, by the checkpoint's own
    image or video processor (training and serving share this)."""
    if len(frames) != num_frames:
        raise ValueError(f"a clip needs {num_frames} frames, got {len(frames)}")
    clip = [np.ascontiguousarray(frame) for frame in frames]
    if _is_video_processor(processor):
        pixels = processor(videos=[clip], return_tensors="pt")["pixel_values"]
    else:
        pixels = processor(images=clip, return_tensors="pt")["pixel_values"]
    tensor: torch.Tensor = pixels[0].float()
    return tensor


def _is_video_processor(processor: object) -> bool:
    return any(cls.__name__ == "BaseVideoProcessor" for cls in type(processor).__mro__)

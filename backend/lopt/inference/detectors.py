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

from lopt.inference.calibration import LABEL_THRESHOLD, Level, VerdictPolicy
from lopt.inference.labels import FAKE, REAL, Verdict
from lopt.inference.model_info import Bands, ModelRef
from lopt.inference.preprocess import fast_preprocess
from lopt.inference.registry import LoadedModel

WARM_UP_SIDE = 256


@dataclass(frozen=True)
class Scores:
    """What one score means: the calibrated probability, the likelier label, the level."""

    label: Verdict
    confidence: float  # probability of label, on the reported scale
    fake_probability: float  # calibrated when the model has a calibration map
    raw_fake_probability: float  # the model's own output (or its aggregate)
    verdict: Level
    calibrated: bool

    @property
    def probabilities(self) -> dict[str, float]:
        return {REAL: round(1.0 - self.fake_probability, 4), FAKE: round(self.fake_probability, 4)}


class Detector:
    """What image and video detectors share: the forward pass and the decision rule."""

    def __init__(self, loaded: LoadedModel) -> None:
        self.loaded = loaded
        self._fake = torch.tensor(loaded.labels.fake_indices, dtype=torch.long)

    @property
    def policy(self) -> VerdictPolicy:
        return self.loaded.policy

    @property
    def threshold(self) -> float:
        """Where ``label`` turns Fake: the likelier class on the reported scale."""
        return LABEL_THRESHOLD

    @property
    def judges_faces(self) -> bool:
        return self.policy.judges == "face_crops"

    @property
    def bands(self) -> Bands:
        bands = self.policy.bands
        return Bands(
            authentic_below=bands.authentic_below,
            manipulated_at=bands.manipulated_at,
            source=bands.source,
            rules=bands.rules,
        )

    @property
    def ref(self) -> ModelRef:
        """Which checkpoint this is, as a verdict names it."""
        loaded = self.loaded
        return ModelRef(id=loaded.model_id, revision=loaded.revision, replaces=loaded.replaces)

    def predict(self, batch: torch.Tensor) -> np.ndarray:
        """Raw fake probability of each input in the batch (float32 softmax over all labels)."""
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

    def calibrate(self, raw: float) -> float:
        """The reported fake probability for a raw one (the same when uncalibrated)."""
        return self.policy.calibrate(raw)

    def decide(self, raw_fake_probability: float) -> Scores:
        """What a raw score (one input's, or an aggregate of several) means to a user."""
        raw = float(min(1.0, max(0.0, raw_fake_probability)))
        fake = self.calibrate(raw)
        label: Verdict = FAKE if fake >= self.threshold else REAL
        confidence = fake if label == FAKE else 1.0 - fake
        return Scores(
            label=label,
            confidence=round(confidence, 4),
            fake_probability=round(fake, 4),
            raw_fake_probability=round(raw, 4),
            verdict=self.policy.bands.level(fake),
            calibrated=self.policy.calibration is not None,
        )


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

"""Training items from cached face crops: real faces, GAN fakes, and self-blended fakes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import albumentations as A
import numpy as np
import torch
from torch.utils.data import Dataset

from lopt.training.augment import to_tensor
from lopt.training.crops import CachedCrop
from lopt.training.sbi import self_blend

Kind = Literal["real", "fake", "sbi"]


@dataclass(frozen=True)
class Item:
    crop: CachedCrop
    kind: Kind  # "sbi": a fake made on the fly from a real face

    @property
    def label(self) -> int:
        return 0 if self.kind == "real" else 1


def make_items(crops: Sequence[CachedCrop], *, sbi: bool) -> list[Item]:
    """Every crop as itself, and every real crop with landmarks once more as an SBI fake."""
    items = [Item(c, "real" if c.sample.label == 0 else "fake") for c in crops]
    if sbi:
        items += [Item(c, "sbi") for c in crops if c.sample.label == 0 and c.landmarks]
    return items


SHARES: dict[str, Callable[[int], float]] = {
    "count": lambda n: float(n),
    "sqrt": lambda n: float(n) ** 0.5,
    "equal": lambda n: 1.0,
}


def balanced_weights(
    keys: Sequence[tuple[str, str]],
    share_rule: str = "count",
    source_weights: Mapping[str, float] | None = None,
) -> torch.Tensor:
    """Sampling weights for items given as (source, kind), kind real, fake or sbi, giving
    each source half real, half fake (fakes split evenly between made-on-the-fly and
    given fakes), so neither source nor crop style predicts the label. A source named
    ``family/part`` (``ffpp-c40/Deepfakes``: one method's fakes of the ``ffpp-c40``
    videos) is balanced within its family, so a family's fakes never outnumber its reals
    however many methods it has. A family's share of all draws follows its number of real
    items (``count``), their square root (``sqrt``: small sources, such as a few videos'
    frames, are seen more often without drowning the rest) or is the same for all
    (``equal``); ``source_weights`` then multiplies named families' shares (e.g. more
    draws of the one GAN source), keeping each half real."""
    if share_rule not in SHARES:
        raise ValueError(f"source share must be one of {', '.join(SHARES)}, got {share_rule!r}")
    families = [(_family(source), kind) for source, kind in keys]
    counts = Counter(families)
    reals = Counter(family for family, kind in families if kind == "real")
    unknown = set(source_weights or {}) - {family for family, _ in families}
    if unknown:
        raise ValueError(f"source weight for unknown source(s): {', '.join(sorted(unknown))}")
    factor = dict(source_weights or {})
    sized = {family: SHARES[share_rule](n) * factor.get(family, 1.0) for family, n in reals.items()}
    total_real = sum(sized.values()) or 1
    weights = []
    for family, kind in families:
        share = sized[family] / total_real if reals[family] else 1.0 / max(1, len(reals))
        if kind == "real":
            fraction = 0.5
        else:
            fake_kinds = [k for k in ("fake", "sbi") if counts[(family, k)]]
            fraction = 0.5 / len(fake_kinds)
        weights.append(share * fraction / counts[(family, kind)])
    return torch.tensor(weights, dtype=torch.double)


def _family(source: str) -> str:
    return source.partition("/")[0]


class FaceDataset(Dataset[tuple[torch.Tensor, int]]):
    def __init__(
        self,
        items: Sequence[Item],
        transform: A.Compose,
        mean: Sequence[float],
        std: Sequence[float],
        *,
        seed: int,
        train: bool,
        sbi_parts: float = 0.0,
    ) -> None:
        self.items = list(items)
        self.sbi_parts = sbi_parts
        self.transform = transform
        self.mean, self.std = mean, std
        self.seed = seed
        self.train = train

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        item = self.items[index]
        image = item.crop.load()
        if item.kind == "sbi":
            landmarks = item.crop.load_landmarks()
            assert landmarks is not None
            # Evaluation fakes are the same every time; training fakes differ per draw.
            seed = [self.seed, index] if not self.train else [self.seed, index, *_fresh()]
            rng = np.random.default_rng(seed)
            image = self_blend(image, landmarks, rng, parts=self.sbi_parts)
        image = self.transform(image=image)["image"]
        return to_tensor(image, self.mean, self.std), item.label


def _fresh() -> list[int]:
    return [int(torch.randint(0, 2**31 - 1, ()).item())]

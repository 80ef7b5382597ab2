"""Map a checkpoint's ``config.id2label`` onto Lopt's two verdicts, Real and Fake."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from lopt.errors import ModelLoadError

Verdict = Literal["Real", "Fake"]
REAL: Verdict = "Real"
FAKE: Verdict = "Fake"

FAKE_WORDS = frozenset(
    {
        "fake", "deepfake", "deepfakes", "manipulated", "spoof", "spoofed", "synthetic",
        "generated", "aigenerated", "ai", "forged", "forgery", "altered", "swapped",
        "faceswap", "artificial",
    }
)  # fmt: skip
REAL_WORDS = frozenset(
    {
        "real", "authentic", "genuine", "original", "pristine", "bonafide", "live",
        "human", "natural",
    }
)  # fmt: skip


def normalise_label(name: str) -> Verdict | None:
    """``"FAKE"``, ``"deep_fake"``, ``"1_manipulated"`` -> Fake; unknown or ambiguous -> None."""
    lowered = name.strip().lower()
    joined = re.sub(r"[^a-z]", "", lowered)
    words = set(re.findall(r"[a-z]+", lowered)) | {joined}
    is_fake, is_real = bool(words & FAKE_WORDS), bool(words & REAL_WORDS)
    if is_fake == is_real:
        return None
    return FAKE if is_fake else REAL


@dataclass(frozen=True)
class LabelMap:
    """Which output indices mean Fake, with the checkpoint's own names kept for display."""

    names: tuple[str, ...]
    verdicts: tuple[Verdict, ...]

    @property
    def fake_indices(self) -> list[int]:
        return [i for i, verdict in enumerate(self.verdicts) if verdict == FAKE]


def map_labels(id2label: Mapping[int | str, str], model_id: str) -> LabelMap:
    """Normalise every label, or refuse the checkpoint with a message saying why."""
    if not id2label:
        raise ModelLoadError(f"Model '{model_id}' has no id2label in its config.")
    ordered = sorted(((int(index), str(name)) for index, name in id2label.items()))
    if [index for index, _ in ordered] != list(range(len(ordered))):
        raise ModelLoadError(f"Model '{model_id}' has gaps in its label indices: {dict(ordered)}.")
    names = tuple(name for _, name in ordered)
    verdicts = [normalise_label(name) for name in names]
    unknown = [name for name, verdict in zip(names, verdicts, strict=True) if verdict is None]
    if unknown:
        raise ModelLoadError(
            f"Model '{model_id}' has labels Lopt cannot map to Real or Fake: {unknown}. "
            "Its config.id2label must name each class, e.g. {0: 'Real', 1: 'Fake'} "
            "(synonyms such as authentic/genuine/original and deepfake/manipulated/spoof "
            "are understood)."
        )
    if FAKE not in verdicts or REAL not in verdicts:
        raise ModelLoadError(
            f"Model '{model_id}' needs at least one Real and one Fake label; it has {list(names)}."
        )
    return LabelMap(names=names, verdicts=tuple(v for v in verdicts if v is not None))

"""Named rules that combine clip or frame fake probabilities into one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from lopt.config_media import Aggregation


def top_quarter(values: np.ndarray) -> float:
    """Mean of the highest quarter (at least one value): a manipulation shown in part of
    a video still counts, and one odd frame does not decide alone."""
    count = max(1, int(np.ceil(values.size / 4)))
    return float(np.mean(np.sort(values)[-count:]))


RULES: dict[str, Callable[[np.ndarray], float]] = {
    "mean": lambda values: float(np.mean(values)),
    "max": lambda values: float(np.max(values)),
    "median": lambda values: float(np.median(values)),
    "top_quarter": top_quarter,
}


def aggregate(fake_probabilities: Sequence[float], rule: Aggregation) -> float:
    """Combine fake probabilities by ``rule`` (mean, max, median or top_quarter)."""
    if not fake_probabilities:
        raise ValueError("nothing to aggregate")
    return RULES[rule](np.asarray(fake_probabilities, dtype=np.float64))

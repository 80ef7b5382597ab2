"""Named rules that combine clip or frame fake probabilities into one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from lopt.config import Aggregation

RULES: dict[str, Callable[[np.ndarray], float]] = {
    "mean": lambda values: float(np.mean(values)),
    "max": lambda values: float(np.max(values)),
    "median": lambda values: float(np.median(values)),
}


def aggregate(fake_probabilities: Sequence[float], rule: Aggregation) -> float:
    """Combine fake probabilities by ``rule`` (mean, max or median)."""
    if not fake_probabilities:
        raise ValueError("nothing to aggregate")
    return RULES[rule](np.asarray(fake_probabilities, dtype=np.float64))

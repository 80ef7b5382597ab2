"""Decision thresholds chosen on validation data (``lopt.training.calibration`` stores them)."""

from __future__ import annotations

import numpy as np

from lopt.training import metrics

RULE_KEY = "lopt_threshold_rule"


def choose_source_threshold(
    labels: np.ndarray, probs: np.ndarray, sources: np.ndarray, rule: str
) -> float:
    """Threshold by ``rule`` on validation data; for ``fpr<=x`` it holds on every real
    source separately (the strictest one wins), not only on their mix."""
    if not rule.startswith("fpr"):
        return metrics.choose_threshold(labels, probs, rule)
    thresholds = []
    for source in sorted(set(sources.tolist())):
        keep = (sources == source) | (labels == 1)
        if (labels[keep] == 0).any() and (labels[keep] == 1).any():
            thresholds.append(metrics.choose_threshold(labels[keep], probs[keep], rule))
    return max(thresholds) if thresholds else 0.5

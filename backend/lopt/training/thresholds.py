"""The decision threshold: chosen on validation data, written into the checkpoint once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lopt.inference.registry import THRESHOLD_KEY
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


def store_threshold(folder: Path, threshold: float, rule: str) -> float:
    """Write ``threshold`` (and how it was chosen) into the checkpoint's ``config.json``,
    where the model registry reads it; returns the value stored (6 decimals)."""
    config_path = Path(folder) / "config.json"
    config = json.loads(config_path.read_text())
    stored = float(np.round(threshold, 6))
    config[THRESHOLD_KEY] = stored
    config[RULE_KEY] = f"{rule} on validation"
    config_path.write_text(json.dumps(config, indent=2))
    return stored

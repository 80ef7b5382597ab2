"""Checks that a map means something, shared by the tests and ``bench/bench_heatmaps.py``.

- ``share_inside``: where a map's hottest pixels fall against a known manipulated region
  (a self-blend's mask), compared with that region's share of the crop.
- ``randomised_copy`` and ``rank_correlation``: Adebayo et al.'s model randomisation check
  (NeurIPS 2018): re-initialise the last block and the head; a map that barely changes
  shows the input's edges, not what the model learned.
Masking pixels grey is deliberately not a check here: grey patches look fake to these
detectors, so such maps "explain" the patch, not the face.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch

from lopt.explain.render import HOTTEST, upsample


def share_inside(heat: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """(share of the map's hottest ``HOTTEST`` pixels inside ``mask``, the mask's share of
    the crop), with the map resized to the mask."""
    full = upsample(heat, *mask.shape)
    hottest = full >= np.quantile(full, 1.0 - HOTTEST)
    inside = np.asarray(mask, dtype=bool)
    return float(inside[hottest].mean()), float(inside.mean())


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation of two maps (0 when either is empty)."""
    from scipy.stats import spearmanr

    if not a.any() or not b.any():
        return 0.0
    value = float(spearmanr(a.ravel(), b.ravel()).statistic)
    return 0.0 if np.isnan(value) else value


def randomised_copy(model: Any, seed: int = 0) -> Any:
    """A copy of ``model`` with its last block and head re-initialised (timm CNNs through
    ``TimmWrapper``; Hugging Face ViT and DeiT)."""
    clone = copy.deepcopy(model)
    timm_model = getattr(clone, "timm_model", None)
    if timm_model is not None:
        parts = [timm_model.blocks[-1], timm_model.conv_head, timm_model.bn2]
        parts.append(timm_model.get_classifier())
    else:
        backbone = getattr(clone, "vit", None) or clone.deit
        parts = [backbone.layers[-1], backbone.layernorm]
        parts += [m for name, m in clone.named_children() if "classifier" in name]
    torch.manual_seed(seed)
    for part in parts:
        for module in part.modules():
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
    return clone.eval()

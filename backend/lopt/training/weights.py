"""Checkpoint weights: starting a run from a saved checkpoint (``--init-from``), and
weight-space interpolation of a fine-tune with the weights it started from (WiSE-FT,
Wortsman et al., CVPR 2022): ``(1 - a) * start + a * fine-tuned`` for each asked ``a``,
each judged on the validation split; the mixture with the best validation ROC AUC wins.

A fine-tune that sharpens one skill (e.g. more draws of one source) often costs others;
a point between the two sets of weights can keep most of both. ``a = 1`` is the
fine-tune's best epoch itself and always competes; ``a = 0`` is where it started.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

log = logging.getLogger(__name__)


def init_weights(model: nn.Module, folder: Path, *, lora: bool = False) -> None:
    """Load a saved checkpoint's weights (``FOLDER/model.safetensors``, same architecture)
    into ``model``; the optimiser and learning-rate schedule start fresh."""
    from safetensors.torch import load_file

    if lora:
        raise ValueError(
            "--init-from cannot be combined with --lora; pass the folder as --backbone."
        )
    weights = Path(folder) / "model.safetensors"
    if not weights.is_file():
        raise ValueError(f"--init-from {folder}: no model.safetensors there")
    missing, unexpected = model.load_state_dict(load_file(weights), strict=False)
    if missing or unexpected:
        raise ValueError(
            f"--init-from {folder} does not match --backbone: {len(missing)} weights missing "
            f"(e.g. {missing[:2]}), {len(unexpected)} unexpected (e.g. {unexpected[:2]})"
        )


def interpolate(
    model: nn.Module,
    start: Path,
    best: Path,
    best_auc: float,
    judge: Callable[[], float],
    alphas: list[float],
    save: Callable[[Path], Path],
) -> tuple[Path, dict[str, Any]]:
    """Load each mixture of ``start``'s and ``best``'s weights into ``model`` and
    ``judge`` it (its validation ROC AUC); save the winner next to ``best``
    (``best-interpolated``) unless the fine-tune itself wins. Returns the winner's folder
    and what was measured (for the run's summary)."""
    start_weights = _weights(model, start)
    tuned = _weights(model, best)
    aucs: dict[float, float] = {1.0: best_auc}
    for alpha in sorted(set(alphas) - {1.0}):
        model.load_state_dict(mix(start_weights, tuned, alpha))
        aucs[alpha] = judge()
        log.info(
            "Weights %.2f of the fine-tune, %.2f of %s: val ROC AUC %.4f",
            alpha,
            1 - alpha,
            start,
            aucs[alpha],
        )
    chosen = max(aucs, key=lambda alpha: (aucs[alpha], alpha))  # ties: more of the fine-tune
    record = {
        "start": str(start),
        "val_roc_auc": {f"{alpha:g}": aucs[alpha] for alpha in sorted(aucs)},
        "chosen": chosen,
    }
    if chosen == 1.0:
        model.load_state_dict(tuned)
        return best, record
    model.load_state_dict(mix(start_weights, tuned, chosen))
    log.info(
        "Keeping %.2f of the fine-tune (val ROC AUC %.4f, the fine-tune alone %.4f)",
        chosen,
        aucs[chosen],
        best_auc,
    )
    return save(best.parent / "best-interpolated"), record


def mix(
    start: dict[str, torch.Tensor], tuned: dict[str, torch.Tensor], alpha: float
) -> dict[str, torch.Tensor]:
    """``(1 - alpha) * start + alpha * tuned`` for every floating tensor (weights and the
    normalisation statistics); counters (e.g. batches seen) come from ``tuned``."""
    return {
        name: start[name].lerp(value, alpha) if value.is_floating_point() else value.clone()
        for name, value in tuned.items()
    }


def _weights(model: nn.Module, folder: Path) -> dict[str, torch.Tensor]:
    init_weights(model, folder)  # refuses a checkpoint of another architecture
    return {name: value.detach().clone() for name, value in model.state_dict().items()}

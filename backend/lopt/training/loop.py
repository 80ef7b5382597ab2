"""The one training loop, for face crops and for video clips alike.

AdamW and a one-cycle learning rate over the trainable parameters, cross-entropy with
label smoothing, a resumable ``last.pt`` after every epoch, the best epoch by validation
ROC AUC saved as a checkpoint, early stopping after ``patience`` epochs without gain, and
(``--interpolate``) the best epoch mixed with the weights the run started from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader
from tqdm import tqdm

from lopt.training.config import TrainConfig
from lopt.training.metrics import roc_auc
from lopt.training.weights import interpolate

log = logging.getLogger(__name__)
Batches = DataLoader[tuple[torch.Tensor, int]]


@dataclass
class EvalSet:
    """One split's fixed inputs and what is known about each: label, source, kind of fake."""

    loader: Batches
    labels: np.ndarray
    sources: np.ndarray
    kinds: np.ndarray  # "real", "fake" (given) or "sbi" (self-blended)

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class Fitted:
    """Where the weights to ship were saved, and what the run's summary should say of how
    they were chosen (e.g. the interpolation's validation AUCs)."""

    best: Path
    summary: dict[str, Any]


def predict(model: nn.Module, loader: Batches, channels_last: bool = False) -> np.ndarray:
    """Fake probabilities (label 1) of every input the loader yields, in order."""
    model.eval()
    probs = []
    with torch.inference_mode():
        for pixels, _ in tqdm(loader, desc="evaluate", leave=False, mininterval=10):
            if channels_last and pixels.ndim == 4:
                pixels = pixels.to(memory_format=torch.channels_last)
            logits = model(pixel_values=pixels).logits
            probs.append(torch.softmax(logits.float(), dim=-1)[:, 1].numpy())
    return np.concatenate(probs) if probs else np.zeros(0, dtype=np.float32)


def score(labels: np.ndarray, probs: np.ndarray) -> float:
    """Validation ROC AUC; 0 when a split lacks one class (nothing to rank)."""
    return roc_auc(labels, probs) if len(set(labels.tolist())) == 2 else 0.0


def fit(
    model: nn.Module,
    train_loader: Batches,
    val: EvalSet,
    save_best: Callable[[Path], Path],
    config: TrainConfig,
) -> Fitted:
    """Train ``model``; return where the weights to ship were saved (the best epoch, or
    with ``config.interpolate`` the best mixture of it and ``init_from``) and how they
    were chosen."""
    channels_last = config.task == "image"
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    steps_per_epoch = len(train_loader)
    total_steps = min(config.max_steps or 10**12, steps_per_epoch * config.epochs)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.lr, total_steps=max(total_steps, 2), pct_start=0.1
    )
    state: dict[str, Any] = {"epoch": 0, "step": 0, "best_auc": -1.0, "stale": 0}
    last = config.output / "last.pt"
    if config.resume and last.exists():
        state = _restore(last, model, optimizer, scheduler)
        log.info("Resumed from %s at epoch %d", last, state["epoch"])
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    best_dir = config.output / "best"
    while state["epoch"] < config.epochs and state["step"] < total_steps:
        model.train()
        bar = tqdm(train_loader, desc=f"epoch {state['epoch'] + 1}/{config.epochs}", mininterval=10)
        running: float | None = None  # the loss shown: a moving average over this epoch
        for pixels, labels in bar:
            if channels_last:
                pixels = pixels.to(memory_format=torch.channels_last)
            loss = loss_fn(model(pixel_values=pixels).logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            state["step"] += 1
            value = float(loss.detach())
            running = value if running is None else 0.98 * running + 0.02 * value
            bar.set_postfix(
                loss=f"{running:.3f}", lr=f"{scheduler.get_last_lr()[0]:.1e}", refresh=False
            )
            if state["step"] >= total_steps:
                break
        state["epoch"] += 1
        auc = score(val.labels, predict(model, val.loader, channels_last))
        log.info("epoch %d: val ROC AUC %.4f (best %.4f)", state["epoch"], auc, state["best_auc"])
        if auc > state["best_auc"]:
            state["best_auc"], state["stale"] = auc, 0
            save_best(best_dir)
        else:
            state["stale"] += 1
        _checkpoint(last, model, optimizer, scheduler, state, config)
        if state["stale"] >= config.patience:
            log.info("Early stop: no val AUC gain for %d epochs", config.patience)
            break
    if not config.interpolate or config.init_from is None:
        return Fitted(best_dir, {})
    best, record = interpolate(
        model,
        config.init_from,
        best_dir,
        state["best_auc"],
        lambda: score(val.labels, predict(model, val.loader, channels_last)),
        config.interpolate,
        save_best,
    )
    return Fitted(best, {"interpolation": record})


def _checkpoint(
    path: Path,
    model: nn.Module,
    optimizer: Any,
    scheduler: Any,
    state: dict[str, Any],
    config: TrainConfig,
) -> None:
    payload = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "state": state,
        "config": {k: str(v) for k, v in asdict(config).items()},
        "rng": torch.get_rng_state(),
    }
    torch.save(payload, path.with_suffix(".tmp"))
    path.with_suffix(".tmp").replace(path)


def _restore(path: Path, model: nn.Module, optimizer: Any, scheduler: Any) -> dict[str, Any]:
    payload = torch.load(path, weights_only=False)
    model.load_state_dict(payload["model"])
    optimizer.load_state_dict(payload["optimizer"])
    scheduler.load_state_dict(payload["scheduler"])
    torch.set_rng_state(payload["rng"])
    return dict(payload["state"])

"""The end of ``lopt train``: threshold from validation, final checkpoint, reports.

Works on what any task's evaluation sets carry (labels, sources, kinds of fake), so face
crops and video clips are reported the same way.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from lopt.training import metrics
from lopt.training.config import TrainConfig
from lopt.training.loop import EvalSet, predict
from lopt.training.thresholds import choose_source_threshold, store_threshold

log = logging.getLogger(__name__)


def breakdown(
    labels: np.ndarray, probs: np.ndarray, sources: np.ndarray, kinds: np.ndarray, threshold: float
) -> dict[str, Any]:
    """AUC of each kind of fake against all real inputs, of each fake source against its
    own real inputs, and the false-positive rate on each real source at ``threshold``."""
    result: dict[str, Any] = {
        "auc_by_fake_kind": {},
        "auc_by_source": {},
        "fpr_by_real_source": {},
    }
    for kind in ("fake", "sbi"):
        keep = (kinds == kind) | (labels == 0)
        if (kinds == kind).any() and (labels == 0).any():
            name = "given_fakes" if kind == "fake" else "self_blended"
            result["auc_by_fake_kind"][name] = metrics.roc_auc(labels[keep], probs[keep])
    # Given fakes of a source against that source's own real faces (same crops, same
    # people, same capture): e.g. LFW swaps vs LFW photos, StyleGAN2 vs FFHQ. A fake
    # source "set/method" is held against the real faces of "set".
    for source in sorted(set(sources[kinds == "fake"].tolist())):
        real_source = (
            source if ((sources == source) & (labels == 0)).any() else source.split("/")[0]
        )
        keep = ((sources == source) & (kinds == "fake")) | (
            (sources == real_source) & (labels == 0)
        )
        if (labels[keep] == 0).any():
            result["auc_by_source"][str(source) or "default"] = metrics.roc_auc(
                labels[keep], probs[keep]
            )
    for source in sorted(set(sources[labels == 0].tolist())):
        keep = (labels == 0) & (sources == source)
        result["fpr_by_real_source"][str(source) or "default"] = float(
            (probs[keep] >= threshold).mean()
        )
    return result


def finish(
    best: Path,
    load: type[Any],
    sets: dict[str, EvalSet],
    config: TrainConfig,
    recipe: dict[str, Any] | None = None,
) -> Path:
    """Load the best epoch (``load``: its Auto class), choose the threshold on the
    validation set, save the final checkpoint to ``config.output``, report val and test
    (with ``recipe``: how the inputs were made, e.g. the face detector's configuration)."""
    model: nn.Module = load.from_pretrained(best)
    channels_last = config.task == "image"
    val = sets["val"]
    threshold = choose_source_threshold(
        val.labels, predict(model, val.loader, channels_last), val.sources, config.threshold_rule
    )
    model.save_pretrained(config.output)  # type: ignore[operator]
    for extra in best.glob("*.json"):  # processor files
        if extra.name != "config.json":
            shutil.copy2(extra, config.output / extra.name)
    threshold = store_threshold(config.output, threshold, config.threshold_rule)
    reports = config.output / "reports"
    summary: dict[str, Any] = {
        "threshold": threshold,
        "threshold_rule": config.threshold_rule,
        **(recipe or {}),
    }
    for split in ("val", "test"):
        part = sets.get(split)
        if part is None or len(set(part.labels.tolist())) < 2:
            continue
        probs = predict(model, part.loader, channels_last)
        report = metrics.save_evaluation(
            reports / split, part.labels, probs, threshold, n_resamples=500
        )
        summary[split] = {
            key: report[key]
            for key in ("count", "roc_auc", "eer", "average_precision", "accuracy", "macro_f1")
        }
        summary[split]["confidence_intervals"] = report.get("confidence_intervals")
        summary[split].update(breakdown(part.labels, probs, part.sources, part.kinds, threshold))
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "summary.json").write_text(json.dumps(summary, indent=2))
    log.info("Saved %s (threshold %.4f); test: %s", config.output, threshold, summary.get("test"))
    return config.output

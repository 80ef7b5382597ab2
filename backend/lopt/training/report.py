"""The end of ``lopt train``: threshold from validation, final checkpoint, test report."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from transformers import AutoModelForImageClassification

from lopt.inference.registry import THRESHOLD_KEY
from lopt.training import metrics
from lopt.training.blend_files import write_self_blended
from lopt.training.dataset import Item

if TYPE_CHECKING:
    from lopt.training.models import TrainableModel
    from lopt.training.trainer import TrainConfig

log = logging.getLogger(__name__)


def choose_source_threshold(items: list[Item], probs: np.ndarray, rule: str) -> float:
    """Threshold by ``rule`` on validation data; for ``fpr<=x`` it holds on every real
    source separately (the strictest one wins), not only on their mix."""
    labels = np.array([item.label for item in items])
    if not rule.startswith("fpr"):
        return metrics.choose_threshold(labels, probs, rule)
    thresholds = []
    for source in sorted({item.crop.sample.source for item in items}):
        keep = np.array([i.crop.sample.source == source or i.label == 1 for i in items])
        if (labels[keep] == 0).any() and (labels[keep] == 1).any():
            thresholds.append(metrics.choose_threshold(labels[keep], probs[keep], rule))
    return max(thresholds) if thresholds else 0.5


def breakdown(items: list[Item], probs: np.ndarray, threshold: float) -> dict[str, Any]:
    """AUC of each kind of fake against all real faces, and the false-positive rate on
    the real faces of each source, at the stored threshold."""
    labels = np.array([item.label for item in items])
    kinds = np.array([item.kind for item in items])
    sources = np.array([item.crop.sample.source for item in items])
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
    for source in sorted(set(sources[kinds == "fake"])):
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
    for source in sorted(set(sources[labels == 0])):
        keep = (labels == 0) & (sources == source)
        result["fpr_by_real_source"][str(source) or "default"] = float(
            (probs[keep] >= threshold).mean()
        )
    return result


def finish(
    best: Path, config: TrainConfig, items: dict[str, list[Item]], trainable: TrainableModel
) -> Path:
    from lopt.training.trainer import predict_items

    model = AutoModelForImageClassification.from_pretrained(best)
    _, val_probs = predict_items(model, items["val"], trainable, config)
    threshold = choose_source_threshold(items["val"], val_probs, config.threshold_rule)
    model.config.update(
        {THRESHOLD_KEY: threshold, "lopt_threshold_rule": f"{config.threshold_rule} on validation"}
    )
    model.save_pretrained(config.output)
    _copy_processor(best, config.output)
    reports = config.output / "reports"
    summary: dict[str, Any] = {"threshold": threshold, "threshold_rule": config.threshold_rule}
    for split in ("val", "test"):
        if not items[split]:
            continue
        labels, probs = predict_items(model, items[split], trainable, config)
        report = metrics.save_evaluation(reports / split, labels, probs, threshold, n_resamples=500)
        summary[split] = {
            key: report[key]
            for key in ("count", "roc_auc", "eer", "average_precision", "accuracy", "macro_f1")
        }
        summary[split]["confidence_intervals"] = report.get("confidence_intervals")
        summary[split].update(breakdown(items[split], probs, threshold))
    (reports / "summary.json").parent.mkdir(parents=True, exist_ok=True)
    (reports / "summary.json").write_text(json.dumps(summary, indent=2))
    for split in ("val", "test"):
        # The same fixed self-blends, as files `lopt evaluate` can judge.
        write_self_blended(
            items[split], config.output / "splits" / f"{split}-self-blended", seed=config.seed
        )
    log.info("Saved %s (threshold %.4f); test: %s", config.output, threshold, summary.get("test"))
    return config.output


def _copy_processor(source: Path, target: Path) -> None:
    processor = source / "preprocessor_config.json"
    if processor.exists():
        (target / processor.name).write_text(processor.read_text())

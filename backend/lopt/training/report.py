"""The end of ``lopt train``: calibration and verdict bands from validation, the final
checkpoint, reports.

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

from lopt.inference.calibration import Calibration, VerdictBands
from lopt.training import metrics
from lopt.training.calibration import (
    TooFewToCalibrate,
    calibration_report,
    choose_bands,
    fit_calibration,
    store_policy,
)
from lopt.training.config import TrainConfig
from lopt.training.loop import EvalSet, predict

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
    """Load the best epoch (``load``: its Auto class), fit the calibration map and choose
    the verdict bands on the validation set, save the final checkpoint to
    ``config.output``, report val and test (with ``recipe``: how the inputs were made,
    e.g. the face detector's configuration)."""
    model: nn.Module = load.from_pretrained(best)
    channels_last = config.task == "image"
    val = sets["val"]
    val_raw = predict(model, val.loader, channels_last)
    counts = np.bincount(val.labels, minlength=2)
    calibration: Calibration | None = None
    try:
        calibration = fit_calibration(
            val.labels,
            val_raw,
            f"{config.output.name}/splits/val.csv ({counts[0]} real, {counts[1]} fake)",
            seed=config.seed,
        )
    except TooFewToCalibrate as error:
        log.warning("Not calibrated: %s. Scores stay the raw model output.", error)
    val_probs = calibration.apply(val_raw) if calibration else val_raw
    bands = choose_bands(
        val.labels, val_probs, val.sources, config.threshold_rule, config.authentic_rule
    )
    model.save_pretrained(config.output)  # type: ignore[operator]
    for extra in best.glob("*.json"):  # processor files
        if extra.name != "config.json":
            shutil.copy2(extra, config.output / extra.name)
    store_policy(config.output, calibration, bands, "face_crops" if channels_last else None)
    reports = config.output / "reports"
    summary: dict[str, Any] = {
        "threshold": bands.manipulated_at,
        "threshold_rule": config.threshold_rule,
        "calibration": calibration.to_config() if calibration else None,
        "bands": bands.to_config(),
        **(recipe or {}),
    }
    for split in ("val", "test"):
        part = sets.get(split)
        if part is None or len(set(part.labels.tolist())) < 2:
            continue
        raw = val_raw if split == "val" else predict(model, part.loader, channels_last)
        summary[split] = report_split(reports / split, part, raw, calibration, bands)
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "summary.json").write_text(json.dumps(summary, indent=2))
    log.info(
        "Saved %s (calibration: %s, bands %.4f / %.4f); test: %s",
        config.output,
        calibration.method if calibration else "none",
        bands.authentic_below,
        bands.manipulated_at,
        summary.get("test"),
    )
    return config.output


def report_split(
    folder: Path,
    part: EvalSet,
    raw: np.ndarray,
    calibration: Calibration | None,
    bands: VerdictBands,
) -> dict[str, Any]:
    """Metrics of one split on the calibrated scale at the manipulated edge, calibration
    before and after, the share of each verdict level per class, and the breakdown."""
    calibrated = calibration.apply(raw) if calibration else raw
    threshold = bands.manipulated_at
    report = metrics.save_evaluation(folder, part.labels, calibrated, threshold, n_resamples=500)
    out: dict[str, Any] = {
        key: report[key]
        for key in ("count", "roc_auc", "eer", "average_precision", "accuracy", "macro_f1")
    }
    out["confidence_intervals"] = report.get("confidence_intervals")
    out["roc_auc_raw"] = metrics.roc_auc(part.labels, raw)
    out["calibration"], out["levels"] = calibration_report(
        part.labels,
        raw,
        calibrated,
        [bands.level(p) for p in calibrated],
        folder / "reliability.png",
    )
    out.update(breakdown(part.labels, calibrated, part.sources, part.kinds, threshold))
    return out

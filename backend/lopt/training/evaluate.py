"""``lopt evaluate MODEL DATA``: judge every file through the serving path and report.

Each file goes through exactly what ``POST /playground`` does (type sniffing, decoding,
face detection and cropping, batching), so the numbers describe the service a user
runs. Metrics come at frame level (every image, every scored video frame) and at video
level, on the reported (calibrated) scale at the manipulated edge, with calibration
before and after (ECE, Brier score, log loss, a reliability diagram) and the share of
each verdict level per class. The calibration map and the bands are the checkpoint's, or
are fitted on separate validation data (``--calibrate``) and stored — in the checkpoint
when it is a local folder, always in ``OUTPUT/calibration.json`` (``LOPT_IMAGE_CALIBRATION``
serves it for a hub model) — never on the test data.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lopt.config import load_settings
from lopt.errors import LoptError
from lopt.inference.calibration import VerdictPolicy
from lopt.inference.results import Prediction
from lopt.inference.service import DetectionService
from lopt.inference.shipped import embedded_path
from lopt.training import metrics
from lopt.training.calibration import (
    calibration_report,
    choose_bands,
    fit_calibration,
    policy_entries,
    store_policy,
)
from lopt.training.data import Sample, load_samples

log = logging.getLogger(__name__)
CONCURRENCY = 8


@dataclass
class EvaluateConfig:
    model: str
    data: Path | list[Path]
    output: Path
    calibrate: list[Path] = field(default_factory=list)  # validation data, never DATA
    threshold_rule: str = "fpr<=0.03"
    authentic_rule: str = "fnr<=0.05"
    video_model: str | None = None
    n_resamples: int = 1000


@dataclass
class Scores:
    frame_labels: list[int]
    frame_probs: list[float]
    video_labels: list[int]
    video_probs: list[float]
    failures: list[dict[str, str]]
    files: list[dict[str, Any]] = field(default_factory=list)  # one row per judged file

    def column(self, key: str) -> list[Any]:
        return [row[key] for row in self.files]


def evaluate_model(config: EvaluateConfig) -> dict[str, Any]:
    settings = load_settings(image_model=config.model, video_model=config.video_model or "none")
    service = DetectionService.load(settings)

    async def run() -> tuple[dict[str, Any] | None, Scores]:
        await service.start()
        try:
            fitted = None
            if config.calibrate:
                fitted = await _calibrate(service, config)
            return fitted, await _score(service, load_samples(config.data))
        finally:
            await service.stop()

    fitted, scores = asyncio.run(run())
    policy = service.image.policy
    threshold = policy.bands.manipulated_at
    summary: dict[str, Any] = {
        "model": config.model,
        "data": [str(p) for p in config.data]
        if isinstance(config.data, list)
        else str(config.data),
        "threshold": threshold,
        "calibration": policy.calibration.to_config() if policy.calibration else None,
        "bands": {**policy.bands.to_config(), "source": policy.bands.source},
        "fitted_now": fitted is not None,
    }
    for level, labels, probs in (
        ("frame", scores.frame_labels, scores.frame_probs),
        ("video", scores.video_labels, scores.video_probs),
    ):
        if len(set(labels)) == 2:
            report = metrics.save_evaluation(
                config.output / level, labels, probs, threshold, n_resamples=config.n_resamples
            )
            summary[level] = {
                k: report[k]
                for k in (
                    "count",
                    "roc_auc",
                    "eer",
                    "average_precision",
                    "accuracy",
                    "macro_f1",
                    "false_positive_rate",
                    "confusion_matrix",
                )
            }
            summary[level]["confidence_intervals"] = report.get("confidence_intervals")
        elif labels:
            summary[level] = {"count": len(labels), "note": "one class only: no ROC metrics"}
    summary.update(_meaning(scores, config.output))
    summary["by_source"] = by_source(scores.files, threshold)
    summary["failures"] = scores.failures
    config.output.mkdir(parents=True, exist_ok=True)
    (config.output / "summary.json").write_text(json.dumps(summary, indent=2))
    with (config.output / "predictions.jsonl").open("w") as handle:
        for row in scores.files:
            handle.write(json.dumps(row) + "\n")
    return summary


async def _calibrate(service: DetectionService, config: EvaluateConfig) -> dict[str, Any]:
    """Fit the map and bands on the --calibrate files' raw file-level scores; serve them
    for the rest of this run and store them (checkpoint folder and OUTPUT)."""
    val = await _score(service, load_samples(config.calibrate))
    labels, raw = val.column("label"), val.column("raw_fake_probability")
    counts = np.bincount(labels, minlength=2)
    calibration = fit_calibration(
        labels,
        raw,
        f"{' + '.join(p.name for p in config.calibrate)} ({counts[0]} real, {counts[1]} fake)",
    )
    bands = choose_bands(
        labels,
        calibration.apply(raw),
        val.column("source"),
        config.threshold_rule,
        config.authentic_rule,
    )
    detector = service.image
    detector.loaded.policy = VerdictPolicy(calibration, bands, detector.policy.judges)
    config.output.mkdir(parents=True, exist_ok=True)
    record = config.output / "calibration.json"
    written = policy_entries(calibration, bands, detector.policy.judges)
    record.write_text(json.dumps(written, indent=2))
    folder = embedded_path(config.model) or Path(config.model)
    if (folder / "config.json").exists():
        store_policy(folder, calibration, bands, detector.policy.judges)
    else:
        log.warning(
            "%s is not a local folder: serve its calibration with LOPT_IMAGE_CALIBRATION=%s",
            config.model,
            record,
        )
    return written


def _meaning(scores: Scores, output: Path) -> dict[str, Any]:
    """What the scores mean, at file level: calibration before and after, ROC AUC of
    the raw and the reported scores, and the share of each verdict level per class."""
    labels = scores.column("label")
    if len(set(labels)) < 2:
        return {}
    raw = scores.column("raw_fake_probability")
    reported = scores.column("fake_probability")
    before_after, levels = calibration_report(
        labels, raw, reported, scores.column("verdict"), output / "reliability.png"
    )
    return {
        "file_calibration": {
            **before_after,
            "roc_auc_raw": metrics.roc_auc(labels, raw),
            "roc_auc_reported": metrics.roc_auc(labels, reported),
        },
        "levels": levels,
    }


def by_source(files: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    """Per file type: ROC AUC of each fake source against every real file, and the
    false-positive rate on each real source at ``threshold`` (the file-level score)."""
    out: dict[str, Any] = {}
    for kind in sorted({row["type"] for row in files}):
        rows = [row for row in files if row["type"] == kind]
        real = [row["fake_probability"] for row in rows if row["label"] == 0]
        block: dict[str, Any] = {"auc_by_fake_source": {}, "fpr_by_real_source": {}}
        for source in sorted({row["source"] for row in rows if row["label"] == 1}):
            fake = [
                r["fake_probability"] for r in rows if r["label"] == 1 and r["source"] == source
            ]
            if real:
                labels = [0] * len(real) + [1] * len(fake)
                block["auc_by_fake_source"][source or "default"] = {
                    "auc": metrics.roc_auc(labels, real + fake),
                    "fake": len(fake),
                    "real": len(real),
                    "caught": sum(p >= threshold for p in fake),
                }
        for source in sorted({row["source"] for row in rows if row["label"] == 0}):
            probs = [
                r["fake_probability"] for r in rows if r["label"] == 0 and r["source"] == source
            ]
            block["fpr_by_real_source"][source or "default"] = {
                "fpr": float(np.mean([p >= threshold for p in probs])),
                "real": len(probs),
            }
        out[kind] = block
    return out


async def _score(service: DetectionService, samples: list[Sample]) -> Scores:
    scores = Scores([], [], [], [], [])
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(sample: Sample) -> tuple[Sample, Prediction | LoptError]:
        async with gate:
            try:
                return sample, await service.analyse(sample.path, filename=sample.path.name)
            except LoptError as error:
                return sample, error

    results = await asyncio.gather(*(one(sample) for sample in samples))
    for sample, result in results:
        if isinstance(result, LoptError):
            scores.failures.append({"path": str(sample.path), "error": result.message})
            continue
        frames = _frame_probabilities(result)
        scores.frame_labels += [sample.label] * len(frames)
        scores.frame_probs += frames
        scores.files.append(_file_row(sample, result))
        if result.type == "video":
            scores.video_labels.append(sample.label)
            scores.video_probs.append(result.fake_probability)
    return scores


def _file_row(sample: Sample, prediction: Prediction) -> dict[str, Any]:
    """What was judged for one file: its score, and for videos each judged person's
    per-frame face scores (so other aggregation rules can be compared afterwards)."""
    row: dict[str, Any] = {
        # Relative to the working folder, so a committed report names no machine's paths.
        "path": os.path.relpath(sample.path),
        "label": sample.label,
        "source": sample.source,
        "type": prediction.type,
        "fake_probability": prediction.fake_probability,
        "raw_fake_probability": prediction.raw_fake_probability,
        "verdict": prediction.verdict,
        "status": prediction.status,
        "rule": prediction.rule,
    }
    if prediction.type == "video":
        row["tracks"] = [
            {
                "track_id": track.track_id,
                "frames": {
                    frame.frame_index: frame.fake_probability
                    for frame in track.frames
                    if frame.fake_probability is not None
                },
            }
            for track in prediction.tracks or []
            if track.judged
        ]
    return row


def _frame_probabilities(prediction: Prediction) -> list[float]:
    if prediction.type == "image":
        return [prediction.fake_probability]
    per_frame: dict[int, float] = {}
    for track in prediction.tracks or []:
        for frame in track.frames:
            if frame.fake_probability is not None:  # a frame's most suspicious face
                per_frame[frame.frame_index] = max(
                    per_frame.get(frame.frame_index, 0.0), frame.fake_probability
                )
    for score in prediction.frame_scores or []:
        per_frame[score.frame_index] = score.fake_probability
    return list(per_frame.values()) or [prediction.fake_probability]

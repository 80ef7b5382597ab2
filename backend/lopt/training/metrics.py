"""Evaluation of a binary Real/Fake detector from labels (1 = fake) and fake probabilities.

A sample is called Fake when its probability is at or above the threshold, the same rule
as scikit-learn's ROC thresholds. Thresholds are chosen on validation data with
``choose_threshold`` and then applied unchanged to test data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    classification_report,
    confusion_matrix,
    f1_score,
    roc_auc_score,
    roc_curve,
)

LABEL_NAMES = ("Real", "Fake")
_FPR_RULE = re.compile(r"^fpr<=(\d*\.?\d+)$")


def _check(
    labels: ArrayLike, probs: ArrayLike, *, both_classes: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels)
    p = np.asarray(probs, dtype=np.float64)
    if y.ndim != 1 or y.shape != p.shape or y.size == 0:
        raise ValueError(f"labels and probs must be equal-length 1-D, got {y.shape} and {p.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("labels must be 0 (real) or 1 (fake)")
    if not np.isfinite(p).all() or p.min() < 0 or p.max() > 1:
        raise ValueError("probs must be finite probabilities in [0, 1]")
    if both_classes and np.unique(y).size < 2:
        raise ValueError("this metric needs both real and fake samples")
    return y.astype(np.int64), p


def predict(probs: ArrayLike, threshold: float = 0.5) -> np.ndarray:
    """1 (fake) where the probability is at or above ``threshold``, else 0."""
    return (np.asarray(probs, dtype=np.float64) >= threshold).astype(np.int64)


def roc_auc(labels: ArrayLike, probs: ArrayLike) -> float:
    y, p = _check(labels, probs)
    return float(roc_auc_score(y, p))


def average_precision(labels: ArrayLike, probs: ArrayLike) -> float:
    """Area under the precision-recall curve with Fake as the positive class."""
    y, p = _check(labels, probs)
    return float(average_precision_score(y, p))


def equal_error_rate(labels: ArrayLike, probs: ArrayLike) -> tuple[float, float]:
    """(EER, threshold): the rate where false positives and misses are equally frequent,
    interpolated between ROC points, and the first threshold that reaches it."""
    y, p = _check(labels, probs)
    fpr, tpr, thresholds = _roc(y, p)
    eer, i = _eer(fpr, tpr)
    return eer, _finite(thresholds[i], p)


def _roc(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fpr, tpr, thresholds) at every distinct score, highest first, from (0, 0) at +inf.
    The same points as ``sklearn.metrics.roc_curve(drop_intermediate=False)``, without its
    per-call checks, which dominate the bootstrap's run time."""
    order = np.argsort(-p, kind="mergesort")
    scores, hits = p[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(scores)), scores.size - 1]
    tps = np.cumsum(hits)[last]
    fps = last + 1 - tps
    return (
        np.r_[0.0, fps / fps[-1]],
        np.r_[0.0, tps / tps[-1]],
        np.r_[np.inf, scores[last]],
    )


def _eer(fpr: np.ndarray, tpr: np.ndarray) -> tuple[float, int]:
    gap = (1.0 - tpr) - fpr  # starts at 1, ends at -1; EER where it crosses 0
    i = int(np.argmax(gap <= 0))
    if gap[i] == 0 or i == 0:
        return float(fpr[i]), i
    t = gap[i - 1] / (gap[i - 1] - gap[i])
    return float(fpr[i - 1] + t * (fpr[i] - fpr[i - 1])), i


def _ranking_metrics(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    """(AUC, EER, AP) from one ROC pass; AP is scikit-learn's step-wise sum."""
    fpr, tpr, _ = _roc(y, p)
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    positives = tpr[1:] * y.sum()
    called = positives + fpr[1:] * (y.size - y.sum())
    ap = float(np.sum(np.diff(tpr) * positives / called))
    return auc, _eer(fpr, tpr)[0], ap


def false_positive_rate(labels: ArrayLike, probs: ArrayLike, threshold: float) -> float:
    """Share of real samples called Fake at ``threshold``."""
    y, p = _check(labels, probs, both_classes=False)
    real = y == 0
    if not real.any():
        raise ValueError("the false-positive rate needs real samples")
    return float(predict(p[real], threshold).mean())


def accuracy(labels: ArrayLike, probs: ArrayLike, threshold: float = 0.5) -> float:
    y, p = _check(labels, probs, both_classes=False)
    return float(accuracy_score(y, predict(p, threshold)))


def choose_threshold(labels: ArrayLike, probs: ArrayLike, rule: str = "eer") -> float:
    """A decision threshold from validation data.

    ``"eer"``: where false-positive and miss rates meet. ``"youden"``: the ROC point that
    maximises TPR - FPR. ``"fpr<=x"`` (e.g. ``"fpr<=0.05"``): the lowest threshold whose
    false-positive rate is at most x, i.e. the most fakes caught within that budget.
    """
    y, p = _check(labels, probs)
    if rule == "eer":
        return equal_error_rate(y, p)[1]
    fpr, tpr, thresholds = _roc(y, p)
    if rule == "youden":
        return _finite(thresholds[int(np.argmax(tpr - fpr))], p)
    match = _FPR_RULE.match(rule.replace(" ", ""))
    if match is None:
        raise ValueError(f"unknown rule {rule!r}: use 'eer', 'youden' or 'fpr<=x'")
    budget = float(match.group(1))
    allowed = np.flatnonzero(fpr <= budget + 1e-12)  # fpr rises along the curve
    return _finite(thresholds[allowed[-1]], p)


def _finite(threshold: float, probs: np.ndarray) -> float:
    """scikit-learn's first ROC threshold is +inf (nothing called Fake); keep JSON finite."""
    if np.isfinite(threshold):
        return float(threshold)
    return float(np.nextafter(probs.max(), np.inf))


def bootstrap_intervals(
    labels: ArrayLike,
    probs: ArrayLike,
    threshold: float = 0.5,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """Percentile confidence intervals for AUC, EER, AP and accuracy.

    Each resample draws real and fake samples with replacement within their class, so
    every resample keeps the class counts and both classes (the metrics stay defined).
    """
    y, p = _check(labels, probs)
    if n_resamples < 1 or not 0 < confidence < 1:
        raise ValueError("n_resamples must be positive and confidence in (0, 1)")
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(y == c) for c in (0, 1)]
    draws: dict[str, list[float]] = {"auc": [], "eer": [], "ap": [], "accuracy": []}
    for _ in range(n_resamples):
        idx = np.concatenate([rng.choice(g, size=g.size, replace=True) for g in groups])
        accuracy = float((predict(p[idx], threshold) == y[idx]).mean())
        for name, value in zip(draws, (*_ranking_metrics(y[idx], p[idx]), accuracy), strict=True):
            draws[name].append(value)
    tail = (1 - confidence) / 2 * 100
    return {
        name: (float(np.percentile(v, tail)), float(np.percentile(v, 100 - tail)))
        for name, v in draws.items()
    }


def evaluate(
    labels: ArrayLike,
    probs: ArrayLike,
    threshold: float = 0.5,
    *,
    label_names: Sequence[str] = LABEL_NAMES,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """Every metric at once, as a JSON-ready dict (``n_resamples=0`` skips the intervals)."""
    y, p = _check(labels, probs)
    pred = predict(p, threshold)
    eer, eer_threshold = equal_error_rate(y, p)
    report: dict[str, Any] = {
        "count": {"total": int(y.size), "real": int((y == 0).sum()), "fake": int(y.sum())},
        "threshold": float(threshold),
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0)),
        "roc_auc": float(roc_auc_score(y, p)),
        "eer": eer,
        "eer_threshold": eer_threshold,
        "average_precision": float(average_precision_score(y, p)),
        "false_positive_rate": false_positive_rate(y, p, threshold),
        "confusion_matrix": confusion_matrix(y, pred, labels=[0, 1]).tolist(),
        "classification_report": classification_report(
            y,
            pred,
            labels=[0, 1],
            target_names=list(label_names),
            output_dict=True,
            zero_division=0,
        ),
    }
    if n_resamples > 0:
        intervals = bootstrap_intervals(
            y, p, threshold, n_resamples=n_resamples, confidence=confidence, seed=seed
        )
        report["confidence_intervals"] = {
            "confidence": confidence,
            "n_resamples": n_resamples,
            "seed": seed,
            **{name: list(bounds) for name, bounds in intervals.items()},
        }
    return report


def save_metrics_json(report: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def save_roc_plot(
    labels: ArrayLike, probs: ArrayLike, path: str | Path, threshold: float | None = None
) -> Path:
    """ROC curve PNG, with the operating point at ``threshold`` marked when given."""
    from matplotlib.figure import Figure  # Agg canvas; no pyplot global state

    y, p = _check(labels, probs)
    fpr, tpr, _ = roc_curve(y, p)
    fig = Figure(figsize=(4.5, 4.5), dpi=100)
    ax = fig.add_subplot()
    ax.plot(fpr, tpr, label=f"AUC = {roc_auc_score(y, p):.4f}")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    if threshold is not None:
        pred = predict(p, threshold)
        point = (pred[y == 0].mean(), pred[y == 1].mean())
        ax.plot(*point, "o", color="crimson", label=f"threshold {threshold:.3f}")
    ax.set(
        xlabel="False positive rate (real called fake)",
        ylabel="True positive rate",
        xlim=(0, 1),
        ylim=(0, 1.01),
        title="ROC",
    )
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(Path(path), format="png")
    return Path(path)


def save_confusion_plot(
    matrix: ArrayLike, path: str | Path, label_names: Sequence[str] = LABEL_NAMES
) -> Path:
    """Confusion-matrix PNG: rows are the true class, columns the predicted one."""
    from matplotlib.figure import Figure

    counts = np.asarray(matrix)
    fig = Figure(figsize=(4, 3.6), dpi=100)
    ax = fig.add_subplot()
    ax.imshow(counts, cmap="Blues")
    for (row, col), value in np.ndenumerate(counts):
        colour = "white" if value > counts.max() / 2 else "black"
        ax.text(col, row, str(int(value)), ha="center", va="center", color=colour)
    ticks = range(len(label_names))
    ax.set_xticks(ticks, labels=list(label_names))
    ax.set_yticks(ticks, labels=list(label_names))
    ax.set(xlabel="Predicted", ylabel="True", title="Confusion matrix")
    fig.tight_layout()
    fig.savefig(Path(path), format="png")
    return Path(path)


def save_evaluation(
    folder: str | Path,
    labels: ArrayLike,
    probs: ArrayLike,
    threshold: float = 0.5,
    **evaluate_kwargs: Any,
) -> dict[str, Any]:
    """Write ``metrics.json``, ``roc.png`` and ``confusion_matrix.png`` to ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    report = evaluate(labels, probs, threshold, **evaluate_kwargs)
    save_metrics_json(report, folder / "metrics.json")
    save_roc_plot(labels, probs, folder / "roc.png", threshold)
    names = evaluate_kwargs.get("label_names", LABEL_NAMES)
    save_confusion_plot(report["confusion_matrix"], folder / "confusion_matrix.png", names)
    return report

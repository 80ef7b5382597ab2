"""Fit what a score means, on validation data only: a calibration map and verdict bands.

``fit_calibration`` tries temperature scaling, Platt scaling and isotonic regression
(scikit-learn), scores each by negative log-likelihood on held-out folds of the
validation set, and refits the best on all of it. ``choose_bands`` then picks the two
verdict edges on the calibrated validation scores by stated rules, each held on every
source of its class. ``store_policy`` writes both into a checkpoint's ``config.json``,
where the model registry reads them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss
from sklearn.model_selection import StratifiedKFold

from lopt.inference.calibration import (
    BANDS_KEY,
    CALIBRATION_KEY,
    INPUT_KEY,
    METHODS,
    THRESHOLD_KEY,
    Calibration,
    Method,
    ModelInput,
    VerdictBands,
    logit,
)
from lopt.training.thresholds import RULE_KEY, choose_source_threshold

# Calibrated probabilities never reach exactly 0 or 1: no validation set proves certainty.
FLOOR = 1e-3
FOLDS = 5
ECE_BINS = 15
_FNR_RULE = re.compile(r"^fnr<=(\d*\.?\d+)$")


class TooFewToCalibrate(ValueError):
    """The validation data cannot support a calibration map."""


def _params(method: Method, labels: np.ndarray, raw: np.ndarray) -> dict[str, Any] | None:
    """The map's parameters fitted on (labels, raw); None when the fit is not monotone."""
    z = logit(raw).reshape(-1, 1)
    if method == "isotonic":
        iso = IsotonicRegression(y_min=FLOOR, y_max=1 - FLOOR, out_of_bounds="clip")
        iso.fit(raw, labels)
        return {"x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()}
    fit_intercept = method == "platt"
    # No regularisation: a calibration map has one or two parameters and many points.
    model = LogisticRegression(C=1e6, fit_intercept=fit_intercept, max_iter=1000)
    model.fit(z, labels)
    slope = float(model.coef_[0][0])
    if slope <= 0:
        return None
    if method == "temperature":
        return {"temperature": 1.0 / slope}
    return {"a": slope, "b": float(model.intercept_[0])}


def _nll(labels: np.ndarray, probs: np.ndarray) -> float:
    return float(log_loss(labels, np.clip(probs, FLOOR, 1 - FLOOR), labels=[0, 1]))


def fit_calibration(
    labels: ArrayLike, raw: ArrayLike, fitted_on: str, *, seed: int = 0
) -> Calibration:
    """The method with the lowest held-out NLL on ``FOLDS`` folds of this validation data,
    refitted on all of it."""
    y = np.asarray(labels, dtype=np.int64)
    p = np.clip(np.asarray(raw, dtype=np.float64), 0.0, 1.0)
    smallest = int(min(np.bincount(y, minlength=2)))
    if smallest < 2:
        raise TooFewToCalibrate(
            f"calibration needs at least 2 real and 2 fake validation samples, got "
            f"{np.bincount(y, minlength=2).tolist()}"
        )
    folds = StratifiedKFold(n_splits=min(FOLDS, smallest), shuffle=True, random_state=seed)
    scores: dict[str, float] = {}
    for method in METHODS:
        held_out = np.empty_like(p)
        ok = True
        for train, test in folds.split(p, y):
            params = _params(method, y[train], p[train])
            if params is None:
                ok = False
                break
            held_out[test] = Calibration(method, params, fitted_on).apply(p[test])
        if ok:
            scores[method] = round(_nll(y, held_out), 6)
    if not scores:
        raise ValueError("no calibration map rises with the score: is the model worse than chance?")
    best: Method = min(scores, key=lambda m: scores[m])  # type: ignore[arg-type]
    params = _params(best, y, p)
    assert params is not None
    return Calibration(best, params, fitted_on, scores)


def choose_bands(
    labels: ArrayLike,
    probs: ArrayLike,
    sources: ArrayLike,
    manipulated_rule: str = "fpr<=0.03",
    authentic_rule: str = "fnr<=0.05",
) -> VerdictBands:
    """Edges on (calibrated) validation scores: ``manipulated`` where real false positives
    stay within ``manipulated_rule`` on every real source, ``authentic`` below the edge
    under which at most the ``authentic_rule`` share of fakes falls, again on every fake
    source (a face swap source, a GAN source, each source's self-blends): the kind of fake
    the model knows worst decides, not the mix the validation set happens to hold."""
    y = np.asarray(labels, dtype=np.int64)
    p = np.asarray(probs, dtype=np.float64)
    kinds = np.asarray(sources, dtype=object)
    match = _FNR_RULE.match(authentic_rule.replace(" ", ""))
    if match is None:
        raise ValueError(f"unknown authentic rule {authentic_rule!r}: use 'fnr<=x'")
    manipulated = float(min(1.0, choose_source_threshold(y, p, kinds, manipulated_rule)))
    share = float(match.group(1))
    authentic = 1.0
    for source in sorted(set(kinds[y == 1].tolist())):
        fakes = np.sort(p[(y == 1) & (kinds == source)])
        allowed = int(np.floor(share * len(fakes)))  # this source's fakes that may fall below
        authentic = min(authentic, float(fakes[allowed]) if allowed < len(fakes) else 1.0)
    return VerdictBands(
        authentic_below=round(min(authentic, manipulated), 6),
        manipulated_at=round(manipulated, 6),
        source="validation",
        rules=f"manipulated: {manipulated_rule} on every real source; authentic: "
        f"{authentic_rule} on every fake source (validation)",
    )


def store_policy(
    folder: Path, calibration: Calibration | None, bands: VerdictBands, judges: ModelInput | None
) -> dict[str, Any]:
    """Write the calibration, the bands (and what the model judges) into the checkpoint's
    ``config.json``. Returns what was written."""
    config_path = Path(folder) / "config.json"
    config = json.loads(config_path.read_text())
    policy = policy_entries(calibration, bands, judges)
    config.update(policy)
    config_path.write_text(json.dumps(config, indent=2))
    return policy


def policy_entries(
    calibration: Calibration | None, bands: VerdictBands, judges: ModelInput | None
) -> dict[str, Any]:
    """The config keys of a verdict policy (no calibration: null, the raw scores stand);
    the old single threshold (and its rule) becomes the manipulated edge."""
    policy: dict[str, Any] = {
        CALIBRATION_KEY: calibration.to_config() if calibration else None,
        BANDS_KEY: bands.to_config(),
        THRESHOLD_KEY: bands.manipulated_at,
        RULE_KEY: bands.rules,
    }
    if judges is not None:
        policy[INPUT_KEY] = judges
    return policy


def reliability_bins(
    labels: ArrayLike, probs: ArrayLike, bins: int = ECE_BINS
) -> list[tuple[int, float, float]]:
    """Each non-empty equal-width bin of predicted fake probability: how many inputs fall
    in it, their mean prediction and the share of them that are fake."""
    y = np.asarray(labels, dtype=np.float64)
    p = np.asarray(probs, dtype=np.float64)
    which = np.minimum((p * bins).astype(int), bins - 1)
    return [
        (int(inside.sum()), float(p[inside].mean()), float(y[inside].mean()))
        for inside in (which == b for b in range(bins))
        if inside.any()
    ]


def expected_calibration_error(labels: ArrayLike, probs: ArrayLike, bins: int = ECE_BINS) -> float:
    """Share-weighted gap between predicted fake probability and the observed fake share,
    over equal-width bins."""
    total = len(np.asarray(labels))
    gaps = (
        n / total * abs(share - mean) for n, mean, share in reliability_bins(labels, probs, bins)
    )
    return float(sum(gaps))


def calibration_metrics(labels: ArrayLike, probs: ArrayLike) -> dict[str, float]:
    y = np.asarray(labels, dtype=np.int64)
    p = np.asarray(probs, dtype=np.float64)
    return {
        "ece": round(expected_calibration_error(y, p), 6),
        "brier": round(float(brier_score_loss(y, p)), 6),
        "log_loss": round(_nll(y, p), 6),
    }


def calibration_report(
    labels: ArrayLike, raw: ArrayLike, reported: ArrayLike, levels: ArrayLike, plot: Path
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Calibration before (``raw``) and after (``reported``), and each verdict level's
    share per class; the reliability diagram is saved to ``plot``."""
    save_reliability_plot(labels, raw, reported, plot)
    before_after = {
        "before": calibration_metrics(labels, raw),
        "after": calibration_metrics(labels, reported),
    }
    return before_after, level_shares(labels, levels)


def level_shares(labels: ArrayLike, levels: ArrayLike) -> dict[str, dict[str, float]]:
    """Share of each verdict level among real and among fake inputs."""
    y = np.asarray(labels, dtype=np.int64)
    lv = np.asarray(levels, dtype=object)
    names = ("authentic", "suspicious", "manipulated", "not_applicable")
    out: dict[str, dict[str, float]] = {}
    for value, name in ((0, "real"), (1, "fake")):
        part = lv[y == value]
        if part.size:
            out[name] = {level: round(float((part == level).mean()), 4) for level in names}
            out[name]["count"] = int(part.size)
    return out


def save_reliability_plot(
    labels: ArrayLike, raw: ArrayLike, calibrated: ArrayLike, path: Path, bins: int = ECE_BINS
) -> Path:
    """Reliability diagram: observed fake share per bin of predicted probability, before
    and after calibration, with the diagonal a perfect calibration would follow."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect")
    for probs, name in ((raw, "raw model output"), (calibrated, "calibrated")):
        points = [
            (mean, share) for n, mean, share in reliability_bins(labels, probs, bins) if n >= 5
        ]
        ece = expected_calibration_error(labels, probs, bins)
        ax.plot(*zip(*points, strict=True), marker="o", label=f"{name} (ECE {ece:.3f})")
    ax.set(
        xlabel="Predicted fake probability",
        ylabel="Observed share of fakes",
        xlim=(0, 1),
        ylim=(0, 1),
        title="Reliability",
    )
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path

"""Calibration fitted on validation data: it makes overconfident scores honest without
changing their order, and the verdict bands keep the promises their rules state."""

from __future__ import annotations

import numpy as np
import pytest

from lopt.training import metrics
from lopt.training.calibration import (
    TooFewToCalibrate,
    calibration_metrics,
    choose_bands,
    fit_calibration,
    level_shares,
)


def overconfident(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and scores whose logits are three times too large (the true probability is
    sigmoid(z), the model says sigmoid(3z))."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 1.5, n)
    labels = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return labels, 1 / (1 + np.exp(-3 * z))


def test_a_fitted_map_makes_overconfident_scores_honest_on_new_data() -> None:
    labels, raw = overconfident(4000, seed=0)
    calibration = fit_calibration(labels, raw, "synthetic val")
    assert set(calibration.scores) == {"temperature", "platt", "isotonic"}
    assert calibration.method == min(calibration.scores, key=calibration.scores.__getitem__)
    test_labels, test_raw = overconfident(4000, seed=1)
    before = calibration_metrics(test_labels, test_raw)
    after = calibration_metrics(test_labels, calibration.apply(test_raw))
    assert after["ece"] < 0.03 < before["ece"]
    assert after["log_loss"] < before["log_loss"] and after["brier"] <= before["brier"]
    auc_before = metrics.roc_auc(test_labels, test_raw)
    assert metrics.roc_auc(test_labels, calibration.apply(test_raw)) == pytest.approx(
        auc_before, abs=0.005
    )


def test_calibration_refuses_a_validation_set_too_small_to_support_it() -> None:
    with pytest.raises(TooFewToCalibrate):
        fit_calibration([0, 0, 0, 1], [0.1, 0.2, 0.3, 0.9], "tiny")


def test_bands_keep_their_rules_on_every_real_source() -> None:
    rng = np.random.default_rng(0)
    real_a, real_b = rng.beta(2, 5, 600), rng.beta(2, 3, 400)  # b's reals score higher
    fakes = rng.beta(5, 2, 800)
    probs = np.concatenate([real_a, real_b, fakes])
    labels = np.array([0] * 1000 + [1] * 800)
    sources = np.array(["a"] * 600 + ["b"] * 400 + ["fake"] * 800, dtype=object)
    bands = choose_bands(labels, probs, sources, "fpr<=0.03", "fnr<=0.05")
    assert (real_a >= bands.manipulated_at).mean() <= 0.03
    assert (real_b >= bands.manipulated_at).mean() <= 0.03  # the stricter source decides
    assert (fakes < bands.authentic_below).mean() <= 0.05
    assert bands.authentic_below <= bands.manipulated_at
    shares = level_shares(labels, [bands.level(p) for p in probs])
    assert shares["real"]["manipulated"] <= 0.03 and shares["fake"]["authentic"] <= 0.05
    assert shares["real"]["count"] == 1000
    with pytest.raises(ValueError, match="authentic rule"):
        choose_bands(labels, probs, sources, "fpr<=0.03", "recall>=0.9")


def test_the_fake_source_the_model_knows_worst_sets_the_authentic_edge() -> None:
    """A small, hard kind of fake (a re-enactment method among plentiful GAN faces) may not
    be called authentic more often than the rule allows just because the mix hides it."""
    rng = np.random.default_rng(1)
    reals, easy, hard = rng.beta(2, 5, 1000), rng.beta(8, 2, 1500), rng.beta(3, 3, 100)
    probs = np.concatenate([reals, easy, hard])
    labels = np.array([0] * 1000 + [1] * 1600)
    sources = np.array(["real"] * 1000 + ["gan"] * 1500 + ["reenact"] * 100, dtype=object)
    bands = choose_bands(labels, probs, sources, "fpr<=0.03", "fnr<=0.05")
    assert (hard < bands.authentic_below).mean() <= 0.05
    pooled = np.sort(np.concatenate([easy, hard]))[int(0.05 * 1600)]
    assert (hard < pooled).mean() > 0.05  # the pooled edge would have broken the rule
    assert "every fake source" in bands.rules

"""Detector metrics against values worked out by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from lopt.training.metrics import (
    _ranking_metrics,
    _roc,
    accuracy,
    average_precision,
    bootstrap_intervals,
    choose_threshold,
    equal_error_rate,
    evaluate,
    false_positive_rate,
    predict,
    roc_auc,
    save_evaluation,
)

# Sorted by score: 0.9 fake, 0.6 real, 0.5 fake, 0.2 real, 0.1 real.
LABELS = [0, 0, 0, 1, 1]
PROBS = [0.1, 0.2, 0.6, 0.5, 0.9]


def test_perfect_separation():
    labels, probs = [0, 0, 1, 1], [0.1, 0.3, 0.7, 0.8]
    assert roc_auc(labels, probs) == 1.0
    assert average_precision(labels, probs) == 1.0
    eer, threshold = equal_error_rate(labels, probs)
    assert eer == 0.0
    assert 0.3 < threshold <= 0.7
    assert accuracy(labels, probs, threshold) == 1.0


def test_inverted_scores_are_the_worst_case():
    labels, probs = [0, 0, 1, 1], [0.8, 0.7, 0.3, 0.1]
    assert roc_auc(labels, probs) == 0.0
    assert equal_error_rate(labels, probs)[0] == 1.0


def test_hand_computed_case():
    # Fake 0.9 beats all three reals, fake 0.5 beats two of them: AUC = 5/6.
    assert roc_auc(LABELS, PROBS) == pytest.approx(5 / 6)
    # Precision at recall 1/2 is 1 (0.9), at recall 1 is 2/3 (0.5): AP = 1/2 + 1/3.
    assert average_precision(LABELS, PROBS) == pytest.approx(5 / 6)
    # At 0.5: FPR 1/3, FNR 0; at 0.6: FPR 1/3, FNR 1/2 -> they meet at 1/3, first reached at 0.5.
    eer, threshold = equal_error_rate(LABELS, PROBS)
    assert eer == pytest.approx(1 / 3)
    assert threshold == 0.5
    assert false_positive_rate(LABELS, PROBS, 0.5) == pytest.approx(1 / 3)
    assert false_positive_rate(LABELS, PROBS, 0.7) == 0.0
    assert accuracy(LABELS, PROBS, 0.5) == pytest.approx(4 / 5)
    assert predict(PROBS, 0.5).tolist() == [0, 0, 1, 1, 1]


def test_eer_interpolates_between_roc_points():
    # FPR steps 0 -> 1/2 while FNR stays 1/2 then drops to 0: the curves meet at 1/2.
    labels, probs = [0, 0, 1, 1], [0.2, 0.6, 0.4, 0.9]
    eer, threshold = equal_error_rate(labels, probs)
    assert eer == pytest.approx(0.5)
    assert threshold == 0.6
    # A real and a fake tie at 0.5: the ROC step goes diagonally from FPR 0 / FNR 1/2 to
    # FPR 1/2 / FNR 0, crossing FPR == FNR halfway, at 1/4.
    eer, threshold = equal_error_rate([0, 0, 1, 1], [0.2, 0.5, 0.5, 0.9])
    assert eer == pytest.approx(0.25)
    assert threshold == 0.5
    # One real and two fakes tie at 0.5: from FPR 0 / FNR 2/3 to FPR 1/3 / FNR 0; the line
    # FNR = 2/3 - 2 * FPR meets FPR == FNR at 2/9.
    eer, threshold = equal_error_rate([0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.5, 0.5, 0.5, 0.9])
    assert eer == pytest.approx(2 / 9)
    assert threshold == 0.5


def test_choose_threshold_rules():
    assert choose_threshold(LABELS, PROBS, "eer") == 0.5
    # Youden J = TPR - FPR: 0.9 -> 1/2, 0.6 -> 1/6, 0.5 -> 2/3, 0.2 -> 1/3.
    assert choose_threshold(LABELS, PROBS, "youden") == 0.5
    assert choose_threshold(LABELS, PROBS, "fpr<=0.34") == 0.5
    assert choose_threshold(LABELS, PROBS, "fpr <= 0.2") == 0.9
    assert choose_threshold(LABELS, PROBS, "fpr<=1") == 0.1
    # A zero budget with the top score real: nothing may be called Fake.
    strict = choose_threshold([1, 0], [0.4, 0.9], "fpr<=0")
    assert strict > 0.9 and np.isfinite(strict)
    with pytest.raises(ValueError, match="unknown rule"):
        choose_threshold(LABELS, PROBS, "f1")


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="both real and fake"):
        roc_auc([1, 1], [0.2, 0.9])
    with pytest.raises(ValueError, match=r"0 \(real\) or 1"):
        roc_auc([0, 2], [0.2, 0.9])
    with pytest.raises(ValueError, match="probabilities"):
        roc_auc([0, 1], [0.2, 1.5])
    with pytest.raises(ValueError, match="equal-length"):
        roc_auc([0, 1, 1], [0.2, 0.9])


def _noisy_scores(n: int = 400, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    probs = 1 / (1 + np.exp(-(2.0 * labels - 1 + rng.normal(0, 1.2, n))))
    return labels, probs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_curve_matches_scikit_learn(seed):
    labels, probs = _noisy_scores(300, seed)
    probs = np.round(probs, 2)  # ties between real and fake scores
    fpr, tpr, thresholds = _roc(labels, probs)
    ref_fpr, ref_tpr, ref_thresholds = roc_curve(labels, probs, drop_intermediate=False)
    np.testing.assert_allclose(fpr, ref_fpr)
    np.testing.assert_allclose(tpr, ref_tpr)
    np.testing.assert_array_equal(thresholds[1:], ref_thresholds[1:])
    auc, eer, ap = _ranking_metrics(labels, probs)
    assert auc == pytest.approx(roc_auc_score(labels, probs), abs=1e-12)
    assert ap == pytest.approx(average_precision_score(labels, probs), abs=1e-12)
    assert eer == equal_error_rate(labels, probs)[0]


def test_bootstrap_intervals_bracket_the_estimate_and_repeat():
    labels, probs = _noisy_scores()
    ci = bootstrap_intervals(labels, probs, 0.5, n_resamples=200, seed=7)
    again = bootstrap_intervals(labels, probs, 0.5, n_resamples=200, seed=7)
    other = bootstrap_intervals(labels, probs, 0.5, n_resamples=200, seed=8)
    assert ci == again
    assert ci != other
    estimates = {
        "auc": roc_auc(labels, probs),
        "eer": equal_error_rate(labels, probs)[0],
        "ap": average_precision(labels, probs),
        "accuracy": accuracy(labels, probs, 0.5),
    }
    for name, value in estimates.items():
        low, high = ci[name]
        assert low < value < high, name
        assert 0.01 < high - low < 0.2, name  # 400 samples: a few points wide
    narrow = bootstrap_intervals(labels, probs, n_resamples=200, confidence=0.5, seed=7)
    assert narrow["auc"][1] - narrow["auc"][0] < ci["auc"][1] - ci["auc"][0]


def test_evaluate_report_and_files(tmp_path):
    report = save_evaluation(tmp_path / "eval", LABELS, PROBS, 0.5, n_resamples=50)
    assert report["confusion_matrix"] == [[2, 1], [0, 2]]  # rows true Real/Fake
    assert report["accuracy"] == pytest.approx(0.8)
    # F1 Real = 2*1*(2/3)/(1+2/3) = 0.8; F1 Fake = 2*(2/3)*1/(2/3+1) = 0.8.
    assert report["macro_f1"] == pytest.approx(0.8)
    assert report["classification_report"]["Fake"]["precision"] == pytest.approx(2 / 3)
    assert report["classification_report"]["Real"]["recall"] == pytest.approx(2 / 3)
    assert report["count"] == {"total": 5, "real": 3, "fake": 2}
    assert report["confidence_intervals"]["n_resamples"] == 50

    saved = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(report))
    for name in ("roc.png", "confusion_matrix.png"):
        with Image.open(tmp_path / "eval" / name) as image:
            assert image.format == "PNG" and min(image.size) > 200
            assert np.unique(np.asarray(image.convert("L"))).size > 10  # drawn, not blank

    assert "confidence_intervals" not in evaluate(LABELS, PROBS, n_resamples=0)

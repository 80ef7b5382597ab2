from __future__ import annotations

from pathlib import Path

from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL
from lopt.training.card import metrics_table, render

CARD = Path(__file__).resolve().parents[3] / "models" / EMBEDDED_IMAGE_MODEL


def test_model_card_metrics_are_the_generated_ones() -> None:
    """The card's tables are rendered from the committed reports, not typed by hand."""
    card = CARD / "README.md"
    assert render(card, CARD / "reports") == card.read_text()


def test_card_tables_show_each_fake_source_and_each_real_source() -> None:
    card = (CARD / "README.md").read_text()
    for text in (
        "ROC AUC, ffhq-tpdne-128 fakes vs its real faces",  # StyleGAN2
        "ROC AUC, lfw-faceswap-250 fakes vs its real faces",  # face swaps
        "ROC AUC, self-blended fakes vs all real faces",
        "ROC AUC, lfw-faceswap-250/self-blended vs all real",  # through the serving path
        "FPR at the threshold, utkface-200 real faces",
        "FPR, ffhq-tpdne-128 real",
        "FPR, lfw-faceswap-250 real",
        "ROC AUC, ffpp-c40/NeuralTextures vs all real",  # videos, per method
        "ROC AUC, utkface-200/part-composite vs all real",  # hand-edit stand-ins
        "ECE raw → calibrated",  # what a score means, through the serving path
        "| test photos and frames | real (",  # the share of each verdict level per class
        "| test photos and frames | fake (",
        "| test videos | fake (",
    ):
        assert text in card, text


def test_the_card_says_how_faces_were_found() -> None:
    summary = {
        "threshold": 0.5,
        "threshold_rule": "eer",
        "face_detector": {
            "detection_size": 480,
            "score_threshold": 0.6,
            "max_faces": 7,
            "margin": 1.4,
        },
    }
    text = metrics_table(summary)
    assert "detector input 480 px, score >= 0.6, at most 7 faces, crop 1.4x" in text

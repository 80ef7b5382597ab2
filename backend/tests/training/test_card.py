from __future__ import annotations

from pathlib import Path

from lopt.training.card import render

CARD = Path(__file__).resolve().parents[3] / "models" / "lopt-faces-lite0"


def test_model_card_metrics_are_the_generated_ones() -> None:
    """The card's table is rendered from the committed training report, not typed by hand."""
    card = CARD / "README.md"
    assert render(card, CARD / "reports") == card.read_text()


def test_card_table_shows_each_fake_kind_and_each_real_source(tmp_path: Path) -> None:
    card = (CARD / "README.md").read_text()
    for text in (
        "AUC given fakes (StyleGAN2)",
        "AUC self-blended",
        "ffhq-tpdne-128",
        "utkface-200",
    ):
        assert text in card

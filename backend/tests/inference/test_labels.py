from __future__ import annotations

import pytest

from lopt.errors import ModelLoadError
from lopt.inference.labels import map_labels, normalise_label


@pytest.mark.parametrize(
    "name",
    [
        "Fake",
        "FAKE",
        "deepfake",
        "Deep_Fake",
        "manipulated",
        "spoof",
        "synthetic",
        "1_fake",
        "AI-generated",
    ],
)
def test_fake_synonyms(name: str) -> None:
    assert normalise_label(name) == "Fake"


@pytest.mark.parametrize(
    "name", ["Real", "real ", "AUTHENTIC", "genuine", "original", "pristine", "0_real", "bona_fide"]
)
def test_real_synonyms(name: str) -> None:
    assert normalise_label(name) == "Real"


@pytest.mark.parametrize("name", ["LABEL_0", "cat", "real_or_fake", ""])
def test_unknown_or_ambiguous_labels_are_not_guessed(name: str) -> None:
    assert normalise_label(name) is None


def test_fake_indices_follow_id2label_not_position() -> None:
    labels = map_labels({"0": "fake", "1": "real"}, "m")
    assert labels.fake_indices == [0] and labels.names == ("fake", "real")
    several = map_labels({0: "pristine", 1: "faceswap", 2: "deepfake"}, "m")
    assert several.fake_indices == [1, 2]


def test_unmappable_checkpoints_are_refused_with_the_reason() -> None:
    with pytest.raises(ModelLoadError, match="LABEL_1"):
        map_labels({0: "LABEL_0", 1: "LABEL_1"}, "m")
    with pytest.raises(ModelLoadError, match="one Real and one Fake"):
        map_labels({0: "fake", 1: "deepfake"}, "m")

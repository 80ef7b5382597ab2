"""Manifests, pinned splits and per-source sampling shares: what a training run is fed."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from lopt.training.data import load_samples, split_samples
from lopt.training.dataset import balanced_weights


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def rows(n: int, label: str, split: str = "", group: str | None = None) -> list[dict[str, str]]:
    return [
        {"path": f"{label}{i}.jpg", "label": label, "group": group or f"{label}{i}", "split": split}
        for i in range(n)
    ]


def test_pinned_groups_go_whole_to_their_split_and_the_rest_is_divided(tmp_path: Path) -> None:
    manifest = write_csv(
        tmp_path / "m.csv",
        rows(40, "real")
        + rows(40, "fake")
        + [{"path": "pair-a.mp4", "label": "real", "group": "pairA", "split": "test"}]
        + [
            {"path": f"fake-a{i}.mp4", "label": "fake", "group": "pairA", "split": ""}
            for i in range(3)
        ]
        + [{"path": "pair-b.mp4", "label": "fake", "group": "pairB", "split": "val"}],
    )
    splits = split_samples(load_samples(manifest), seed=0)
    test_groups = {s.group for s in splits.test}
    assert "pairA" in test_groups and sum(s.group == "pairA" for s in splits.test) == 4
    assert "pairB" in {s.group for s in splits.val}
    train_groups = {s.group for s in splits.train}
    assert not train_groups & {"pairA", "pairB"}
    assert len(splits.train) > 50 and splits.val and splits.test


def test_a_group_pinned_to_two_splits_or_an_unknown_split_is_refused(tmp_path: Path) -> None:
    twice = write_csv(
        tmp_path / "twice.csv",
        rows(4, "real") + rows(1, "fake", "train", "g") + rows(1, "real", "test", "g"),
    )
    with pytest.raises(ValueError, match="pinned to two splits"):
        split_samples(load_samples(twice))
    bad = write_csv(tmp_path / "bad.csv", rows(2, "real", "holdout"))
    with pytest.raises(ValueError, match="not train/val/test"):
        load_samples(bad)


def test_several_data_paths_are_read_one_after_another(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", rows(3, "real"))
    b = write_csv(tmp_path / "b.csv", rows(2, "fake"))
    samples = load_samples([a, b])
    assert Counter(s.label for s in samples) == {0: 3, 1: 2}


def _items(source: str, reals: int, fakes: int) -> list[tuple[str, str]]:
    return [(source, "real")] * reals + [(source, "fake")] * fakes


@pytest.mark.parametrize(
    ("rule", "small_share"), [("count", 100 / 10100), ("sqrt", 10 / 110), ("equal", 0.5)]
)
def test_source_share_rules(rule: str, small_share: float) -> None:
    items = _items("big", 10_000, 5_000) + _items("small", 100, 50)
    weights = balanced_weights(items, rule)
    total = float(weights.sum())
    small = float(
        sum(w for w, (source, _) in zip(weights, items, strict=True) if source == "small")
    )
    assert small / total == pytest.approx(small_share, rel=1e-6)
    for source in ("big", "small"):  # each source is still half real, half fake
        real = sum(
            float(w) for w, key in zip(weights, items, strict=True) if key == (source, "real")
        )
        whole = sum(float(w) for w, key in zip(weights, items, strict=True) if key[0] == source)
        assert real / whole == pytest.approx(0.5)
    with pytest.raises(ValueError, match="source share"):
        balanced_weights(items, "loudest")


def test_source_weight_multiplies_a_sources_share_and_keeps_it_half_real() -> None:
    items = _items("gan", 100, 100) + _items("photos", 100, 50)
    weights = balanced_weights(items, "count", {"gan": 3.0})
    by_key: dict[tuple[str, str], float] = {}
    for weight, key in zip(weights, items, strict=True):
        by_key[key] = by_key.get(key, 0.0) + float(weight)
    gan = by_key[("gan", "real")] + by_key[("gan", "fake")]
    photos = by_key[("photos", "real")] + by_key[("photos", "fake")]
    assert gan / photos == pytest.approx(3.0)
    assert by_key[("gan", "real")] / gan == pytest.approx(0.5)
    with pytest.raises(ValueError, match="unknown source"):
        balanced_weights(items, "count", {"gann": 2.0})


def test_a_sources_methods_share_its_fake_half() -> None:
    # Four methods' fakes of one video set must not outweigh that set's real frames.
    items = _items("photos", 1000, 500) + _items("videos", 64, 0)
    for method in ("Deepfakes", "Face2Face", "FaceSwap", "NeuralTextures"):
        items += [(f"videos/{method}", "fake")] * 64
    items += [("videos", "sbi")] * 64
    weights = balanced_weights(items, "equal")
    video_real = sum(
        float(w) for w, key in zip(weights, items, strict=True) if key == ("videos", "real")
    )
    video_all = sum(
        float(w) for w, key in zip(weights, items, strict=True) if key[0].startswith("videos")
    )
    assert video_real / video_all == pytest.approx(0.5)
    assert video_all / float(weights.sum()) == pytest.approx(0.5)  # equal: two families
    given = sum(float(w) for w, key in zip(weights, items, strict=True) if "/" in key[0])
    assert given / video_all == pytest.approx(0.25)  # the rest of the fake half is self-blended

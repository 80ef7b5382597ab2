from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import torch
from PIL import Image

from lopt.inference.detectors import ImageDetector
from lopt.inference.registry import load_model
from lopt.training.config import TrainConfig
from lopt.training.data import discover_folder, split_samples
from lopt.training.trainer import train
from tests.helpers import shared_data

FACES = shared_data() / "faces"
pytestmark = pytest.mark.skipif(not FACES.is_dir(), reason=f"shared faces not found at {FACES}")


def small_manifest(folder: Path, per_class: int = 24) -> Path:
    """A CSV manifest over a few real and fake faces of both sources."""
    rows = []
    for source, label in (
        ("ffhq-tpdne-128", "real"),
        ("ffhq-tpdne-128", "fake"),
        ("utkface-200", "real"),
    ):
        for path in sorted((FACES / source / label).glob("*.jpg"))[:per_class]:
            rows.append({"path": str(path), "label": label, "group": path.stem, "source": source})
    manifest = folder / "faces.csv"
    with manifest.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["path", "label", "group", "source"])
        writer.writeheader()
        writer.writerows(rows)
    return manifest


def test_split_never_puts_one_identity_on_two_sides() -> None:
    samples = discover_folder(FACES)
    splits = split_samples(samples, seed=3)
    groups = [{s.group for s in part} for part in (splits.train, splits.val, splits.test)]
    assert (
        not (groups[0] & groups[1]) and not (groups[0] & groups[2]) and not (groups[1] & groups[2])
    )
    overall = sum(s.label for s in samples) / len(samples)
    for part in (splits.val, splits.test):  # stratified: both classes, in about the overall ratio
        fake_share = sum(s.label for s in part) / len(part)
        assert abs(fake_share - overall) < 0.05, (fake_share, overall)


def test_train_end_to_end_saves_a_checkpoint_the_service_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "model"
    config = TrainConfig(
        data=small_manifest(tmp_path),
        output=output,
        image_size=64,
        epochs=2,
        batch_size=8,
        samples_per_epoch=24,
        workers=0,
        val_fraction=0.25,
        test_fraction=0.25,
        cache_dir=tmp_path / "cache",
    )
    monkeypatch.setenv("LOPT_FACE_DETECTION_SIZE", "320")  # training finds faces as serving would
    import lopt.training.loop as loop

    real_auc, calls = loop.roc_auc, []

    def interrupted_after_first_epoch(labels, probs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_auc(labels, probs)

    monkeypatch.setattr(loop, "roc_auc", interrupted_after_first_epoch)
    with pytest.raises(KeyboardInterrupt):
        train(config)
    assert torch.load(output / "last.pt", weights_only=False)["state"]["epoch"] == 1
    monkeypatch.setattr(loop, "roc_auc", real_auc)
    assert train(TrainConfig(**{**config.__dict__, "resume": True})) == output
    assert torch.load(output / "last.pt", weights_only=False)["state"]["epoch"] == 2
    summary = json.loads((output / "reports" / "summary.json").read_text())
    assert 0 <= summary["threshold"] <= 1 and "self_blended" in summary["test"]["auc_by_fake_kind"]
    assert summary["face_detector"]["detection_size"] == 320  # recorded for the model card
    assert (output / "reports" / "test" / "roc.png").stat().st_size > 1000
    assert (output / "reports" / "test" / "reliability.png").stat().st_size > 1000
    test = summary["test"]
    assert set(test["calibration"]) == {"before", "after"} and "ece" in test["calibration"]["after"]
    for shares in test["levels"].values():  # every input gets exactly one level
        assert sum(v for k, v in shares.items() if k != "count") == pytest.approx(1.0, abs=1e-3)
    assert (output / "last.pt").exists()

    loaded = load_model(
        str(output),
        task="image",
        setting="LOPT_IMAGE_MODEL",
        device=torch.device("cpu"),
        dtype=torch.float32,
    )
    assert loaded.labels.names == ("Real", "Fake")
    # The stored policy is what the report measured: the manipulated edge, the map.
    assert loaded.policy.bands.manipulated_at == pytest.approx(summary["threshold"])
    assert loaded.policy.bands.source == "validation" and loaded.policy.judges == "face_crops"
    stored = summary["calibration"]
    assert (loaded.policy.calibration is None) == (stored is None)
    if stored is not None:
        assert loaded.policy.calibration.method == stored["method"]
        assert "splits/val.csv" in loaded.policy.calibration.fitted_on
    detector = ImageDetector(loaded)
    face = Image.open(next((FACES / "utkface-200" / "real").glob("*.jpg"))).convert("RGB")
    fake = detector.predict(detector.preprocess(face)[None])
    assert 0.0 <= float(fake[0]) <= 1.0


@pytest.mark.parametrize("lora", [False, True])
def test_transformer_backbones_fine_tune_fully_or_with_lora(
    tmp_path: Path, checkpoints, lora: bool
) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "vit-detector"
    config = TrainConfig(
        data=small_manifest(tmp_path, per_class=12),
        output=output,
        backbone=str(checkpoints["vit"]),
        image_size=32,
        epochs=1,
        batch_size=8,
        max_steps=3,
        lora=lora,
        workers=0,
        val_fraction=0.25,
        test_fraction=0.25,
        cache_dir=tmp_path / "cache",
    )
    train(config)
    loaded = load_model(
        str(output), task="image", setting="X", device=torch.device("cpu"), dtype=torch.float32
    )
    assert loaded.model.config.model_type == "vit"
    assert not any("lora" in name for name, _ in loaded.model.named_parameters())  # adapters merged


def test_init_from_starts_from_a_saved_checkpoint_and_refuses_a_mismatch(tmp_path: Path) -> None:
    from lopt.training.backbone import build_efficientnet_lite_classifier, save_checkpoint
    from lopt.training.config import ID2LABEL
    from lopt.training.weights import init_weights

    saved = build_efficientnet_lite_classifier(ID2LABEL, image_size=64)
    with torch.no_grad():
        saved.timm_model.classifier.weight.fill_(0.25)
    save_checkpoint(saved, tmp_path / "earlier")
    fresh = build_efficientnet_lite_classifier(ID2LABEL, image_size=64)
    init_weights(fresh, tmp_path / "earlier")
    for (name, a), b in zip(saved.state_dict().items(), fresh.state_dict().values(), strict=True):
        assert torch.equal(a, b), name

    other = build_efficientnet_lite_classifier(
        ID2LABEL, image_size=64, backbone="efficientnet-lite1"
    )
    with pytest.raises(ValueError, match="does not match --backbone"):
        init_weights(other, tmp_path / "earlier")
    with pytest.raises(ValueError, match=r"no model\.safetensors"):
        init_weights(fresh, tmp_path)


def test_interpolate_ships_the_mixture_with_the_best_validation_auc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safetensors.torch import load_file

    from lopt.training.backbone import build_efficientnet_lite_classifier, save_checkpoint
    from lopt.training.config import ID2LABEL

    save_checkpoint(build_efficientnet_lite_classifier(ID2LABEL, image_size=64), tmp_path / "start")
    monkeypatch.setenv("LOPT_FACE_DETECTION_SIZE", "320")
    output = tmp_path / "model"
    config = TrainConfig(
        data=small_manifest(tmp_path, per_class=16),
        output=output,
        image_size=64,
        epochs=1,
        batch_size=8,
        samples_per_epoch=24,
        lr=3e-3,
        workers=0,
        val_fraction=0.25,
        test_fraction=0.25,
        cache_dir=tmp_path / "cache",
        init_from=tmp_path / "start",
        interpolate=[0.0, 0.5],
    )
    train(config)
    record = json.loads((output / "reports" / "summary.json").read_text())["interpolation"]
    aucs = record["val_roc_auc"]
    assert set(aucs) == {"0", "0.5", "1"} and record["start"] == str(tmp_path / "start")
    assert aucs[f"{record['chosen']:g}"] == max(aucs.values())
    # What ships is that mixture of the starting weights and the best epoch's ...
    start = load_file(tmp_path / "start" / "model.safetensors")
    tuned = load_file(output / "best" / "model.safetensors")
    share, shipped = record["chosen"], load_file(output / "model.safetensors")
    assert set(shipped) == set(tuned)
    for name, value in tuned.items():
        if value.is_floating_point():  # weights and normalisation statistics are mixed
            value = (1 - share) * start[name] + share * value
        assert torch.allclose(shipped[name], value, atol=1e-6), name
    # ... and the report's validation numbers are measured on it.
    summary = json.loads((output / "reports" / "summary.json").read_text())
    assert summary["val"]["roc_auc_raw"] == pytest.approx(aucs[f"{record['chosen']:g}"], abs=1e-4)

    with pytest.raises(ValueError, match="give --init-from"):
        TrainConfig(data=tmp_path, output=output, interpolate=[0.5])
    with pytest.raises(ValueError, match="between 0 and 1"):
        TrainConfig(data=tmp_path, output=output, init_from=tmp_path, interpolate=[1.5])


def test_interpolate_keeps_the_fine_tune_unless_a_mixture_judges_better(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    from lopt.training.weights import interpolate

    model = torch.nn.Linear(2, 1)

    def save(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        save_file(
            {k: v.contiguous() for k, v in model.state_dict().items()}, folder / "model.safetensors"
        )
        return folder

    with torch.no_grad():
        model.weight.fill_(0.0)
    start = save(tmp_path / "start")
    with torch.no_grad():
        model.weight.fill_(1.0)
    best = save(tmp_path / "best")

    def judge_near(target: float):  # type: ignore[no-untyped-def]
        return lambda: 1.0 - abs(float(model.weight.detach().mean()) - target)

    # Validation prefers weights a quarter of the way from the start: that mixture ships.
    chosen, record = interpolate(model, start, best, 0.2, judge_near(0.25), [0.25, 0.5], save)
    assert chosen == tmp_path / "best-interpolated" and record["chosen"] == 0.25
    assert record["val_roc_auc"] == {"0.25": 1.0, "0.5": 0.75, "1": 0.2}
    assert float(model.weight.detach().mean()) == pytest.approx(0.25)
    # Where the fine-tune itself judges best, it ships unchanged.
    chosen, record = interpolate(model, start, best, 0.99, judge_near(0.25), [0.5], save)
    assert chosen == best and record["chosen"] == 1.0
    assert float(model.weight.detach().mean()) == pytest.approx(1.0)


def test_sbi_parts_is_a_share_and_a_face_crop_option(tmp_path: Path) -> None:
    assert TrainConfig(data=tmp_path, output=tmp_path, sbi_parts=0.4).sbi_parts == 0.4
    for share in (-0.1, 1.5):
        with pytest.raises(ValueError, match="--sbi-parts is a share"):
            TrainConfig(data=tmp_path, output=tmp_path, sbi_parts=share)
    with pytest.raises(ValueError, match="--sbi-parts: face-crop options"):
        TrainConfig(data=tmp_path, output=tmp_path, task="video", sbi_parts=0.4)

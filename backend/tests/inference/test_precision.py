"""Reduced-precision paths: chosen only when checked against float32, and checked honestly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from lopt.errors import ModelLoadError
from lopt.inference.detectors import ImageDetector
from lopt.inference.onnx_backend import OnnxClassifier, export_onnx
from lopt.inference.precision import (
    RECORD_FILE,
    Agreement,
    apply_precision,
    choose_precision,
    compare_paths,
    cpu_supports_bf16,
    read_record,
    write_record,
)
from lopt.inference.registry import LoadedModel, load_model
from tests.helpers import MEDIA, needs_media, noise_image

CPU = torch.device("cpu")


def load(folder: Path) -> LoadedModel:
    return load_model(
        str(folder), task="image", setting="LOPT_IMAGE_MODEL", device=CPU, dtype=torch.float32
    )


def inputs(detector: ImageDetector, count: int = 12) -> list[torch.Tensor]:
    return [detector.preprocess(noise_image(48, 40, seed=seed)) for seed in range(count)]


def passing(precision: str, agreement: float = 1.0) -> Agreement:
    return Agreement(precision, 500, agreement, 0.01)


@pytest.mark.parametrize(
    ("record", "bf16", "expected"),
    [
        ({}, True, "exact"),  # never checked: stay exact
        ({"bfloat16": passing("bfloat16")}, True, "bfloat16"),
        ({"bfloat16": passing("bfloat16")}, False, "exact"),  # no native bf16 on this CPU
        ({"bfloat16": passing("bfloat16", 0.985)}, True, "exact"),  # below 99%
        ({"bfloat16": passing("bfloat16", 0.9), "int8": passing("int8")}, True, "int8"),
        ({"bfloat16": passing("bfloat16"), "int8": passing("int8")}, True, "bfloat16"),
        ({"int8": Agreement("int8", 0, 1.0, 0.0)}, True, "exact"),  # no samples, no trust
        ({"bfloat16": Agreement("bfloat16", 500, 1.0, 0.0, speedup=0.8)}, True, "exact"),  # slower
        (
            {
                "bfloat16": Agreement("bfloat16", 500, 1.0, 0.0, speedup=1.5),
                "int8": Agreement("int8", 500, 0.995, 0.0, speedup=2.5),
            },
            True,
            "int8",  # both agree enough: the faster one
        ),
        (
            {
                "onnx": Agreement("onnx", 567, 1.0, 1e-6, speedup=2.68),
                "onnx-int8": Agreement("onnx-int8", 567, 1.0, 0.0017, speedup=2.83),
            },
            True,
            "onnx",  # as fast, within noise: the one closer to float32
        ),
    ],
)
def test_auto_takes_a_reduced_path_only_with_recorded_agreement(record, bf16, expected) -> None:  # type: ignore[no-untyped-def]
    choice = choose_precision("auto", CPU, record, min_agreement=0.99, bf16_capable=bf16)
    assert choice == expected


def test_auto_is_exact_on_a_gpu_and_cpu_only_paths_are_refused_there() -> None:
    gpu = torch.device("cuda")
    record = {"int8": passing("int8")}
    assert choose_precision("auto", gpu, record, min_agreement=0.99, bf16_capable=True) == "exact"
    with pytest.raises(ModelLoadError, match="CPU only"):
        choose_precision("int8", gpu, record, min_agreement=0.99, bf16_capable=True)


def test_cpu_flags_decide_native_bfloat16(tmp_path: Path) -> None:
    with_bf16 = tmp_path / "a"
    with_bf16.write_text("processor\t: 0\nflags\t\t: fpu sse avx512f avx512_bf16\n")
    without = tmp_path / "b"
    without.write_text("processor\t: 0\nflags\t\t: fpu sse avx2\n")
    assert cpu_supports_bf16(with_bf16) is True
    assert cpu_supports_bf16(without) is False
    assert cpu_supports_bf16(tmp_path / "missing") is False


def test_record_round_trips_and_bad_records_are_ignored(tmp_path: Path) -> None:
    write_record(tmp_path, [passing("int8", 0.995)], data="faces/val")
    assert read_record(tmp_path) == {"int8": passing("int8", 0.995)}
    (tmp_path / RECORD_FILE).write_text("{not json")
    assert read_record(tmp_path) == {}
    assert read_record(None) == {}


@pytest.mark.parametrize("precision", ["bfloat16", "int8"])
def test_reduced_paths_agree_with_float32_on_the_same_inputs(checkpoints, precision: str) -> None:  # type: ignore[no-untyped-def]
    reference = ImageDetector(load(checkpoints["vit"]))
    reduced = ImageDetector(apply_precision(load(checkpoints["vit"]), precision))
    assert reduced.loaded.precision == precision
    result = compare_paths(reference, reduced, inputs(reference), precision=precision)
    assert result.samples == 12
    assert result.agreement == 1.0
    assert 0 < result.max_probability_difference < 0.05


def test_compare_paths_counts_disagreeing_verdicts(checkpoints) -> None:  # type: ignore[no-untyped-def]
    real = ImageDetector(load(checkpoints["vit"]))
    fake = ImageDetector(load(checkpoints["vit-fake"]))
    tensors = inputs(real, 5)
    expected = real.predict(torch.stack(tensors))
    result = compare_paths(real, fake, tensors, precision="int8", batch_size=2)
    assert result.samples == 5
    assert result.speedup is not None and result.speedup > 0  # timed after the first batch
    assert result.agreement == pytest.approx(np.mean(expected >= 0.5))
    assert result.max_probability_difference > 0.5


def test_auto_uses_the_record_next_to_the_checkpoint(checkpoints, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = shutil.copytree(checkpoints["vit"], tmp_path / "vit")
    assert apply_precision(load(folder), "auto", bf16_capable=True).precision == "exact"
    write_record(folder, [passing("bfloat16", 0.995)], data="test")
    loaded = apply_precision(load(folder), "auto", bf16_capable=True)
    assert (loaded.precision, loaded.dtype) == ("bfloat16", torch.bfloat16)
    strict = apply_precision(load(folder), "auto", min_agreement=1.0, bf16_capable=True)
    assert strict.precision == "exact"


def test_onnx_export_loads_through_the_registry_and_agrees(checkpoints, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = shutil.copytree(checkpoints["deit"], tmp_path / "deit")
    with pytest.raises(ModelLoadError, match="lopt export"):
        apply_precision(load(folder), "onnx")
    reference = ImageDetector(load(folder))
    tensors = inputs(reference)
    export_onnx(load(folder).model, torch.stack(tensors[:2]), folder)
    for precision in ("onnx", "onnx-int8"):
        loaded = apply_precision(load(folder), precision)
        assert isinstance(loaded.model, OnnxClassifier)
        result = compare_paths(reference, ImageDetector(loaded), tensors, precision=precision)
        assert result.agreement == 1.0
        tolerance = 1e-4 if precision == "onnx" else 0.05
        assert result.max_probability_difference < tolerance


def test_lopt_export_writes_onnx_files_and_the_record_auto_reads(
    checkpoints, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from lopt.cli import main

    images = tmp_path / "images"
    images.mkdir()
    for seed in range(8):
        noise_image(40, 40, seed=seed).save(images / f"{seed}.png")
    output = tmp_path / "exported"
    assert (
        main(["export", str(checkpoints["vit"]), "--output", str(output), "--check", str(images)])
        == 0
    )
    assert (output / "model.onnx").is_file() and (output / "model-int8.onnx").is_file()
    record = read_record(output)
    assert sorted(record) == ["bfloat16", "int8", "onnx", "onnx-int8", "onnx-int8-mixed"]
    # the mixed file is made from the first 8 // 4 inputs and checked on the others only
    assert record["onnx-int8-mixed"].samples == 6
    assert all(r.samples == 8 for name, r in record.items() if name != "onnx-int8-mixed")
    assert (output / "model-int8-mixed.onnx").is_file()
    assert record["onnx-int8"].detail.startswith("per-channel")
    assert "weight MatMuls" in record["onnx-int8-mixed"].detail
    assert record["onnx"].max_probability_difference < 1e-4
    loaded = apply_precision(load(output), "auto", bf16_capable=False)
    passing = {name for name, r in record.items() if name != "bfloat16" and r.passes(0.99)}
    assert loaded.precision in (passing or {"exact"})


def test_auto_takes_onnx_only_where_its_file_is(checkpoints, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = shutil.copytree(checkpoints["vit"], tmp_path / "vit")
    fast = Agreement("onnx", 500, 1.0, 0.0, speedup=2.7)
    write_record(folder, [fast, Agreement("int8", 500, 1.0, 0.01, speedup=1.2)], data="test")
    assert apply_precision(load(folder), "auto", bf16_capable=False).precision == "int8"
    reference = ImageDetector(load(folder))
    export_onnx(load(folder).model, torch.stack(inputs(reference, 2)), folder)
    loaded = apply_precision(load(folder), "auto", bf16_capable=False)
    assert loaded.precision == "onnx" and isinstance(loaded.model, OnnxClassifier)


def test_new_settings_have_limits(make_settings) -> None:  # type: ignore[no-untyped-def]
    from pydantic import ValidationError

    assert make_settings().precision == "auto"
    assert make_settings(precision="onnx-int8").precision == "onnx-int8"
    for bad in ({"precision": "int4"}, {"min_agreement": 0.4}, {"min_agreement": 1.01}):
        with pytest.raises(ValidationError):
            make_settings(**bad)
    for bad_threads in (-1, 257):
        with pytest.raises(ValidationError):
            make_settings(num_threads=bad_threads)


def test_configure_threads_keeps_or_sets_the_intra_op_count() -> None:
    from lopt.inference.device import configure_threads

    current = torch.get_num_threads()
    assert configure_threads(0) == current
    assert configure_threads(current) == current


def test_video_models_never_get_image_only_paths(checkpoints, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = shutil.copytree(checkpoints["timesformer"], tmp_path / "ts")
    write_record(folder, [passing("int8")], data="test")
    loaded = load_model(
        str(folder), task="video", setting="LOPT_VIDEO_MODEL", device=CPU, dtype=torch.float32
    )
    assert apply_precision(loaded, "auto", bf16_capable=False).precision == "exact"
    with pytest.raises(ModelLoadError, match="image models"):
        apply_precision(loaded, "int8")


@needs_media
def test_export_checks_on_the_face_crops_serving_makes(checkpoints, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A manifest of real photos: one input per judged face (the group photo gives six),
    whole images only with --no-faces."""
    from lopt.cli import main

    photos = ["facenet_kate_siegel.jpg", "facenet_paul_rudd.jpg", "facenet_multiface.jpg"]
    manifest = tmp_path / "val.csv"
    manifest.write_text(
        "path,label,group\n" + "".join(f"{MEDIA / name},real,{name}\n" for name in photos)
    )
    for flags, expected in (([], 8), (["--no-faces"], 3)):
        output = tmp_path / f"exported{len(flags)}"
        args = ["export", str(checkpoints["vit"]), "--output", str(output)]
        assert main([*args, "--check", str(manifest), *flags]) == 0
        record = read_record(output)
        assert {r.samples for n, r in record.items() if n != "onnx-int8-mixed"} == {expected}
        if expected >= 4:  # the mixed file is checked on the inputs it was not made from
            assert record["onnx-int8-mixed"].samples == expected - expected // 4
        else:  # too few to spare any
            assert "onnx-int8-mixed" not in record
        data = json.loads((output / RECORD_FILE).read_text())["data"]
        assert data.startswith(f"{expected} ") and data.endswith("from 3 images")


def test_export_refuses_a_check_set_without_images(checkpoints, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from lopt.cli import main

    empty = tmp_path / "empty.csv"
    empty.write_text("path,label,group\n")
    args = ["export", str(checkpoints["vit"]), "--output", str(tmp_path / "x")]
    assert main([*args, "--check", str(empty)]) != 0
    assert "No images in" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()

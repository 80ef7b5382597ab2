"""Int8 files that keep agreeing with float32: per-channel weights, 7-bit weights where the
CPU would saturate, and the multiplications int8 hurts most (measured) kept in float32."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import torch
from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

from lopt.inference.detectors import ImageDetector
from lopt.inference.int8 import (
    cpu_has_vnni,
    describe,
    matmul_errors,
    quantize_mixed,
    recipe_path,
)
from lopt.inference.onnx_backend import OnnxClassifier, export_onnx
from tests.helpers import build_image_model, load_on_cpu, noise_image, with_outlier_channels


def test_vnni_is_read_from_the_cpu_flags(tmp_path: Path) -> None:
    plain, vnni = tmp_path / "plain", tmp_path / "vnni"
    plain.write_text("processor\t: 0\nflags\t\t: fpu sse avx avx2 fma\n")
    vnni.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_vnni\n")
    assert not cpu_has_vnni(plain) and cpu_has_vnni(vnni)
    assert not cpu_has_vnni(tmp_path / "missing")


def test_the_int8_file_says_how_it_was_made(tmp_path: Path) -> None:
    loaded = load_on_cpu(build_image_model(tmp_path / "vit"))
    sample = torch.stack([ImageDetector(loaded).warm_up_input()] * 2)
    files = export_onnx(loaded.model, sample, tmp_path / "onnx")
    recipe = json.loads(recipe_path(files["onnx-int8"]).read_text())
    assert recipe["weights"] == "per-channel"
    assert recipe["weight_bits"] == (8 if cpu_has_vnni() else 7)
    assert recipe["float32_matmuls"] == [] and recipe["matmuls"] > 0
    assert describe(files["onnx-int8"]).startswith("per-channel")
    assert describe(files["onnx"]) == ""  # float32: nothing to say


def four_layer_vit(folder: Path) -> Path:
    """A ViT whose layers have a transformer's proportions (MLP 4x wide), so one layer's
    output projection is a twelfth of its weight work."""
    torch.manual_seed(0)
    config = ViTConfig(
        image_size=32,
        patch_size=8,
        hidden_size=64,
        num_hidden_layers=4,
        num_attention_heads=2,
        intermediate_size=256,
        id2label={0: "Real", 1: "Fake"},
        label2id={"Real": 0, "Fake": 1},
    )
    ViTForImageClassification(config).save_pretrained(folder)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder


def test_mixed_int8_keeps_the_multiplications_int8_hurts_in_float32(tmp_path: Path) -> None:
    folder = with_outlier_channels(four_layer_vit(tmp_path / "vit"), tmp_path / "outliers")
    loaded = load_on_cpu(folder)
    detector = ImageDetector(loaded)
    pixels = torch.stack([detector.preprocess(noise_image(48, 40, seed=s)) for s in range(40)])
    calibration, judged = pixels[:16], pixels[16:]
    files = export_onnx(loaded.model, pixels[:2], tmp_path / "onnx")

    errors = matmul_errors(files["onnx"], calibration.numpy())
    layers = len(loaded.model.vit.layers)
    worst = sorted(errors, key=errors.__getitem__, reverse=True)[:layers]
    assert all("o_proj" in name for name in worst), worst  # the projections fed by outliers
    mixed = quantize_mixed(files["onnx"], tmp_path / "onnx" / "mixed.onnx", calibration.numpy())
    float_matmuls = {n.name for n in onnx.load(str(mixed)).graph.node if n.op_type == "MatMul"}
    assert set(worst) <= float_matmuls

    with torch.no_grad():
        exact = loaded.model(pixel_values=judged).logits
    full_gap = (OnnxClassifier(files["onnx-int8"])(judged).logits - exact).abs().max()
    mixed_gap = (OnnxClassifier(mixed)(judged).logits - exact).abs().max()
    assert mixed_gap < full_gap / 5, (float(mixed_gap), float(full_gap))
    assert f"{len(float_matmuls & set(errors))} of {len(errors)} weight MatMuls" in describe(mixed)

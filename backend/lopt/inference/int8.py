"""Int8 ONNX files that keep agreeing with float32: how weights are quantised, and which
matrix multiplications stay in float32.

Dynamic int8 (weights int8 ahead of time, activations quantised per call) changes a few
verdicts of a trained vision transformer where float32 sits near a verdict edge. Three
things shrink that error, each judged by the same agreement rule as every other path:

* **per-channel weights**: one scale per output column instead of one per matrix, so a
  column with small weights is not rounded to a handful of steps by a column with large
  ones;
* **7-bit weights on CPUs without VNNI** (``reduce_range``): there ONNX Runtime multiplies
  u8 activations by s8 weights with an instruction (VPMADDUBSW) whose 16-bit pair sums can
  saturate; 7-bit weights cannot;
* **the most sensitive multiplications kept in float32**: each weight multiplication's
  int8 error is measured on real model inputs (``matmul_errors``: the relative error of
  its output when its input and weights are quantised as ONNX Runtime does, on inputs
  computed in float32) and the worst ``share`` of them are left out of quantisation
  (``onnx-int8-mixed``). Measured per layer, not guessed: which layers suffer depends on
  the weights (a transformer with outlier activation channels loses most in the layers
  those channels feed; the weak DeiT-base trained here has no such layer, and its errors
  lie within 0.015-0.019 of each other).
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lopt.inference.device import cpu_flags

VNNI_FLAGS = {"avx512_vnni", "avx_vnni", "amx_int8"}
MIXED_SHARE = 0.15  # of the quantisable multiplications' work, kept in float32
CALIBRATION = 32  # inputs on which each multiplication's int8 error is measured


def cpu_has_vnni(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU has VNNI int8 dot products (no u8s8 saturation), on Linux."""
    return bool(cpu_flags(cpuinfo) & VNNI_FLAGS)


@dataclass(frozen=True)
class WeightMatMul:
    """A MatMul whose second input is a constant weight matrix (a linear layer)."""

    node: str
    activation: str
    weight: np.ndarray  # (in, out)

    @property
    def work(self) -> int:
        return int(self.weight.size)


def weight_matmuls(path: Path) -> list[WeightMatMul]:
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    weights = {init.name: init for init in model.graph.initializer}
    found = []
    for node in model.graph.node:
        if node.op_type == "MatMul" and node.input[1] in weights:
            weight = numpy_helper.to_array(weights[node.input[1]])
            if weight.ndim == 2:
                found.append(WeightMatMul(node.name, node.input[0], weight.astype(np.float32)))
    return found


def quantize_int8(
    fp32: Path,
    output: Path,
    *,
    per_channel: bool = True,
    reduce_range: bool | None = None,
    exclude: Sequence[str] = (),
) -> Path:
    """Write the dynamic int8 version of ``fp32`` (weight MatMuls only, ``exclude`` left in
    float32) to ``output``, and beside it ``<name>.json`` saying how (``describe``);
    ``reduce_range`` None: 7-bit weights where the CPU lacks VNNI."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    reduce = (not cpu_has_vnni()) if reduce_range is None else reduce_range
    root = logging.getLogger()  # the quantiser's advice to pre-process goes to the root logger
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(
                str(fp32),
                str(output),
                weight_type=QuantType.QInt8,
                op_types_to_quantize=["MatMul"],
                per_channel=per_channel,
                reduce_range=reduce,
                nodes_to_exclude=list(exclude),
                extra_options={"MatMulConstBOnly": True},
            )
    finally:
        root.setLevel(level)
    matmuls = weight_matmuls(fp32)
    kept = [m for m in matmuls if m.node in set(exclude)]
    recipe = {
        "weights": "per-channel" if per_channel else "per-tensor",
        "weight_bits": 7 if reduce else 8,
        "matmuls": len(matmuls),
        "float32_matmuls": [m.node for m in kept],
        "float32_work": round(sum(m.work for m in kept) / max(1, sum(m.work for m in matmuls)), 4),
    }
    recipe_path(output).write_text(json.dumps(recipe, indent=2) + "\n")
    return output


def recipe_path(onnx_file: Path) -> Path:
    return onnx_file.with_suffix(".json")


def describe(onnx_file: Path) -> str:
    """How an int8 file was made, in a line (empty when it does not say)."""
    try:
        recipe = json.loads(recipe_path(onnx_file).read_text())
        text = f"{recipe['weights']} {recipe['weight_bits']}-bit weights"
        if recipe["float32_matmuls"]:
            text += (
                f"; {len(recipe['float32_matmuls'])} of {recipe['matmuls']} weight MatMuls "
                f"({recipe['float32_work']:.0%} of their work) kept in float32"
            )
        return text
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def quantize_mixed(
    fp32: Path, output: Path, inputs: np.ndarray, share: float = MIXED_SHARE
) -> Path:
    """Int8 with the MatMuls whose int8 error on ``inputs`` is largest kept in float32."""
    errors = matmul_errors(fp32, inputs)
    return quantize_int8(fp32, output, exclude=most_sensitive(fp32, errors, share))


def _fake_quant_activation(values: np.ndarray) -> np.ndarray:
    """u8, asymmetric, one range for the whole tensor (ONNX Runtime's DynamicQuantizeLinear)."""
    low, high = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    scale = (high - low) / 255.0 or 1.0
    zero = np.round(-low / scale)
    result: np.ndarray = (np.clip(np.round(values / scale) + zero, 0, 255) - zero) * scale
    return result


def _fake_quant_weight(weight: np.ndarray, per_channel: bool, reduce_range: bool) -> np.ndarray:
    top = 63.0 if reduce_range else 127.0
    peak = np.abs(weight).max(axis=0, keepdims=True) if per_channel else np.abs(weight).max()
    scale = np.where(peak > 0, peak / top, 1.0)
    return np.clip(np.round(weight / scale), -top, top) * scale


def matmul_errors(
    fp32: Path,
    inputs: np.ndarray,
    *,
    per_channel: bool = True,
    reduce_range: bool | None = None,
    batch_size: int = 8,
) -> dict[str, float]:
    """Each weight MatMul's relative output error under int8, on ``inputs`` (N, C, H, W):
    its float32 input, quantised as ONNX Runtime would, times its quantised weights,
    against the float32 product."""
    import onnx
    import onnxruntime as ort

    reduce = (not cpu_has_vnni()) if reduce_range is None else reduce_range
    matmuls = weight_matmuls(fp32)
    model = onnx.load(str(fp32))
    outputs = {o.name for o in model.graph.output}
    for name in dict.fromkeys(m.activation for m in matmuls):
        if name not in outputs:
            model.graph.output.append(onnx.ValueInfoProto(name=name))
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    names = [o.name for o in session.get_outputs()]
    feed = session.get_inputs()[0].name
    errors = {m.node: 0.0 for m in matmuls}
    norms = {m.node: 0.0 for m in matmuls}
    quantized = {m.node: _fake_quant_weight(m.weight, per_channel, reduce) for m in matmuls}
    for start in range(0, len(inputs), batch_size):
        batch = np.ascontiguousarray(inputs[start : start + batch_size], dtype=np.float32)
        values = dict(zip(names, session.run(None, {feed: batch}), strict=True))
        for matmul in matmuls:
            activation = values[matmul.activation]
            exact = activation @ matmul.weight
            approx = _fake_quant_activation(activation) @ quantized[matmul.node]
            errors[matmul.node] += float(np.square(approx - exact).sum())
            norms[matmul.node] += float(np.square(exact).sum())
    return {name: (errors[name] / norms[name]) ** 0.5 if norms[name] else 0.0 for name in errors}


def most_sensitive(fp32: Path, errors: dict[str, float], share: float = MIXED_SHARE) -> list[str]:
    """The MatMuls with the largest int8 error, worst first, holding at most ``share`` of
    all weight MatMuls' work (weights count as work: each is used once per token); the
    worst one always (in a tiny model one multiplication may be more than ``share``)."""
    matmuls = {m.node: m for m in weight_matmuls(fp32)}
    budget = share * sum(m.work for m in matmuls.values())
    chosen: list[str] = []
    used = 0
    for name in sorted(errors, key=errors.__getitem__, reverse=True):
        work = matmuls[name].work if name in matmuls else 0
        if chosen and used + work > budget:
            continue
        chosen.append(name)
        used += work
    return chosen

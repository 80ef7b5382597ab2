"""Which int8 ONNX variant of a trained DeiT-base agrees with float32, and at what speed.

    python bench/bench_int8_variants.py [--deit CHECKPOINT] [--samples 600] [--calibration 64]

On validation faces (as ``bench_precision.py``), the first ``--calibration`` of them used
only to measure each weight MatMul's int8 error (``lopt.inference.int8.matmul_errors``) and,
for the static variant, activation ranges; agreement (same verdict level and label), the
largest probability gap and the speed-up over torch float32 are measured on the rest, in
batches of 8 (float32 runs once; each variant's time over the same batches, after one
warm-up batch, gives its speed-up).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from harness import add_deit_arguments, deit_checkpoint, machine_description

BATCH = 8


def timed_predict(detector, tensors):  # type: ignore[no-untyped-def]
    """Probabilities for ``tensors`` in batches of ``BATCH``, and the seconds they took
    (after a warm-up batch)."""
    import time

    import numpy as np
    import torch

    batches = [torch.stack(tensors[i : i + BATCH]) for i in range(0, len(tensors), BATCH)]
    detector.predict(batches[0])
    started = time.perf_counter()
    values = np.concatenate([detector.predict(batch) for batch in batches])
    return values, time.perf_counter() - started


def static_int8(fp32: Path, output: Path, calibration, per_channel: bool, reduce: bool) -> Path:  # type: ignore[no-untyped-def]
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.items = iter([{"pixel_values": c[None]} for c in calibration])

        def get_next(self):  # type: ignore[no-untyped-def]
            return next(self.items, None)

    quantize_static(
        str(fp32),
        str(output),
        Reader(),
        quant_format=QuantFormat.QDQ,
        op_types_to_quantize=["MatMul"],
        per_channel=per_channel,
        reduce_range=reduce,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        extra_options={"MatMulConstBOnly": True},
    )
    return output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=600)
    parser.add_argument("--calibration", type=int, default=64)
    parser.add_argument("--shares", default="0.05,0.1,0.15,0.25")
    parser.add_argument("--no-static", action="store_true")
    add_deit_arguments(parser)
    args = parser.parse_args()
    import numpy as np
    import torch
    from bench_precision import validation_faces

    from lopt.inference.detectors import ImageDetector
    from lopt.inference.int8 import (
        cpu_has_vnni,
        matmul_errors,
        most_sensitive,
        quantize_int8,
        weight_matmuls,
    )
    from lopt.inference.onnx_backend import OnnxClassifier, export_onnx
    from lopt.inference.precision import same_answer
    from lopt.tools.export import load_float32

    print(f"Machine: {machine_description()}; VNNI: {cpu_has_vnni()}")
    torch.set_num_threads(os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="lopt-int8-") as tmp:
        scratch = Path(tmp)
        model, weights = deit_checkpoint(args.deit, scratch / "deit")
        loaded = load_float32(str(model))
        reference = ImageDetector(loaded)
        faces = validation_faces(args.samples + args.calibration)
        tensors = [reference.preprocess(face) for face in faces]
        calibration, held = tensors[: args.calibration], tensors[args.calibration :]
        print(f"{model} ({weights}): {len(held)} faces judged, {len(calibration)} calibrate")
        fp32 = export_onnx(loaded.model, torch.stack(held[:2]), scratch / "onnx")["onnx"]
        calib = torch.stack(calibration).numpy()
        errors = matmul_errors(fp32, calib)
        ranked = sorted(errors.items(), key=lambda kv: kv[1], reverse=True)
        print(f"{len(ranked)} weight MatMuls; largest int8 errors:")
        for name, error in ranked[:8]:
            print(f"  {error:.4f} {name}")
        print(f"  median {float(np.median(list(errors.values()))):.4f}")
        variants: dict[str, Path] = {"onnx": fp32}
        for name, per_channel, reduce in [
            ("int8 per-tensor 8-bit (before)", False, False),
            ("int8 per-channel 8-bit", True, False),
            ("int8 per-tensor 7-bit", False, True),
            ("int8 per-channel 7-bit", True, True),
        ]:
            file = scratch / f"{name.replace(' ', '_')}.onnx"
            variants[name] = quantize_int8(fp32, file, per_channel=per_channel, reduce_range=reduce)
        total = sum(m.work for m in weight_matmuls(fp32))
        for share in [float(s) for s in args.shares.split(",")]:
            kept = most_sensitive(fp32, errors, share)
            work = sum(m.work for m in weight_matmuls(fp32) if m.node in kept) / total
            name = f"mixed {share:.2f} ({len(kept)} kept, {work:.0%})"
            variants[name] = quantize_int8(fp32, scratch / f"mixed{share}.onnx", exclude=kept)
        if not args.no_static:
            for per_channel in (False, True):
                name = f"static QDQ {'per-channel' if per_channel else 'per-tensor'}"
                variants[name] = static_int8(
                    fp32, scratch / f"static{per_channel}.onnx", calib, per_channel, True
                )
        expected, base = timed_predict(reference, held)
        answers = [reference.decide(float(p)) for p in expected]
        print(f"\n{'path':<40} {'agree':>7} {'changed':>8} {'max |dp|':>9} {'x fp32':>7}")
        print(f"{'float32 (torch)':<40} {1:>7.2%} {0:>8} {0:>9.4f} {1:>6.2f}x")
        for name, file in variants.items():
            candidate = ImageDetector(replace(loaded, model=OnnxClassifier(file), precision=name))
            got, seconds = timed_predict(candidate, held)
            changed = sum(
                not same_answer(a, candidate.decide(float(p)))
                for a, p in zip(answers, got, strict=True)
            )
            gap = float(np.max(np.abs(got - expected)))
            print(
                f"{name:<40} {1 - changed / len(held):>7.2%} {changed:>8} "
                f"{gap:>9.4f} {base / seconds:>6.2f}x",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

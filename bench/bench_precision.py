"""Every reduced precision against float32: verdict agreement, largest probability gap, speed.

    python bench/bench_precision.py [--samples 600] [--record]

On the embedded detector's validation faces (the training run's split: ``discover_folder``
of ``$LOPT_SHARED_DATA/faces``, ``split_samples(seed=0)``, crops from the crop cache) and,
for cost, on a DeiT-base-sized checkpoint with random weights (its agreement says little:
random logits sit near the threshold). Forward passes are timed in batches of 8 in this
process; each path's speed-up is measured against float32 batch by batch on the same
inputs (``compare_paths``), and img/s is float32's rate times that speed-up.
``--record`` writes the embedded detector's ``lopt_precision.json`` (read by
``LOPT_PRECISION=auto``) into an exported copy under ``.cache/bench/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from harness import REPO, SHARED_DATA, add_deit_arguments, machine_description

BATCH = 8


def validation_faces(limit: int) -> list:  # type: ignore[type-arg]
    from lopt.training.crops import build_crop_cache
    from lopt.training.data import IMAGE_SUFFIXES, discover_folder, split_samples

    samples = discover_folder(SHARED_DATA / "faces", IMAGE_SUFFIXES)
    val = split_samples(samples, seed=0).val
    step = max(1, len(val) // limit)
    crops = build_crop_cache(val[::step][:limit], REPO / ".cache" / "face-crops", workers=1)
    return [crop.load() for crop in crops]


def timed_rate(detector, tensors) -> float:  # type: ignore[no-untyped-def]
    import torch

    batches = [torch.stack(tensors[i : i + BATCH]) for i in range(0, len(tensors), BATCH)]
    detector.predict(batches[0])
    started = time.perf_counter()
    for batch in batches:
        detector.predict(batch)
    return len(tensors) / (time.perf_counter() - started)


def compare_all(title: str, model: str, images: list, output: Path, record: bool) -> None:  # type: ignore[type-arg]
    import torch

    from lopt.inference.detectors import ImageDetector
    from lopt.inference.int8 import CALIBRATION, quantize_mixed
    from lopt.inference.onnx_backend import ONNX_FILES
    from lopt.inference.precision import REDUCED, apply_precision, compare_paths, write_record
    from lopt.tools.export import export_checkpoint, load_float32

    export_checkpoint(model, output)
    reference = ImageDetector(load_float32(str(output)))
    tensors = [reference.preprocess(image) for image in images]
    base = timed_rate(reference, tensors[: BATCH * 6])
    print(f"\n## {title}: {len(tensors)} inputs")
    print(f"{'path':<16} {'agreement':>9} {'max |dp|':>9} {'img/s':>7} {'x fp32':>7}")
    print(f"{'float32':<16} {1:>9.3%} {0:>9.4f} {base:>7.1f} {1:>6.2f}x")
    results = []
    calibration = min(CALIBRATION, len(tensors) // 4)  # as `lopt export --check` does
    quantize_mixed(
        output / ONNX_FILES["onnx"],
        output / ONNX_FILES["onnx-int8-mixed"],
        torch.stack(tensors[:calibration]).numpy(),
    )
    for precision in REDUCED:
        candidate = ImageDetector(apply_precision(load_float32(str(output)), precision))
        judged = tensors[calibration:] if precision == "onnx-int8-mixed" else tensors
        result = compare_paths(reference, candidate, judged, precision=precision, batch_size=BATCH)
        speedup = result.speedup or float("nan")
        results.append(result)
        print(
            f"{precision:<16} {result.agreement:>9.3%} {result.max_probability_difference:>9.4f} "
            f"{base * speedup:>7.1f} {speedup:>6.2f}x",
            flush=True,
        )
    if record:
        print(f"record: {write_record(output, results, data=title)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=600, help="Validation faces used.")
    parser.add_argument("--record", action="store_true", help="Write lopt_precision.json.")
    add_deit_arguments(parser)
    args = parser.parse_args()
    print(f"Machine: {machine_description()}")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_throughput import embedded_model
    from harness import deit_checkpoint

    faces = validation_faces(args.samples)
    compare_all(
        "Embedded detector, validation faces",
        embedded_model(),
        faces,
        REPO / ".cache" / "bench" / "lopt-faces-v2-exported",
        args.record,
    )
    if not args.skip_deit:
        with tempfile.TemporaryDirectory(prefix="lopt-bench-") as tmp:
            deit, weights = deit_checkpoint(args.deit, Path(tmp) / "deit")
            compare_all(
                f"DeiT-base-sized ({weights}), validation faces",
                str(deit),
                faces if weights != "random weights" else faces[:48],
                Path(tmp) / "deit-exported",
                False,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What a heatmap costs against the forward pass it explains, and whether it means anything.

    python bench/bench_heatmaps.py [--faces 60] [--repeats 7] [--skip-deit]

Cost, in this process, on the same inputs: a batch of face crops through the float32
torch forward pass (``torch.inference_mode``, the baseline), then through
``explain_batch`` (Grad-CAM; with attention rollout for DeiT). Printed as the ratio of
median times, for the embedded detector and for a DeiT-base-sized checkpoint, at batch 1
and 8. The embedded detector serves through ONNX by default; its forward time there is
printed too, for what a map costs against what a user waits for without one.

Meaning, on held-out photos (the shipped detector's test split, ``test-split.csv``):
self-blended fakes of their faces, whose blend masks are known — the share of each map's
hottest 15% inside the mask against the mask's share of the crop (the issue's floor:
1.5x); Adebayo et al.'s randomisation check (median rank correlation between the trained
maps and those after re-initialising the last block and head; the floor: below 0.5); and
whether the same input gives the same map.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from harness import REPO, SHARED_DATA, add_deit_arguments, deit_checkpoint, machine_description

TEST_SPLIT = REPO / "models" / "lopt-faces-v2" / "test-split.csv"


def held_out_photos() -> list[Path]:
    import numpy as np

    rows = [r for r in csv.DictReader(TEST_SPLIT.open()) if r["label"] == "real"]
    order = np.random.default_rng(0).permutation(len(rows))
    return [SHARED_DATA / rows[i]["path"] for i in order]


def median_times(runs, repeats: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Median time of each run, the runs interleaved so that a change in the machine's load
    falls on all of them alike."""
    for run in runs:
        run()  # warm-up
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeats):
        for run, spent in zip(runs, times, strict=True):
            started = time.perf_counter()
            run()
            spent.append(time.perf_counter() - started)
    return [statistics.median(spent) for spent in times]


def cost(name: str, loaded, crops, repeats: int) -> None:  # type: ignore[no-untyped-def]
    import torch

    from lopt.explain import explain_batch, find_target
    from lopt.inference.detectors import ImageDetector

    detector = ImageDetector(loaded)
    target = find_target(loaded.model)
    assert target is not None
    fake = loaded.labels.fake_indices
    for batch in (1, 8):
        pixels = torch.stack([detector.preprocess(crop) for crop in crops[:batch]])

        def forward(pixels: torch.Tensor = pixels) -> None:
            with torch.inference_mode():
                loaded.model(pixel_values=pixels)

        def explain(pixels: torch.Tensor = pixels) -> None:
            explain_batch(loaded.model, target, pixels, fake)

        base, maps = median_times([forward, explain], repeats)
        print(
            f"{name:<34} batch {batch}: forward {base * 1000 / batch:7.1f} ms/face, "
            f"map {maps * 1000 / batch:7.1f} ms/face, map/forward {maps / base:.2f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=int, default=60, help="Held-out self-blended faces.")
    parser.add_argument("--repeats", type=int, default=7)
    add_deit_arguments(parser)
    args = parser.parse_args()

    import numpy as np
    import torch

    from lopt.explain import explain_batch, find_target
    from lopt.explain.checks import randomised_copy, rank_correlation, share_inside
    from lopt.inference.detectors import ImageDetector
    from lopt.inference.precision import apply_precision
    from lopt.inference.registry import load_model
    from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL
    from lopt.training.blend_files import self_blended_crops

    print(machine_description())
    common = {"task": "image", "setting": "bench", "device": torch.device("cpu")}
    loaded = load_model(EMBEDDED_IMAGE_MODEL, dtype=torch.float32, **common)
    blends = self_blended_crops(held_out_photos(), args.faces, seed=0)
    crops = [blend.fake for blend in blends]
    print(f"{len(blends)} self-blended faces from held-out photos ({TEST_SPLIT.name})\n")

    print("Cost (median of", args.repeats, "runs, same inputs):")
    cost(f"{EMBEDDED_IMAGE_MODEL} (torch float32)", loaded, crops, args.repeats)
    onnx = apply_precision(load_model(EMBEDDED_IMAGE_MODEL, dtype=torch.float32, **common), "onnx")
    detector = ImageDetector(onnx)
    pixels = torch.stack([detector.preprocess(crop) for crop in crops[:8]])
    [served] = median_times([lambda: detector.predict(pixels)], args.repeats)
    print(
        f"{EMBEDDED_IMAGE_MODEL} as served (ONNX)     batch 8: forward {served * 125:7.1f} ms/face"
    )
    if not args.skip_deit:
        with tempfile.TemporaryDirectory() as scratch:
            folder, weights = deit_checkpoint(args.deit, Path(scratch) / "deit")
            deit = load_model(str(folder), dtype=torch.float32, **common)
            cost(f"DeiT-base ({weights})", deit, crops, max(3, args.repeats // 2))

    print("\nMeaning (shipped detector):")
    target = find_target(loaded.model)
    assert target is not None
    image = ImageDetector(loaded)
    batch = torch.stack([image.preprocess(crop) for crop in crops])
    fake = loaded.labels.fake_indices
    trained = [m.grad_cam for m in explain_batch(loaded.model, target, batch, fake)]
    pairs = [share_inside(h, b.mask >= 0.5) for h, b in zip(trained, blends, strict=True)]
    hits, shares = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    print(
        f"hottest 15% inside the blend mask: {hits.mean():.3f}; the mask's share of the crop: "
        f"{shares.mean():.3f}; ratio {hits.mean() / shares.mean():.2f}x (floor 1.5x); "
        f"faces with a ratio >= 1.5: {(hits >= 1.5 * shares).mean():.0%}"
    )
    random_model = randomised_copy(loaded.model)
    random_target = find_target(random_model)
    assert random_target is not None
    changed = [m.grad_cam for m in explain_batch(random_model, random_target, batch, fake)]
    rho = [rank_correlation(a, b) for a, b in zip(trained, changed, strict=True)]
    print(
        f"randomised last block and head: median rank correlation {np.median(rho):.3f} "
        f"(ceiling 0.5; IQR {np.quantile(rho, 0.25):.3f}..{np.quantile(rho, 0.75):.3f})"
    )
    again = [m.grad_cam for m in explain_batch(loaded.model, target, batch, fake)]
    same = all(np.array_equal(a, b) for a, b in zip(trained, again, strict=True))
    print(f"same input, same map: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

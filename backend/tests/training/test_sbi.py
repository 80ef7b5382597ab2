"""Self-blended images and the landmarks they are cut from."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from lopt.training.sbi import (
    LandmarkDetector,
    SelfBlend,
    landmark_model_path,
    self_blend,
    self_blend_pair,
)
from tests.helpers import shared_data

FACES = shared_data() / "faces"
needs_faces = pytest.mark.skipif(not FACES.is_dir(), reason=f"shared data not found at {FACES}")


def synthetic_landmarks(size: int = 160, offset: float = 48.0) -> np.ndarray:
    """A frontal 68-point layout (jaw, brows, nose, eyes, mouth) of a ``size`` px face,
    shifted by ``offset`` px into a larger picture."""
    c, r = size / 2, size * 0.3
    jaw = [(c + r * np.cos(a), c + r * np.sin(a)) for a in np.linspace(np.pi, 0, 17)[::-1]]
    jaw = [(x, y + 0.1 * size) for x, y in jaw[::-1]]
    brows = [(c - r + i * r / 4.5, c - 0.18 * size) for i in range(5)]
    brows += [(c + r / 9 + i * r / 4.5, c - 0.18 * size) for i in range(5)]
    nose = [(c, c - 0.12 * size + i * 0.04 * size) for i in range(4)]
    nose += [(c - 0.06 * size + i * 0.03 * size, c + 0.06 * size) for i in range(5)]

    def ring(cx: float, cy: float, rx: float, ry: float, n: int) -> list[tuple[float, float]]:
        return [
            (cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in np.linspace(0, 2 * np.pi, n, False)
        ]

    eyes = ring(c - 0.15 * size, c - 0.1 * size, 10, 4, 6) + ring(
        c + 0.15 * size, c - 0.1 * size, 10, 4, 6
    )
    mouth = ring(c, c + 0.2 * size, 25, 10, 12) + ring(c, c + 0.2 * size, 15, 4, 8)
    points = np.array(jaw + brows + nose + eyes + mouth, dtype=np.float32)
    assert points.shape == (68, 2)
    return points + offset


@pytest.fixture(scope="module")
def textured_image() -> np.ndarray:
    # Smooth random texture: an affine shift or a colour change inside the face shows up.
    rng = np.random.default_rng(42)
    small = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(small).resize((256, 256), Image.Resampling.BICUBIC)).copy()


@pytest.fixture(scope="module")
def detector() -> LandmarkDetector:
    return LandmarkDetector()


def _outside_face(points: np.ndarray, shape: tuple[int, ...], margin: float = 0.5) -> np.ndarray:
    """Pixels well away from the landmarks' bounding box, where no blend may reach."""
    (x0, y0), (x1, y1) = points.min(0), points.max(0)
    pad_x, pad_y = margin * (x1 - x0), margin * (y1 - y0)
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    inside = (xx > x0 - pad_x) & (xx < x1 + pad_x) & (yy > y0 - pad_y) & (yy < y1 + pad_y)
    return ~inside


def test_landmark_model_ships_with_the_package():
    path = landmark_model_path()
    assert path.name == "shape_predictor_68_face_landmarks.dat"
    assert path.stat().st_size > 90_000_000


def test_self_blend_keeps_size_and_changes_only_the_face(textured_image):
    points = synthetic_landmarks()
    outside = _outside_face(points, textured_image.shape)
    inside_changes = []
    for seed in range(12):
        fake = self_blend(textured_image, points, np.random.default_rng(seed))
        assert fake.shape == textured_image.shape and fake.dtype == np.uint8
        assert outside.sum() > 10_000
        assert np.array_equal(fake[outside], textured_image[outside])
        centre = (slice(108, 158), slice(108, 148))
        diff = np.abs(fake[centre].astype(int) - textured_image[centre].astype(int))
        inside_changes.append(diff.mean())
    assert min(inside_changes) > 0.5
    assert np.median(inside_changes) > 3


def test_self_blend_is_reproducible_from_the_seed(textured_image):
    points = synthetic_landmarks()
    a = self_blend(textured_image, points, np.random.default_rng(3))
    b = self_blend(textured_image, points, np.random.default_rng(3))
    c = self_blend(textured_image, points, np.random.default_rng(4))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_pair_real_and_fake_differ_only_through_the_mask(textured_image):
    points = synthetic_landmarks()
    real_is_input = []
    for seed in range(16):
        pair = self_blend_pair(textured_image, points, np.random.default_rng(seed))
        assert isinstance(pair, SelfBlend)
        assert pair.mask.shape == textured_image.shape[:2]
        assert pair.mask.min() >= 0.0 and pair.mask.max() <= 1.0
        assert pair.mask.max() >= 0.25 - 1e-3
        outside = pair.mask == 0
        assert outside.mean() > 0.3
        assert np.array_equal(pair.fake[outside], pair.real[outside])
        real_is_input.append(np.array_equal(pair.real, textured_image))
    # Both halves of the recipe happen: changed source (real untouched) and changed target.
    assert 0 < sum(real_is_input) < len(real_is_input)


PART_POINTS = {
    "eyes": np.r_[17:27, 36:48],
    "left eye": np.r_[17:22, 36:42],
    "right eye": np.r_[22:27, 42:48],
    "nose": np.r_[27:36],
    "mouth": np.r_[48:68],
}


def _core(mask: np.ndarray) -> int:
    """Pixels blended at half the mask's peak weight or more (peaks are 0.25-1)."""
    return int((mask >= 0.5 * mask.max()).sum())


def _part_under(mask: np.ndarray, points: np.ndarray) -> str | None:
    """The face part whose landmarks' box (grown by half) holds the mask's weighted centre."""
    yy, xx = np.mgrid[: mask.shape[0], : mask.shape[1]]
    cx, cy = (xx * mask).sum() / mask.sum(), (yy * mask).sum() / mask.sum()
    for name in ("left eye", "right eye", "nose", "mouth"):
        (x0, y0), (x1, y1) = points[PART_POINTS[name]].min(0), points[PART_POINTS[name]].max(0)
        pad_x, pad_y = 0.5 * (x1 - x0) + 4, 0.5 * (y1 - y0) + 4
        if x0 - pad_x <= cx <= x1 + pad_x and y0 - pad_y <= cy <= y1 + pad_y:
            return name
    (x0, y0), (x1, y1) = points[PART_POINTS["eyes"]].min(0), points[PART_POINTS["eyes"]].max(0)
    return "eyes" if x0 <= cx <= x1 and y0 <= cy <= y1 else None


def test_part_blends_cover_one_face_part_not_the_face(textured_image):
    points = synthetic_landmarks()
    face_area = cv2.contourArea(cv2.convexHull(points))
    parts, small, whole = [], [], []
    for seed in range(24):
        pair = self_blend_pair(textured_image, points, np.random.default_rng(seed), parts=1.0)
        outside = pair.mask == 0
        assert np.array_equal(pair.fake[outside], pair.real[outside])
        assert _core(pair.mask) < 0.3 * face_area  # a part, not the face
        small.append(_core(pair.mask) / face_area)
        part = _part_under(pair.mask, points)
        assert part is not None, f"seed {seed}: blend not centred on a face part"
        parts.append(part)
        face = self_blend_pair(textured_image, points, np.random.default_rng(seed), parts=0.0)
        whole.append(_core(face.mask) / face_area)
    assert len(set(parts)) >= 3  # not always the same part
    # Without parts, blends cover much of the face: several times a part's area.
    assert np.median(whole) > 0.3
    assert np.median(whole) > 3 * np.median(small)


def test_part_share_mixes_part_and_face_blends(textured_image):
    points = synthetic_landmarks()
    face_area = cv2.contourArea(cv2.convexHull(points))
    small = [
        _core(self_blend_pair(textured_image, points, np.random.default_rng(s), parts=0.4).mask)
        < 0.25 * face_area
        for s in range(60)
    ]
    assert 0.2 <= np.mean(small) <= 0.6


def test_bad_inputs_are_rejected(textured_image):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="68x2"):
        self_blend(textured_image, synthetic_landmarks()[:5], rng)
    with pytest.raises(ValueError, match="RGB uint8"):
        self_blend(textured_image.astype(np.float32), synthetic_landmarks(), rng)
    with pytest.raises(ValueError, match="RGB uint8"):
        LandmarkDetector().detect(textured_image[..., 0])


def test_no_landmarks_without_a_face(detector, textured_image):
    assert detector.detect(np.full((128, 128, 3), 127, dtype=np.uint8)) is None
    assert detector.detect(textured_image) is None


def _real_faces(folder: str, count: int) -> list[np.ndarray]:
    files = sorted((FACES / folder).glob("*.jpg"))[:count]
    return [np.asarray(Image.open(f).convert("RGB")) for f in files]


@needs_faces
@pytest.mark.parametrize("folder", ["ffhq-tpdne-128/real", "utkface-200/real"])
def test_landmarks_on_real_faces_are_face_shaped(detector, folder):
    images = _real_faces(folder, 10)
    found = [detector.detect(image) for image in images]
    hits = [(img, pts) for img, pts in zip(images, found, strict=True) if pts is not None]
    assert len(hits) >= 9
    for image, points in hits:
        assert points.shape == (68, 2) and points.dtype == np.float32
        h, w = image.shape[:2]
        assert 0 <= points[30, 0] < w and 0 <= points[30, 1] < h  # nose tip in the picture
        eyes_y, mouth_y, chin_y = points[36:48, 1].mean(), points[48:68, 1].mean(), points[8, 1]
        assert eyes_y < points[30, 1] < mouth_y < chin_y
        assert points[36:42, 0].mean() < points[30, 0] < points[42:48, 0].mean()
        assert points[16, 0] - points[0, 0] > 0.3 * w  # a face, not a speck


@needs_faces
def test_self_blend_on_a_real_face_stays_on_the_face(detector, tmp_path):
    image = _real_faces("ffhq-tpdne-128/real", 1)[0]
    points = detector.detect(image)
    assert points is not None
    np.save(tmp_path / "landmarks.npy", points)  # computed once, cached, reused
    cached = np.load(tmp_path / "landmarks.npy")
    (x0, y0), (x1, y1) = cached.min(0), cached.max(0)
    for seed in range(4):
        pair = self_blend_pair(image, cached, np.random.default_rng(seed))
        ys, xs = np.nonzero(pair.mask > 0.01)
        assert x0 - 0.3 * (x1 - x0) < xs.min() and xs.max() < x1 + 0.3 * (x1 - x0)
        assert y0 - 0.3 * (y1 - y0) < ys.min() and ys.max() < y1 + 0.3 * (y1 - y0)
        changed = np.abs(pair.fake.astype(int) - pair.real.astype(int)).max(axis=2) > 0
        assert changed.any() and not changed[pair.mask == 0].any()

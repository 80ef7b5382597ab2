"""Grouping by identity and by source photo, on real portraits and a hand-made swap."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps

from lopt.media.faces import FaceDetector, crop_faces
from lopt.training.crops import build_crop_cache
from lopt.training.data import Sample
from lopt.training.identity import group_by_identity
from tests.helpers import MEDIA, needs_media

PEOPLE = ["paul_rudd", "kate_siegel", "angelina_jolie", "shea_whigham"]


def portrait(name: str, seed: int, side: int = 250) -> np.ndarray:
    """A news-photo framing like LFW's: the face in the middle, about 0.45 of the side,
    on a background of its own."""
    with Image.open(MEDIA / f"facenet_{name}.jpg") as image:
        rgb = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    (face,) = crop_faces(rgb, FaceDetector().detect(rgb)[:1], margin=1.2)
    inner = round(0.45 * side)
    face = cv2.resize(face, (inner, inner), interpolation=cv2.INTER_AREA)
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 256, (side // 10, side // 10, 3), dtype=np.uint8)
    photo = cv2.resize(noise, (side, side), interpolation=cv2.INTER_CUBIC)
    start = (side - inner) // 2
    photo[start : start + inner, start : start + inner] = face
    return photo


def paste_face(target: np.ndarray, source: np.ndarray) -> np.ndarray:
    """A crude swap: the source's central face area blended into the target photo."""
    side = target.shape[0]
    mask = np.zeros((side, side), np.float32)
    cv2.ellipse(mask, (side // 2, side // 2), (side // 8, side // 6), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), side / 60)[..., None]
    return (mask * source + (1 - mask) * target).astype(np.uint8)


def save(folder: Path, name: str, image: np.ndarray, label: int, quality: int = 90) -> Sample:
    path = folder / f"{name}.jpg"
    Image.fromarray(image).save(path, quality=quality)
    return Sample(path, label, group=name, source="news")


@needs_media
def test_same_person_and_swap_with_its_photo_share_a_group_others_do_not(tmp_path: Path) -> None:
    photos = {name: portrait(name, seed) for seed, name in enumerate(PEOPLE)}
    rudd = photos["paul_rudd"]
    rudd_again = cv2.resize(np.ascontiguousarray(rudd[:, ::-1]), (220, 220))  # flipped, smaller
    samples = [save(tmp_path, name, image, 0) for name, image in photos.items()]
    samples.append(save(tmp_path, "rudd_again", rudd_again, 0, quality=60))
    swap = paste_face(rudd, photos["kate_siegel"])
    samples.append(save(tmp_path, "swap", swap, 1))
    samples.append(Sample(tmp_path / "other.jpg", 0, group="other", source="elsewhere"))
    Image.fromarray(photos["shea_whigham"]).save(tmp_path / "other.jpg")

    crops = build_crop_cache(samples, tmp_path / "cache", size=128, workers=1)
    grouping = group_by_identity(crops, {"news"}, workers=1)
    group = {s.path.stem: s.group for s in grouping.samples}

    assert group["swap"] == group["paul_rudd"]  # pasted into that photo
    assert group["rudd_again"] == group["paul_rudd"]  # the same person
    assert len({group["paul_rudd"], group["angelina_jolie"], group["shea_whigham"]}) == 3
    assert group["other"] == "other"  # sources not asked for keep their groups
    assert grouping.matched_fakes == 1 and grouping.fakes == 1
    assert grouping.identities == 4  # Rudd (twice), Siegel, Jolie, Whigham

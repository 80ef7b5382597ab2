from __future__ import annotations

import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lopt.errors import CorruptMedia, MediaTooLarge
from lopt.media.images import load_image
from tests.helpers import noise_image

LIMIT = 50_000_000


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    image = Image.new("RGB", (80, 40), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 10, 40))  # blue stripe on the left edge
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to view
    path = tmp_path / "phone.jpg"
    image.save(path, exif=exif, quality=95)
    decoded = load_image(path, max_pixels=LIMIT)
    assert (decoded.width, decoded.height) == (40, 80)
    top = np.asarray(decoded.image)[:5].reshape(-1, 3).mean(axis=0)
    assert top[2] > 200 and top[0] < 60  # the left stripe is now on top


def test_exif_orientation_is_applied_to_a_photo_decoded_at_reduced_size(tmp_path: Path) -> None:
    image = Image.new("RGB", (2000, 1000), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 200, 1000))  # blue stripe on the left edge
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    image.save(path, exif=exif, quality=95)
    decoded = load_image(path, max_pixels=LIMIT, min_long_side=640)
    assert decoded.scale == 2 and (decoded.width, decoded.height) == (500, 1000)
    assert decoded.original_size == (1000, 2000)
    top = np.asarray(decoded.image)[:40].reshape(-1, 3).mean(axis=0)
    assert top[2] > 200 and top[0] < 60


def test_alpha_is_composited_on_white(tmp_path: Path) -> None:
    path = tmp_path / "cutout.png"
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(path)
    decoded = load_image(path, max_pixels=LIMIT)
    assert decoded.image.mode == "RGB"
    assert np.asarray(decoded.image).min() == 255


def test_16_bit_png_keeps_its_brightness(tmp_path: Path) -> None:
    values = np.array([[0, 32896, 65535]], dtype=np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(values).save(path)
    decoded = np.asarray(load_image(path, max_pixels=LIMIT).image)
    assert decoded[0, :, 0].tolist() == [0, 128, 255]


@pytest.mark.parametrize("mode", ["P", "L", "1", "CMYK", "LA"])
def test_every_mode_becomes_rgb(tmp_path: Path, mode: str) -> None:
    path = tmp_path / ("x.jpg" if mode == "CMYK" else "x.png")
    noise_image().convert(mode).save(path)
    decoded = load_image(path, max_pixels=LIMIT)
    assert decoded.image.mode == "RGB" and decoded.image.size == (96, 64)


def test_animated_gif_uses_its_first_frame(tmp_path: Path) -> None:
    frames = [
        Image.new("RGB", (20, 20), color) for color in [(250, 0, 0), (0, 250, 0), (0, 0, 250)]
    ]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    red, green, _ = np.asarray(load_image(path, max_pixels=LIMIT).image).reshape(-1, 3).mean(axis=0)
    assert red > 200 and green < 50


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(60_000, 60_000))  # 3.6 gigapixels declared
    started = time.perf_counter()
    with pytest.raises(MediaTooLarge, match="LOPT_MAX_IMAGE_PIXELS"):
        load_image(path, max_pixels=LIMIT)
    assert time.perf_counter() - started < 1.0  # nothing was decoded


def test_pixel_limit_is_the_settings_value(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    noise_image(100, 50).save(path)
    assert load_image(path, max_pixels=5_000).width == 100
    with pytest.raises(MediaTooLarge):
        load_image(path, max_pixels=4_999)


def test_truncated_and_garbage_images_are_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    noise_image(200, 200).save(path)
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(CorruptMedia):
        load_image(path, max_pixels=LIMIT)
    garbage = tmp_path / "garbage.jpg"
    garbage.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    with pytest.raises(CorruptMedia):
        load_image(garbage, max_pixels=LIMIT)

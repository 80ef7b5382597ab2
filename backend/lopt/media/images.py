"""Safe image decoding: size check before decode, EXIF orientation, every mode to RGB."""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from lopt.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia

# Truncated files are corrupt uploads, not something to guess the rest of.
ImageFile.LOAD_TRUNCATED_IMAGES = False

ALPHA_BACKGROUND = (255, 255, 255)


@dataclass(frozen=True)
class DecodedImage:
    """An upright RGB image and what the file said about itself."""

    image: Image.Image
    format: str
    width: int
    height: int
    scale: float = 1.0  # file pixels per decoded pixel (JPEGs decoded at reduced size)

    @property
    def original_size(self) -> tuple[int, int]:
        """The upright image's size in the file's own pixels."""
        return round(self.width * self.scale), round(self.height * self.scale)


def load_image(
    path: Path, *, max_pixels: int, min_side: int | None = None, min_long_side: int | None = None
) -> DecodedImage:
    """Decode the first frame of an image file as upright 8-bit RGB.

    The pixel count is checked from the header before any pixel is decoded, so a
    decompression bomb costs nothing. With ``min_side`` or ``min_long_side``, a JPEG is
    decoded at 1/2, 1/4 or 1/8 of its size (libjpeg scales while decoding, several times
    faster than a full decode and a resize) as long as its shorter side stays at least
    ``min_side`` and its longer side at least ``min_long_side``; ``scale`` then says by how
    much.
    """
    scale = 1.0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            _check_pixels(image.width, image.height, max_pixels)
            image.seek(0)
            if (min_side or min_long_side) and image.format == "JPEG":
                reduction = draft_scale(image.width, image.height, min_side or 0, min_long_side)
                if reduction > 1:
                    full_width = image.width
                    size = (-(-image.width // reduction), -(-image.height // reduction))
                    image.draft(image.mode, size)
                    scale = full_width / image.width
            image.load()
    except (MediaTooLarge, UnsupportedMedia):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaTooLarge(
            "The image declares more pixels than Lopt will decode. Resize it and send it "
            "again, or raise LOPT_MAX_IMAGE_PIXELS."
        ) from None
    except UnidentifiedImageError:
        raise CorruptMedia(
            "The file looks like an image but cannot be decoded. It may be damaged; "
            "re-export it and send it again."
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise CorruptMedia(
            f"The image cannot be decoded ({_short(error)}). It may be truncated or "
            "damaged; re-export it and send it again."
        ) from None

    file_format = (image.format or "unknown").lower()
    upright = _apply_orientation(image)
    rgb = to_rgb(upright)
    return DecodedImage(
        image=rgb, format=file_format, width=rgb.width, height=rgb.height, scale=scale
    )


def draft_scale(width: int, height: int, min_side: int, min_long_side: int | None = None) -> int:
    """The largest JPEG decode reduction (1, 2, 4 or 8) keeping the shorter side >= min_side
    and the longer side >= min_long_side."""
    shorter, longer = min(width, height), max(width, height)
    for scale in (8, 4, 2):
        if shorter // scale >= min_side and longer // scale >= (min_long_side or 0):
            return scale
    return 1


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any PIL mode (16-bit, palette, alpha, CMYK, grayscale) to 8-bit RGB."""
    mode = image.mode
    if mode.startswith("I") or mode == "F":
        return _high_bit_depth_to_rgb(image)
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*ALPHA_BACKGROUND, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if mode == "RGB":
        return image
    try:
        return image.convert("RGB")
    except ValueError:
        raise UnsupportedMedia(
            f"Images in colour mode {mode} are not supported. Convert it to RGB and send it again."
        ) from None


def _high_bit_depth_to_rgb(image: Image.Image) -> Image.Image:
    array = np.asarray(image, dtype=np.float64)
    if image.mode == "F":
        low, high = float(np.nanmin(array)), float(np.nanmax(array))
        scaled = (array - low) / (high - low or 1.0) * 255.0
    else:
        # 16-bit samples: map 0..65535 onto 0..255, as an 8-bit export would.
        scaled = array / 257.0
    gray = np.clip(np.nan_to_num(scaled), 0, 255).astype(np.uint8)
    return Image.fromarray(gray, mode="L").convert("RGB")


def _apply_orientation(image: Image.Image) -> Image.Image:
    """Turn ``image`` upright in place (no copy of an upright photo, 1.5 MB at 960x540)."""
    with contextlib.suppress(Exception):  # a malformed EXIF block must not sink the photo
        ImageOps.exif_transpose(image, in_place=True)
    return image


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise CorruptMedia("The image has no pixels. Re-export it and send it again.")
    if width * height > max_pixels:
        raise MediaTooLarge(
            f"The image is {width}x{height} ({width * height:,} pixels); the limit is "
            f"{max_pixels:,} pixels (LOPT_MAX_IMAGE_PIXELS). Resize it and send it again."
        )


def _short(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text[:120]

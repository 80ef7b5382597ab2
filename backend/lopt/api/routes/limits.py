from __future__ import annotations

from fastapi import APIRouter

from lopt.api.deps import SettingsDep
from lopt.api.schemas import Limits
from lopt.media.sniff import IMAGE_FORMATS, VIDEO_FORMATS

router = APIRouter(prefix="/api", tags=["limits"])

# File name extensions per sniffed format, for clients' pickers; the server ignores names.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "jpeg": (".jpg", ".jpeg", ".jfif"),
    "png": (".png",),
    "webp": (".webp",),
    "gif": (".gif",),
    "bmp": (".bmp",),
    "tiff": (".tif", ".tiff"),
    "mp4": (".mp4", ".m4v"),
    "mov": (".mov",),
    "webm": (".webm",),
    "mkv": (".mkv",),
    "avi": (".avi",),
    "mpeg": (".mpg", ".mpeg"),
    "flv": (".flv",),
    "wmv": (".wmv",),
}


def _extensions(formats: set[str]) -> list[str]:
    return sorted({ext for name in formats for ext in EXTENSIONS.get(name, (f".{name}",))})


@router.get("/limits")
async def limits(settings: SettingsDep) -> Limits:
    """What an upload must be: size, pixel and duration limits and the accepted formats."""
    return Limits(
        max_upload_bytes=settings.max_upload_bytes,
        max_image_pixels=settings.max_image_pixels,
        max_video_seconds=settings.max_video_seconds,
        max_video_pixels=settings.max_video_pixels,
        image_mime_types=sorted(IMAGE_FORMATS),
        video_mime_types=sorted(VIDEO_FORMATS),
        extensions=_extensions(set(IMAGE_FORMATS.values()) | set(VIDEO_FORMATS.values())),
    )

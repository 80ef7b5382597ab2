from __future__ import annotations

from fastapi import APIRouter

from lopt.api.deps import SettingsDep
from lopt.api.schemas import Limits
from lopt.media.formats import extensions, mime_types

router = APIRouter(prefix="/api", tags=["limits"])


@router.get("/limits")
async def limits(settings: SettingsDep) -> Limits:
    """What an upload must be: size, pixel and duration limits and the accepted formats."""
    return Limits(
        max_upload_bytes=settings.max_upload_bytes,
        max_image_pixels=settings.max_image_pixels,
        max_video_seconds=settings.max_video_seconds,
        max_video_pixels=settings.max_video_pixels,
        image_mime_types=mime_types("image"),
        video_mime_types=mime_types("video"),
        extensions=sorted(extensions()),
    )

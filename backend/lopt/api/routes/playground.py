from __future__ import annotations

from fastapi import APIRouter, Request

from lopt.api.deps import DetectorsDep, SettingsDep
from lopt.api.schemas import ERROR_RESPONSES, Prediction
from lopt.api.uploads import receive_upload

router = APIRouter(tags=["detection"])

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A photo or a video; its type is found from its bytes.",
                        }
                    },
                }
            }
        },
    }
}


@router.post("/playground", responses=ERROR_RESPONSES, openapi_extra=UPLOAD_BODY)
async def playground(
    request: Request, detectors: DetectorsDep, settings: SettingsDep
) -> Prediction:
    """Upload a photo or video; get Real or Fake, how sure, and the scores behind it."""
    async with receive_upload(
        request, max_bytes=settings.max_upload_bytes, directory=settings.upload_dir
    ) as upload:
        return await detectors.analyse(upload.path, filename=upload.filename)

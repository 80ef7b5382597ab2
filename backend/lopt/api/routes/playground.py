from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from lopt.api.deps import DetectorsDep, SettingsDep
from lopt.api.schemas import ERROR_RESPONSES, Prediction
from lopt.api.uploads import receive_upload
from lopt.errors import InvalidRequest

router = APIRouter(tags=["detection"])

EXPLAIN_TEXT = (
    "Also draw heatmaps: where the model's evidence for fake lies in each judged face "
    "(and in each person's most suspicious video frames). Slower; off by default. A form "
    "field or a query parameter."
)
TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}

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
                        },
                        "explain": {
                            "type": "boolean",
                            "default": False,
                            "description": EXPLAIN_TEXT,
                        },
                    },
                }
            }
        },
    }
}


@router.post("/playground", responses=ERROR_RESPONSES, openapi_extra=UPLOAD_BODY)
async def playground(
    request: Request,
    detectors: DetectorsDep,
    settings: SettingsDep,
    explain: Annotated[bool, Query(description=EXPLAIN_TEXT)] = False,
) -> Prediction:
    """Upload a photo or video; get its verdict level, how sure, the scores behind it, and
    what the file declares about its origin (with explain=true, heatmaps too)."""
    async with receive_upload(
        request, max_bytes=settings.max_upload_bytes, directory=settings.upload_dir
    ) as upload:
        wanted = explain or _flag(upload.fields.get("explain"))
        return await detectors.analyse(upload.path, filename=upload.filename, explain=wanted)


def _flag(value: str | None) -> bool:
    if value is None:
        return False
    text = value.strip().lower()
    if text in TRUE | FALSE:
        return text in TRUE
    raise InvalidRequest(f"The form field explain={value[:20]!r} must be true or false.")

"""Dependencies as ``Annotated`` aliases, so routes read as what they need."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from lopt.config import Settings
from lopt.errors import ModelNotReady
from lopt.inference.service import DetectionService


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_detectors(request: Request) -> DetectionService:
    service: DetectionService | None = getattr(request.app.state, "detectors", None)
    if service is None or not service.ready:
        raise ModelNotReady("The detectors are still loading. Try again in a few seconds.")
    return service


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DetectorsDep = Annotated[DetectionService, Depends(get_detectors)]

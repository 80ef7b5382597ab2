"""Detectors shipped inside the package, and the fall-back to them when the hub is away.

The embedded image detector was trained with ``lopt train`` on face crops of photos and
of face-swap videos (see ``models/lopt-faces-v2/README.md``).
``LOPT_IMAGE_MODEL=lopt-faces-v2`` selects it directly; otherwise it stands in for a
configured hub model that cannot be had, unless ``LOPT_MODEL_FALLBACK=false``.
"""

from __future__ import annotations

import logging
from typing import Any

from lopt.config import Settings
from lopt.errors import ModelUnavailable
from lopt.inference.registry import LoadedModel, load_model
from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL, embedded_path

log = logging.getLogger(__name__)


def load_configured_models(
    settings: Settings, **common: Any
) -> tuple[LoadedModel, LoadedModel | None]:
    """The image and video models the settings ask for, with the embedded fall-back."""
    try:
        image = load_model(
            settings.image_model,
            task="image",
            setting="LOPT_IMAGE_MODEL",
            revision=settings.image_model_revision,
            **common,
        )
    except ModelUnavailable as error:
        fallback = embedded_path(EMBEDDED_IMAGE_MODEL)
        if not settings.model_fallback or fallback is None:
            raise
        log.warning(
            "%s Falling back to the embedded detector %s.", error.message, EMBEDDED_IMAGE_MODEL
        )
        image = load_model(EMBEDDED_IMAGE_MODEL, task="image", setting="LOPT_IMAGE_MODEL", **common)
        image.replaces = settings.image_model
    video = None
    if settings.video_model:
        try:
            video = load_model(
                settings.video_model,
                task="video",
                setting="LOPT_VIDEO_MODEL",
                revision=settings.video_model_revision,
                **common,
            )
        except ModelUnavailable as error:
            if not settings.model_fallback:
                raise
            log.warning(
                "%s Videos will be judged frame by frame on face crops by the image detector.",
                error.message,
            )
    return image, video

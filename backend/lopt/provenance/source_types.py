"""What a declaration means: IPTC digital source types and tool names, each mapped to the
kind of finding it declares."""

from __future__ import annotations

import re

from lopt.provenance.results import FindingKind

IPTC_PREFIX = "http://cv.iptc.org/newscodes/digitalsourcetype/"

# IPTC NewsCodes "Digital Source Type" (https://cv.iptc.org/newscodes/digitalsourcetype/).
SOURCE_TYPES: dict[str, FindingKind] = {
    "trainedAlgorithmicMedia": "ai_generated_declared",
    "compositeWithTrainedAlgorithmicMedia": "ai_edited_declared",
    "algorithmicMedia": "synthetic_declared",
    "digitalCreation": "synthetic_declared",
    "digitalArt": "synthetic_declared",
    "dataDrivenMedia": "synthetic_declared",
    "compositeSynthetic": "synthetic_declared",
    "virtualRecording": "synthetic_declared",
    "composite": "edited_declared",
    "humanEdits": "edited_declared",
    "minorHumanEdits": "edited_declared",
    "algorithmicallyEnhanced": "edited_declared",
    "digitalCapture": "capture_declared",
    "computationalCapture": "capture_declared",
    "compositeCapture": "capture_declared",
    "screenCapture": "capture_declared",
    "negativeFilm": "capture_declared",
    "positiveFilm": "capture_declared",
    "print": "capture_declared",
}

# Strongest first: a file that declares an AI-generated part and an edit is AI.
PRIORITY: tuple[FindingKind, ...] = (
    "tampered",
    "ai_generated_declared",
    "ai_edited_declared",
    "synthetic_declared",
    "edited_declared",
    "capture_declared",
    "none",
)

# C2PA actions that say the content was changed (c2pa.opened, c2pa.placed... do not).
EDIT_ACTIONS = {
    "c2pa.edited",
    "c2pa.color_adjustments",
    "c2pa.cropped",
    "c2pa.drawing",
    "c2pa.filtered",
    "c2pa.orientation",
    "c2pa.resized",
    "c2pa.transcoded",
    "c2pa.watermarked",
    "c2pa.removed",
    "c2pa.converted",
    "c2pa.edited.metadata",
}

# Names image generators write into EXIF/XMP Software or CreatorTool.
AI_TOOLS = re.compile(
    r"\b(midjourney|dall[-·. ]?e|stable[ -]?diffusion|sdxl|novelai|comfyui|automatic1111|"
    r"invokeai|fooocus|firefly|imagen|leonardo\.?ai|ideogram|flux\.?1|nightcafe|craiyon|"
    r"dreamstudio|bing image creator|gpt-4o|sora|runway)\b",
    re.IGNORECASE,
)
EDITORS = re.compile(
    r"\b(photoshop|lightroom|gimp|affinity|snapseed|pixelmator|capture one|darktable|"
    r"rawtherapee|paint\.net|picsart|facetune|canva|luminar|photopea|krita)\b",
    re.IGNORECASE,
)


def source_type_name(uri: str) -> str:
    """The term of an IPTC digital source type URI (``.../trainedAlgorithmicMedia``)."""
    return uri.strip().rstrip("/").rsplit("/", 1)[-1]


def kind_of_source_type(uri: str) -> FindingKind:
    return SOURCE_TYPES.get(source_type_name(uri), "none")


def kind_of_software(name: str) -> FindingKind:
    """What a Software / CreatorTool value declares: an AI generator, an editor, or nothing."""
    if AI_TOOLS.search(name):
        return "ai_generated_declared"
    if EDITORS.search(name):
        return "edited_declared"
    return "none"


def strongest(kinds: list[FindingKind]) -> FindingKind:
    return min(kinds, key=PRIORITY.index, default="none")

"""Unsigned metadata of an image: EXIF camera and software, XMP/IPTC digital source type,
and the text image generators write into PNGs. Anyone can write, change or strip any of it.

Read with Pillow from the file's headers only (no pixel is decoded); XMP is parsed with
defusedxml (no entity expansion) and only below LOPT_PROVENANCE_MAX_XMP_BYTES.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from PIL import ExifTags, Image

from lopt.provenance.results import GenerationText, MetadataEvidence, MetadataField

MAX_TEXT = 200  # characters kept of one EXIF/XMP value
EXIF_IFD = 0x8769
USER_COMMENT = 0x9286

# PNG text keys image generators write, and who writes them.
GENERATORS = {
    "parameters": "Stable Diffusion web UI (AUTOMATIC1111, Forge, SD.Next, Fooocus)",
    "prompt": "ComfyUI",
    "workflow": "ComfyUI",
    "invokeai_metadata": "InvokeAI",
    "invokeai_graph": "InvokeAI",
    "sd-metadata": "InvokeAI",
    "Dream": "InvokeAI",
}


@dataclass
class MetadataRead:
    evidence: MetadataEvidence
    notes: list[str] = field(default_factory=list)


def read_metadata(path: Path, max_xmp_bytes: int, max_png_text_bytes: int) -> MetadataRead:
    """The image's metadata; whatever cannot be read is left out and said in ``notes``."""
    read = MetadataRead(MetadataEvidence())
    try:
        with Image.open(path) as image:
            _read_exif(image, read, max_png_text_bytes)
            _read_png_text(image, read, max_png_text_bytes)
            _read_xmp(image, read, max_xmp_bytes)
    except Exception as error:  # a hostile header must cost a note, never the response
        read.notes.append(f"The image's metadata could not be read ({_short(error)}).")
    return read


def _read_exif(image: Image.Image, read: MetadataRead, max_text_bytes: int) -> None:
    if image.format == "PNG" and "exif" not in image.info:
        return  # a PNG's late eXIf chunk would need the whole image decoded
    try:
        exif = image.getexif()
        evidence = read.evidence
        evidence.camera_make = _field(exif.get(ExifTags.Base.Make), "exif:Make")
        evidence.camera_model = _field(exif.get(ExifTags.Base.Model), "exif:Model")
        evidence.software = _field(exif.get(ExifTags.Base.Software), "exif:Software")
        comment = _user_comment(exif.get_ifd(EXIF_IFD).get(USER_COMMENT))
        if comment and "Steps: " in comment:  # the Stable Diffusion web UI's JPEG/WebP form
            evidence.generation_parameters.append(
                _generation(GENERATORS["parameters"], "exif:UserComment", comment, max_text_bytes)
            )
    except Exception as error:
        read.notes.append(f"EXIF could not be read ({_short(error)}).")


def _read_png_text(image: Image.Image, read: MetadataRead, max_text_bytes: int) -> None:
    if image.format != "PNG":
        return
    for key, generator in GENERATORS.items():
        value = image.info.get(key)
        if isinstance(value, str) and value.strip():
            read.evidence.generation_parameters.append(
                _generation(generator, f"png:{key}", value, max_text_bytes)
            )
    if read.evidence.software is None:
        read.evidence.software = _field(image.info.get("Software"), "png:Software")


def _read_xmp(image: Image.Image, read: MetadataRead, max_xmp_bytes: int) -> None:
    raw = image.info.get("xmp")
    if not raw:
        return
    if len(raw) > max_xmp_bytes:
        read.notes.append(
            f"XMP of {len(raw)} bytes is over LOPT_PROVENANCE_MAX_XMP_BYTES ({max_xmp_bytes}) "
            "and was not read."
        )
        return
    try:
        xmp = image.getxmp()
    except DefusedXmlException:
        read.notes.append(
            "XMP declares XML entities or external references (a way to exhaust a parser) "
            "and was not read."
        )
        return
    except Exception as error:
        read.notes.append(f"XMP could not be parsed ({_short(error)}).")
        return
    evidence = read.evidence
    source_type = next(_values(xmp, "DigitalSourceType"), None)
    evidence.digital_source_type = _field(source_type, "xmp:Iptc4xmpExt:DigitalSourceType")
    if evidence.software is None:
        evidence.software = _field(next(_values(xmp, "CreatorTool"), None), "xmp:CreatorTool")


def _values(node: Any, name: str, depth: int = 64) -> Iterator[str]:
    """Every value of the XMP property ``name`` (local name), as element, attribute or
    rdf:resource."""
    if depth <= 0:
        return
    if isinstance(node, list):
        for item in node:
            yield from _values(item, name, depth - 1)
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if key == name:
                text = (
                    (value.get("resource") or value.get("text"))
                    if isinstance(value, Mapping)
                    else value
                )
                if isinstance(text, str) and text.strip():
                    yield text
            else:
                yield from _values(value, name, depth - 1)


def _user_comment(value: object) -> str | None:
    """EXIF UserComment: an 8-byte character code, then the text."""
    if isinstance(value, str):
        return value
    if not isinstance(value, bytes) or len(value) < 8:
        return None
    code, body = value[:8], value[8:]
    if code.startswith(b"UNICODE"):
        # Writers disagree on the byte order; text in either reads as mostly ASCII.
        readings = [body.decode(order, "ignore") for order in ("utf-16-be", "utf-16-le")]
        return max(readings, key=lambda text: sum(char.isascii() for char in text))
    return body.decode("utf-8", "ignore")


def _generation(generator: str, source: str, text: str, max_bytes: int) -> GenerationText:
    encoded = text.encode("utf-8", "ignore")
    kept = encoded[:max_bytes].decode("utf-8", "ignore")
    return GenerationText(
        generator=generator,
        source=source,
        text=kept,
        truncated=len(encoded) > max_bytes,
        bytes=len(encoded),
    )


def _field(value: object, source: str) -> MetadataField | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "ignore")
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()[:MAX_TEXT]
    return MetadataField(value=text, source=source) if text else None


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:160]

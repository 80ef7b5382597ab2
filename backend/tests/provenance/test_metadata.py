"""Unsigned metadata: EXIF, XMP/IPTC and generator text in PNGs, read from headers alone,
within their limits, and never an exception whatever the file holds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

from lopt.provenance import read_provenance
from lopt.provenance.metadata import read_metadata
from tests.helpers import noise_image, write_image
from tests.provenance.signing import IPTC, options

SD_PARAMETERS = (
    "a photo of an astronaut riding a horse\nNegative prompt: blurry\n"
    "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 512x512, Model: sd_xl_base_1.0"
)


def xmp_packet(body: str) -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        f'xmlns:xmp="http://ns.adobe.com/xap/1.0/" {body}</rdf:Description></rdf:RDF></x:xmpmeta>'
    ).encode()


def png_with(path: Path, **texts: str) -> Path:
    info = PngInfo()
    for key, value in texts.items():
        info.add_text(key, value)
    noise_image().save(path, pnginfo=info)
    return path


def jpeg_with_exif(path: Path, **tags: str) -> Path:
    exif = Image.Exif()
    for name, value in tags.items():
        exif[ExifTags.Base[name]] = value
    noise_image().save(path, exif=exif.tobytes())
    return path


def metadata_of(path: Path, **limits: int):  # type: ignore[no-untyped-def]
    return read_metadata(path, limits.get("xmp", 512 * 1024), limits.get("png_text", 16 * 1024))


def test_a_plain_photo_declares_nothing(tmp_path: Path) -> None:
    provenance = read_provenance(
        write_image(tmp_path / "plain.jpg"), "image/jpeg", "image", options()
    )
    assert provenance.c2pa.state == "none" and provenance.note is None
    metadata = provenance.metadata
    assert metadata is not None and metadata.software is None and metadata.camera_make is None
    assert metadata.generation_parameters == [] and metadata.digital_source_type is None
    assert provenance.finding.kind == "none" and provenance.finding.basis == "none"
    assert "proves nothing" in provenance.finding.proves


def test_stable_diffusion_parameters_in_a_png_are_kept_verbatim(tmp_path: Path) -> None:
    path = png_with(tmp_path / "sd.png", parameters=SD_PARAMETERS)
    provenance = read_provenance(path, "image/png", "image", options())
    assert provenance.metadata is not None
    [text] = provenance.metadata.generation_parameters
    assert text.text == SD_PARAMETERS and not text.truncated and text.source == "png:parameters"
    assert "Stable Diffusion web UI" in text.generator
    finding = provenance.finding
    assert finding.kind == "ai_generated_declared" and finding.basis == "unsigned_metadata"
    assert "Anyone can write, change or strip" in finding.summary
    assert finding.sources == ["png:parameters"]


def test_comfyui_prompt_and_workflow_are_read(tmp_path: Path) -> None:
    path = png_with(tmp_path / "comfy.png", prompt='{"3": {}}', workflow='{"nodes": []}')
    read = metadata_of(path)
    assert [t.source for t in read.evidence.generation_parameters] == ["png:prompt", "png:workflow"]
    assert {t.generator for t in read.evidence.generation_parameters} == {"ComfyUI"}


def test_png_text_over_the_limit_is_cut_and_said(tmp_path: Path) -> None:
    path = png_with(tmp_path / "long.png", parameters="é" * 1000)  # 2000 bytes in UTF-8
    provenance = read_provenance(path, "image/png", "image", options(max_png_text_bytes=301))
    assert provenance.metadata is not None
    [text] = provenance.metadata.generation_parameters
    assert text.truncated and text.bytes == 2000 and text.text == "é" * 150
    assert (
        provenance.note
        and "LOPT_PROVENANCE_MAX_PNG_TEXT_BYTES (301 of 2000 bytes)" in provenance.note
    )


def test_megabytes_of_png_text_cost_little(tmp_path: Path) -> None:
    path = png_with(tmp_path / "huge.png", parameters="Steps: 20, " * 400_000)  # 4.4 MB
    started = time.perf_counter()
    provenance = read_provenance(path, "image/png", "image", options())
    assert time.perf_counter() - started < 2.0
    assert provenance.metadata is not None
    [text] = provenance.metadata.generation_parameters
    assert text.truncated and len(text.text.encode()) <= 16 * 1024
    assert len(provenance.model_dump_json()) < 64 * 1024


def test_a_zip_bomb_in_png_text_is_a_note(tmp_path: Path) -> None:
    info = PngInfo()
    info.add_text("parameters", "a" * 20_000_000, zip=True)  # 20 MB in about 20 kB
    path = tmp_path / "bomb.png"
    noise_image().save(path, pnginfo=info)
    read = metadata_of(path)
    assert read.evidence.generation_parameters == []
    assert read.notes and "could not be read" in read.notes[0]


@pytest.mark.parametrize(
    ("software", "kind"),
    [
        ("Adobe Photoshop 25.0 (Windows)", "edited_declared"),
        ("Midjourney", "ai_generated_declared"),
        ("Ver.1.00", "none"),
    ],
)
def test_exif_software_is_read_and_judged(tmp_path: Path, software: str, kind: str) -> None:
    path = jpeg_with_exif(tmp_path / "s.jpg", Software=software)
    provenance = read_provenance(path, "image/jpeg", "image", options())
    assert provenance.metadata is not None and provenance.metadata.software is not None
    assert provenance.metadata.software.value == software
    assert provenance.metadata.software.source == "exif:Software"
    assert provenance.finding.kind == kind


def test_camera_make_and_model_declare_a_capture(tmp_path: Path) -> None:
    path = jpeg_with_exif(tmp_path / "c.jpg", Make="Canon", Model="Canon EOS R5")
    provenance = read_provenance(path, "image/jpeg", "image", options())
    assert provenance.finding.kind == "capture_declared"
    assert provenance.finding.sources == ["exif:Make", "exif:Model"]


def test_stable_diffusion_parameters_in_jpeg_user_comment(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\0" + SD_PARAMETERS.encode("utf-16-be")
    path = tmp_path / "sd.jpg"
    noise_image().save(path, exif=exif.tobytes())
    [text] = metadata_of(path).evidence.generation_parameters
    assert text.source == "exif:UserComment" and text.text == SD_PARAMETERS


@pytest.mark.parametrize(
    "body",
    [
        f'Iptc4xmpExt:DigitalSourceType="{IPTC}trainedAlgorithmicMedia">',
        f"><Iptc4xmpExt:DigitalSourceType>{IPTC}trainedAlgorithmicMedia"
        "</Iptc4xmpExt:DigitalSourceType>",
        f'><Iptc4xmpExt:DigitalSourceType rdf:resource="{IPTC}trainedAlgorithmicMedia"/>',
    ],
    ids=["attribute", "element", "resource"],
)
def test_xmp_digital_source_type_is_read_in_each_form(tmp_path: Path, body: str) -> None:
    path = tmp_path / "x.jpg"
    noise_image().save(path, xmp=xmp_packet(body))
    provenance = read_provenance(path, "image/jpeg", "image", options())
    assert provenance.metadata is not None and provenance.metadata.digital_source_type
    assert provenance.metadata.digital_source_type.value == IPTC + "trainedAlgorithmicMedia"
    assert provenance.finding.kind == "ai_generated_declared"
    assert provenance.finding.sources == ["xmp:Iptc4xmpExt:DigitalSourceType"]


def test_xmp_creator_tool_is_the_software_when_exif_has_none(tmp_path: Path) -> None:
    path = tmp_path / "x.jpg"
    noise_image().save(path, xmp=xmp_packet('xmp:CreatorTool="GIMP 2.10">'))
    software = metadata_of(path).evidence.software
    assert software is not None and software.value == "GIMP 2.10"
    assert software.source == "xmp:CreatorTool"


def test_xmp_over_the_limit_is_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    padding = "<!-- " + "x" * 40_000 + " -->"
    path = tmp_path / "big.jpg"
    body = f'Iptc4xmpExt:DigitalSourceType="{IPTC}trainedAlgorithmicMedia">{padding}'
    noise_image().save(path, xmp=xmp_packet(body))

    def refuse(self: Image.Image, **kwargs: object) -> dict[str, object]:
        raise AssertionError("XMP over the limit must not be parsed")

    monkeypatch.setattr(Image.Image, "getxmp", refuse)
    read = metadata_of(path, xmp=4096)
    assert read.evidence.digital_source_type is None
    assert "LOPT_PROVENANCE_MAX_XMP_BYTES (4096)" in read.notes[0]


def test_billion_laughs_xmp_is_refused_quickly(tmp_path: Path) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    packet = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">&lol9;</x:xmpmeta>'
    ).encode()
    path = tmp_path / "laughs.jpg"
    noise_image().save(path, xmp=packet)
    started = time.perf_counter()
    provenance = read_provenance(path, "image/jpeg", "image", options())
    assert time.perf_counter() - started < 1.0
    assert provenance.note and "XML entities" in provenance.note
    assert provenance.finding.kind == "none"


def test_huge_xmp_in_a_png_is_bounded(tmp_path: Path) -> None:
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp_packet(">" + "<!-- pad -->" * 300_000).decode())
    path = tmp_path / "xmp.png"
    noise_image().save(path, pnginfo=info)
    read = metadata_of(path)
    assert "LOPT_PROVENANCE_MAX_XMP_BYTES" in read.notes[0]


@pytest.mark.parametrize(
    "content", [b"", b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00garbage", b"not an image at all"]
)
def test_unreadable_files_give_a_note_never_an_exception(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    provenance = read_provenance(path, "image/jpeg", "image", options())
    assert provenance.note and "could not be read" in provenance.note
    assert provenance.finding.kind == "none"


def test_a_file_gone_before_reading_is_a_note(tmp_path: Path) -> None:
    provenance = read_provenance(tmp_path / "gone.jpg", "image/jpeg", "image", options())
    assert provenance.c2pa.state == "not_checked" and provenance.note

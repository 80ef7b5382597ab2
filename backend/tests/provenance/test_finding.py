"""One finding from everything declared: signed before unsigned, tampered above all."""

from __future__ import annotations

from lopt.provenance.finding import summarise
from lopt.provenance.results import (
    C2paAction,
    C2paEvidence,
    C2paIngredient,
    GenerationText,
    MetadataEvidence,
    MetadataField,
)
from tests.provenance.signing import IPTC

AI = IPTC + "trainedAlgorithmicMedia"
CAPTURE = IPTC + "digitalCapture"


def manifest(state: str = "valid", **fields: object) -> C2paEvidence:
    return C2paEvidence(state=state, reason="r", signer="Example Corp", **fields)  # type: ignore[arg-type]


def ai_parameters() -> MetadataEvidence:
    text = GenerationText(
        generator="g", source="png:parameters", text="t", truncated=False, bytes=1
    )
    return MetadataEvidence(generation_parameters=[text])


def test_a_failing_manifest_is_tampered_whatever_it_declares() -> None:
    finding = summarise(
        manifest(
            "invalid", actions=[C2paAction(action="c2pa.created", digital_source_type=CAPTURE)]
        ),
        ai_parameters(),
    )
    assert finding.kind == "tampered" and finding.basis == "signed_invalid"
    assert "nothing it declares can be relied on" in finding.proves


def test_trusted_and_untrusted_signatures_are_told_apart() -> None:
    actions = [C2paAction(action="c2pa.created", digital_source_type=AI)]
    trusted = summarise(manifest("trusted", actions=actions), None)
    untrusted = summarise(manifest("valid", actions=actions), None)
    assert (trusted.kind, trusted.basis) == ("ai_generated_declared", "signed_trusted")
    assert (untrusted.kind, untrusted.basis) == ("ai_generated_declared", "signed_untrusted")
    assert "on the trust list" in trusted.summary and "not on the trust list" in untrusted.summary
    assert "anyone can make such a certificate" in untrusted.proves


def test_signed_declarations_come_before_unsigned_ones() -> None:
    capture = [C2paAction(action="c2pa.created", digital_source_type=CAPTURE)]
    finding = summarise(manifest(actions=capture), ai_parameters())
    assert finding.kind == "capture_declared" and finding.basis == "signed_untrusted"
    assert "Unsigned metadata (png:parameters) says AI-generated" in finding.summary


def test_unsigned_metadata_decides_only_without_a_signed_declaration() -> None:
    opened = [C2paAction(action="c2pa.opened")]
    finding = summarise(manifest(actions=opened), ai_parameters())
    assert finding.kind == "ai_generated_declared" and finding.basis == "unsigned_metadata"
    assert "declare nothing about its origin" in finding.summary


def test_edit_actions_declare_an_edit() -> None:
    actions = [C2paAction(action="c2pa.opened"), C2paAction(action="c2pa.cropped")]
    assert summarise(manifest(actions=actions), None).kind == "edited_declared"


def test_ingredients_carry_their_origin() -> None:
    parent = C2paIngredient(relationship="parentOf", digital_source_types=[AI])
    component = C2paIngredient(relationship="componentOf", digital_source_types=[AI])
    captured = C2paIngredient(relationship="componentOf", digital_source_types=[CAPTURE])
    assert summarise(manifest(ingredients=[parent]), None).kind == "ai_generated_declared"
    assert summarise(manifest(ingredients=[component]), None).kind == "ai_edited_declared"
    assert summarise(manifest(ingredients=[captured]), None).kind == "none"


def test_the_strongest_unsigned_declaration_wins() -> None:
    metadata = MetadataEvidence(
        camera_make=MetadataField(value="Canon", source="exif:Make"),
        software=MetadataField(value="Adobe Photoshop", source="exif:Software"),
    )
    finding = summarise(manifest("none"), metadata)
    assert finding.kind == "edited_declared" and finding.sources == ["exif:Software"]


def test_nothing_declared_is_none_and_says_it_proves_nothing() -> None:
    finding = summarise(manifest("none"), MetadataEvidence())
    assert finding.kind == "none" and finding.basis == "none"
    assert "most files carry none" in finding.proves

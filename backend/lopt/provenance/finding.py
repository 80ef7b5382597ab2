"""One summary of what a file declares about its origin, and how far that can be relied on.

Signed declarations come before unsigned ones, and a manifest that fails verification is
reported as tampered whatever it declares. Within one basis the strongest declaration
wins (AI-generated over AI-edited over synthetic over edited over capture).
"""

from __future__ import annotations

from lopt.provenance.results import (
    Basis,
    C2paEvidence,
    Finding,
    FindingKind,
    MetadataEvidence,
)
from lopt.provenance.source_types import (
    EDIT_ACTIONS,
    kind_of_software,
    kind_of_source_type,
    strongest,
)

KIND_TEXT: dict[FindingKind, str] = {
    "ai_generated_declared": "AI-generated",
    "ai_edited_declared": "made partly with AI (it contains AI-generated or AI-edited material)",
    "synthetic_declared": "made by computer without a trained model (digital art or "
    "algorithmic media)",
    "edited_declared": "edited",
    "capture_declared": "captured by a camera or scanner",
}
PROVES: dict[Basis, str] = {
    "signed_trusted": "A trusted signature proves who signed and that the file has not changed "
    "since. It does not prove that what the file shows is true, and a tool can declare wrongly.",
    "signed_untrusted": "The file has not changed since it was signed, but the signer is not on "
    "the trust list, so who signed is not established: anyone can make such a certificate.",
    "signed_invalid": "The file or its manifest changed after signing, or the manifest is "
    "damaged: nothing it declares can be relied on. That alone does not make the picture fake.",
    "unsigned_metadata": "Unsigned metadata proves nothing: anyone can write, change or strip "
    "it. It can point to where a file came from, nothing more.",
    "none": "No declaration proves nothing either way: most files carry none, and sites and "
    "messengers strip it.",
}
UNSIGNED = "Anyone can write, change or strip such metadata."


def summarise(c2pa: C2paEvidence, metadata: MetadataEvidence | None) -> Finding:
    """The one finding the page shows beside the verdict."""
    if c2pa.state == "invalid":
        return Finding(
            kind="tampered",
            basis="signed_invalid",
            summary=f"Content Credentials are present but fail verification. {c2pa.reason}",
            proves=PROVES["signed_invalid"],
            sources=["c2pa"],
        )
    unsigned, unsigned_sources = metadata_kind(metadata)
    if c2pa.state in ("valid", "trusted"):
        kind, sources = manifest_kind(c2pa)
        if kind != "none":
            basis: Basis = "signed_trusted" if c2pa.state == "trusted" else "signed_untrusted"
            who = c2pa.signer or "an unnamed signer"
            where = "on the trust list" if basis == "signed_trusted" else "not on the trust list"
            summary = f"Content Credentials signed by {who} ({where}) declare it {KIND_TEXT[kind]}."
            if unsigned not in ("none", kind):
                summary += (
                    f" Unsigned metadata ({', '.join(unsigned_sources)}) says "
                    f"{KIND_TEXT[unsigned]}. {UNSIGNED}"
                )
            return Finding(
                kind=kind, basis=basis, summary=summary, proves=PROVES[basis], sources=sources
            )
    aside = _c2pa_aside(c2pa)
    if unsigned != "none":
        return Finding(
            kind=unsigned,
            basis="unsigned_metadata",
            summary=f"Unsigned metadata ({', '.join(unsigned_sources)}) declares it "
            f"{KIND_TEXT[unsigned]}. {UNSIGNED}{aside}",
            proves=PROVES["unsigned_metadata"],
            sources=unsigned_sources,
        )
    return Finding(
        kind="none",
        basis="none",
        summary=f"The file declares nothing about its origin.{aside}",
        proves=PROVES["none"],
    )


def manifest_kind(c2pa: C2paEvidence) -> tuple[FindingKind, list[str]]:
    """What a verified manifest declares: its actions' digital source types and edits, and
    its ingredients' (a parent's origin carries over; an AI-made component makes it AI-edited)."""
    kinds: list[FindingKind] = []
    sources: list[str] = []
    for action in c2pa.actions:
        kind = kind_of_source_type(action.digital_source_type or "")
        if kind == "none" and action.action in EDIT_ACTIONS:
            kind = "edited_declared"
        if kind != "none":
            kinds.append(kind)
            _add(sources, "c2pa:actions")
    for ingredient in c2pa.ingredients:
        for uri in ingredient.digital_source_types:
            kind = kind_of_source_type(uri)
            if ingredient.relationship != "parentOf":
                kind = "ai_edited_declared" if kind == "ai_generated_declared" else "none"
            if kind != "none":
                kinds.append(kind)
                _add(sources, "c2pa:ingredients")
    return strongest(kinds), sources


def metadata_kind(metadata: MetadataEvidence | None) -> tuple[FindingKind, list[str]]:
    """What unsigned metadata declares, and where it says so."""
    if metadata is None:
        return "none", []
    found: list[tuple[FindingKind, str]] = []
    if metadata.digital_source_type:
        field = metadata.digital_source_type
        found.append((kind_of_source_type(field.value), field.source))
    found += [("ai_generated_declared", text.source) for text in metadata.generation_parameters]
    if metadata.software:
        found.append((kind_of_software(metadata.software.value), metadata.software.source))
    for camera in (metadata.camera_make, metadata.camera_model):
        if camera:
            found.append(("capture_declared", camera.source))
    kind = strongest([k for k, _ in found])
    sources: list[str] = []
    for k, source in found:
        if k == kind and kind != "none":
            _add(sources, source)
    return kind, sources


def _c2pa_aside(c2pa: C2paEvidence) -> str:
    if c2pa.state == "remote_not_fetched":
        return " It points to Content Credentials stored online, which Lopt does not fetch."
    if c2pa.state == "not_checked":
        return f" Content Credentials were not checked: {c2pa.reason}"
    if c2pa.state in ("valid", "trusted"):
        who = c2pa.signer or "an unnamed signer"
        return f" Its Content Credentials, signed by {who}, declare nothing about its origin."
    return ""


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)

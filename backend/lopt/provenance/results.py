"""What provenance reading returns: the ``provenance`` block of every image and video
response, beside (never inside) the model's verdict."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

C2paState = Literal["none", "valid", "trusted", "invalid", "remote_not_fetched", "not_checked"]
FindingKind = Literal[
    "ai_generated_declared",
    "ai_edited_declared",
    "synthetic_declared",
    "edited_declared",
    "capture_declared",
    "tampered",
    "none",
]
Basis = Literal["signed_trusted", "signed_untrusted", "signed_invalid", "unsigned_metadata", "none"]

STATE_TEXT = (
    "none: the file carries no C2PA manifest; valid: its signature and content hashes check, "
    "but the signer's certificate does not chain to the trust list (anyone can make such a "
    "certificate); trusted: valid, and the signer chains to the trust list; invalid: the "
    "manifest fails verification (content changed after signing, broken signature...), see "
    "`reason`; remote_not_fetched: the file only points to a manifest stored online, which "
    "Lopt never fetches; not_checked: a manifest may be there but was not verified (see "
    "`reason`: over a limit, or a format the C2PA SDK does not read)."
)
BASIS_TEXT = (
    "signed_trusted: from Content Credentials whose signer chains to the trust list; "
    "signed_untrusted: from valid Content Credentials whose signer is not on it; "
    "signed_invalid: from Content Credentials that fail verification; unsigned_metadata: "
    "from EXIF/XMP/PNG text, which anyone can write, change or strip; none: nothing declared."
)


class ValidationIssue(BaseModel):
    code: str = Field(
        description="The C2PA validation status code, e.g. assertion.dataHash.mismatch."
    )
    explanation: str | None = Field(None, description="The SDK's own words for it.")


class C2paAction(BaseModel):
    """One action the manifest records (created, opened, edited, ...)."""

    action: str = Field(description="e.g. c2pa.created, c2pa.edited, c2pa.color_adjustments.")
    software_agent: str | None = Field(None, description="The tool that says it did it.")
    digital_source_type: str | None = Field(
        None, description="IPTC digital source type URI declared for this action."
    )
    description: str | None = None


class C2paIngredient(BaseModel):
    """A file this one was made from, as the manifest lists it."""

    title: str | None = None
    relationship: str | None = Field(None, description="parentOf, componentOf or inputTo.")
    digital_source_types: list[str] = Field(
        default_factory=list,
        description="Digital source types declared in the ingredient's own manifest(s).",
    )


class C2paEvidence(BaseModel):
    """The file's Content Credentials (C2PA manifest), as the C2PA SDK verified them."""

    state: C2paState = Field(description=STATE_TEXT)
    reason: str = Field(description="One plain line: why this state.")
    failures: list[ValidationIssue] = Field(
        default_factory=list, description="The verification failures (invalid manifests)."
    )
    signer: str | None = Field(
        None, description="Organisation named in the signing certificate (its issuer field)."
    )
    signer_common_name: str | None = Field(
        None, description="Common name of the signing certificate."
    )
    signed_at: str | None = Field(None, description="Time stamp of the signature, if any.")
    claim_generator: str | None = Field(None, description="The tool that wrote the manifest.")
    actions: list[C2paAction] = Field(default_factory=list)
    digital_source_types: list[str] = Field(
        default_factory=list,
        description="Every IPTC digital source type in the manifest's actions.",
    )
    ingredients: list[C2paIngredient] = Field(default_factory=list)
    remote_url: str | None = Field(
        None, description="Where a remote manifest is said to be (never fetched)."
    )
    manifest_bytes: int | None = Field(
        None, description="Bytes the file's container devotes to the manifest, when measured."
    )


class MetadataField(BaseModel):
    value: str
    source: str = Field(description="Where it was read, e.g. exif:Software, xmp:CreatorTool.")


class GenerationText(BaseModel):
    """Text an image generator wrote into a PNG (prompt, settings, workflow)."""

    generator: str = Field(description="The tool that writes this key, e.g. ComfyUI.")
    source: str = Field(description="The PNG text key, e.g. png:parameters.")
    text: str = Field(description="The text verbatim, cut at LOPT_PROVENANCE_MAX_PNG_TEXT_BYTES.")
    truncated: bool
    bytes: int = Field(description="Length of the whole text, in UTF-8 bytes.")


class MetadataEvidence(BaseModel):
    """Unsigned metadata: anyone can write, change or strip it."""

    camera_make: MetadataField | None = None
    camera_model: MetadataField | None = None
    software: MetadataField | None = None
    digital_source_type: MetadataField | None = Field(
        None, description="IPTC digital source type declared in XMP."
    )
    generation_parameters: list[GenerationText] = Field(default_factory=list)


class Finding(BaseModel):
    """One summary of everything the file declares about its origin."""

    kind: FindingKind = Field(
        description="What the file declares: ai_generated_declared, ai_edited_declared "
        "(AI-made material in it), synthetic_declared (made by computer without a trained "
        "model: digital art, algorithmic or composite synthetic media), edited_declared, "
        "capture_declared (a camera or scanner took it), tampered (Content Credentials fail "
        "verification) or none (nothing declared, which proves nothing: most files carry no "
        "provenance)."
    )
    basis: Basis = Field(description=BASIS_TEXT)
    summary: str = Field(description="One plain line: what is declared, by whom, how reliable.")
    proves: str = Field(description="What this does and does not prove.")
    sources: list[str] = Field(
        default_factory=list, description="Where the declaration was read, e.g. c2pa:actions."
    )


class Provenance(BaseModel):
    """What the file says about where it came from: a separate evidence block, never mixed
    into the model's scores."""

    c2pa: C2paEvidence
    metadata: MetadataEvidence | None = Field(
        None, description="Unsigned metadata (images only; null for videos)."
    )
    finding: Finding
    note: str | None = Field(None, description="What could not be read, and why.")
    elapsed_ms: float = Field(description="Time spent reading provenance.")

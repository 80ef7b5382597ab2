"""Provenance of one file: its Content Credentials, its metadata and one finding.

Synchronous and self-contained (the caller runs it in a worker thread, under
LOPT_PROVENANCE_TIMEOUT_S): every limit comes from ``ProvenanceOptions``, and whatever a
hostile file does costs a note, never an exception.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lopt.config import Settings
from lopt.provenance.finding import summarise
from lopt.provenance.manifests import SHIPPED_TRUST_LIST, read_manifest
from lopt.provenance.metadata import read_metadata
from lopt.provenance.results import C2paEvidence, MetadataEvidence, Provenance


@dataclass(frozen=True)
class ProvenanceOptions:
    trust_list: Path  # LOPT_PROVENANCE_TRUST_LIST, else the shipped C2PA list
    max_manifest_bytes: int  # LOPT_PROVENANCE_MAX_MANIFEST_BYTES
    max_xmp_bytes: int  # LOPT_PROVENANCE_MAX_XMP_BYTES
    max_png_text_bytes: int  # LOPT_PROVENANCE_MAX_PNG_TEXT_BYTES
    timeout_s: float = 5.0  # LOPT_PROVENANCE_TIMEOUT_S (applied by the caller)
    decides: bool = False  # LOPT_PROVENANCE_DECIDES (applied by the caller)

    @classmethod
    def from_settings(cls, settings: Settings) -> ProvenanceOptions:
        return cls(
            trust_list=settings.provenance_trust_list or SHIPPED_TRUST_LIST,
            max_manifest_bytes=settings.provenance_max_manifest_bytes,
            max_xmp_bytes=settings.provenance_max_xmp_bytes,
            max_png_text_bytes=settings.provenance_max_png_text_bytes,
            timeout_s=settings.provenance_timeout_s,
            decides=settings.provenance_decides,
        )


def read_provenance(
    path: Path, mime: str, kind: Literal["image", "video"], options: ProvenanceOptions
) -> Provenance:
    """What ``path`` declares about its origin (videos: Content Credentials only)."""
    started = time.perf_counter()
    notes: list[str] = []
    try:
        c2pa = read_manifest(path, mime, options.trust_list, options.max_manifest_bytes)
    except Exception as error:  # the SDK's own failures beyond C2paError: a note, not a 5xx
        c2pa = C2paEvidence(state="not_checked", reason="The C2PA SDK failed on this file.")
        notes.append(f"Content Credentials could not be read ({type(error).__name__}).")
    if c2pa.state == "not_checked":
        notes.append(c2pa.reason)
    metadata: MetadataEvidence | None = None
    if kind == "image":
        read = read_metadata(path, options.max_xmp_bytes, options.max_png_text_bytes)
        metadata = read.evidence
        notes += read.notes
        notes += [
            f"{text.source} was cut to LOPT_PROVENANCE_MAX_PNG_TEXT_BYTES "
            f"({options.max_png_text_bytes} of {text.bytes} bytes)."
            for text in metadata.generation_parameters
            if text.truncated
        ]
    return Provenance(
        c2pa=c2pa,
        metadata=metadata,
        finding=summarise(c2pa, metadata),
        note=" ".join(notes) or None,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def unavailable(reason: str, elapsed_ms: float) -> Provenance:
    """The block for a file whose provenance could not be read at all (e.g. timed out)."""
    c2pa = C2paEvidence(state="not_checked", reason=reason)
    return Provenance(
        c2pa=c2pa, finding=summarise(c2pa, None), note=reason, elapsed_ms=round(elapsed_ms, 1)
    )

"""Content Credentials: a file's C2PA manifest, read and verified by the C2PA SDK.

Never from the network: remote manifests and OCSP are off, and the SDK may contact no
host at all (an upload that made the server fetch a URL of the uploader's choosing would
be a server-side request forgery hole). The SDK parses the manifest; Lopt only reads the
JSON it reports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import c2pa

from lopt.provenance.payload import c2pa_payload_bytes
from lopt.provenance.results import (
    C2paAction,
    C2paEvidence,
    C2paIngredient,
    C2paState,
    ValidationIssue,
)

SHIPPED_TRUST_LIST = Path(__file__).parent / "trust" / "C2PA-TRUST-LIST.pem"
MAX_TEXT = 300  # characters kept of any one string from a manifest
MAX_ITEMS = 50  # actions, ingredients, failures kept
MAX_DEPTH = 8  # ingredient manifests followed

STATES: dict[str, C2paState] = {"Trusted": "trusted", "Valid": "valid", "Invalid": "invalid"}
FAILURE_TEXT = {
    "assertion.dataHash.mismatch": "the content changed after signing",
    "assertion.bmffHash.mismatch": "the content changed after signing",
    "assertion.boxesHash.mismatch": "the content changed after signing",
    "assertion.collectionHash.mismatch": "the content changed after signing",
    "assertion.hashedURI.mismatch": "a signed statement changed after signing",
    "claimSignature.mismatch": "the signature does not match the claim",
    "claimSignature.missing": "the signature is missing",
    "signingCredential.invalid": "the signing certificate is not valid",
    "signingCredential.revoked": "the signing certificate was revoked",
    "signingCredential.expired": "the signing certificate had expired",
}


def untrusted_only(code: str) -> bool:
    """A signer (or identity) not on a trust list: valid, not a failure of the file."""
    return code.endswith(".untrusted")


@lru_cache(maxsize=4)
def reading_context(trust_list: Path) -> c2pa.Context:
    """One SDK context per trust list (building one costs milliseconds; it is thread-safe)."""
    return c2pa.Context.from_dict(
        {
            "verify": {
                "remote_manifest_fetch": False,
                "ocsp_fetch": False,
                "verify_trust": True,
            },
            "trust": {"trust_anchors": trust_list.read_text()},
            # Belt and braces: the SDK may contact no host, whatever else asks it to.
            "core": {"allowed_network_hosts": []},
        }
    )


def load_trust_list(trust_list: Path) -> None:
    """Build the SDK's context for ``trust_list`` now (at start-up, not on the first upload);
    ValueError when the SDK cannot read the list."""
    try:
        reading_context(trust_list)
    except c2pa.C2paError as error:
        raise ValueError(str(error)[:MAX_TEXT]) from None


@lru_cache(maxsize=1)
def readable_mimes() -> frozenset[str]:
    return frozenset(c2pa.Reader.get_supported_mime_types())


def read_manifest(path: Path, mime: str, trust_list: Path, max_manifest_bytes: int) -> C2paEvidence:
    """The file's Content Credentials as the SDK verified them (never raises on bad input)."""
    if mime not in readable_mimes():
        return C2paEvidence(
            state="not_checked", reason=f"The C2PA SDK reads no manifests from {mime} files."
        )
    measured = c2pa_payload_bytes(path, mime)
    bound = measured if measured is not None else path.stat().st_size
    if bound > max_manifest_bytes:
        what = "devotes" if measured is not None else "could devote (its size)"
        return C2paEvidence(
            state="not_checked",
            reason=f"The file {what} {bound} bytes to C2PA data, over "
            f"LOPT_PROVENANCE_MAX_MANIFEST_BYTES ({max_manifest_bytes}): not verified.",
            manifest_bytes=measured,
        )
    try:
        with path.open("rb") as stream:
            reader = c2pa.Reader.try_create(mime, stream, context=reading_context(trust_list))
            if reader is None:
                return C2paEvidence(
                    state="none",
                    reason="The file carries no C2PA manifest (most files carry none; sites "
                    "and messengers often strip it).",
                    manifest_bytes=measured,
                )
            with reader:
                return _evidence(reader, measured)
    except c2pa.C2paError as error:
        return _unreadable(str(error), measured)


def _unreadable(message: str, measured: int | None) -> C2paEvidence:
    message = message[:MAX_TEXT]
    if message.startswith("Remote"):
        url = re.search(r"https?://[^\s()\"'<>]+", message)
        return C2paEvidence(
            state="remote_not_fetched",
            reason="The file points to a manifest stored online. Lopt never fetches it (a "
            "server request to an address chosen by the uploader is a security hole), so "
            "it is not verified.",
            remote_url=url.group(0) if url else None,
            manifest_bytes=measured,
        )
    if measured:
        return C2paEvidence(
            state="invalid",
            reason=f"The file carries C2PA data that is damaged and cannot be verified "
            f"({message}).",
            failures=[ValidationIssue(code="manifest.unreadable", explanation=message)],
            manifest_bytes=measured,
        )
    return C2paEvidence(
        state="not_checked",
        reason=f"The C2PA SDK could not read the file ({message}).",
        manifest_bytes=measured,
    )


def _evidence(reader: c2pa.Reader, measured: int | None) -> C2paEvidence:
    results = reader.get_validation_results() or {}
    failures = [
        ValidationIssue(code=_text(f.get("code")) or "?", explanation=_text(f.get("explanation")))
        for f in (results.get("activeManifest") or {}).get("failure", [])[:MAX_ITEMS]
    ]
    state = STATES.get(reader.get_validation_state() or "")
    if state is None:  # no state reported: judge from the failures
        state = "invalid" if any(not untrusted_only(f.code) for f in failures) else "valid"
    store = json.loads(reader.json())
    manifests: Mapping[str, Any] = store.get("manifests") or {}
    active: Mapping[str, Any] = reader.get_active_manifest() or {}
    signature = active.get("signature_info") or {}
    actions = list(_actions(active))
    signer = _text(signature.get("issuer"))
    return C2paEvidence(
        state=state,
        reason=_reason(state, signer, failures),
        failures=failures,
        signer=signer,
        signer_common_name=_text(signature.get("common_name")),
        signed_at=_text(signature.get("time")),
        claim_generator=_claim_generator(active),
        actions=actions,
        digital_source_types=_unique(a.digital_source_type for a in actions),
        ingredients=[
            C2paIngredient(
                title=_text(item.get("title")),
                relationship=_text(item.get("relationship")),
                digital_source_types=_unique(
                    _source_types(manifests, item.get("active_manifest"), MAX_DEPTH)
                ),
            )
            for item in (active.get("ingredients") or [])[:MAX_ITEMS]
        ],
        manifest_bytes=measured,
    )


def _reason(state: C2paState, signer: str | None, failures: list[ValidationIssue]) -> str:
    who = signer or "an unnamed signer"
    if state == "trusted":
        return (
            f"Signed by {who}, whose certificate chains to the trust list; the signature and "
            "the content hashes check."
        )
    if state == "valid":
        return (
            f"The signature and the content hashes check, but the signer ({who}) is not on "
            "the trust list: anyone can make a certificate with any name in it."
        )
    wrong = [FAILURE_TEXT.get(f.code, f.explanation or f.code) for f in failures]
    wrong = _unique(w for w, f in zip(wrong, failures, strict=True) if not untrusted_only(f.code))
    return "The manifest fails verification: " + ("; ".join(wrong) or "see failures") + "."


def _actions(manifest: Mapping[str, Any]) -> Iterator[C2paAction]:
    count = 0
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for item in (assertion.get("data") or {}).get("actions") or []:
            if count >= MAX_ITEMS:
                return
            count += 1
            agent = item.get("softwareAgent")
            if isinstance(agent, Mapping):
                agent = agent.get("name")
            parameters = item.get("parameters") or {}
            yield C2paAction(
                action=_text(item.get("action")) or "?",
                software_agent=_text(agent),
                digital_source_type=_text(item.get("digitalSourceType")),
                description=_text(item.get("description") or parameters.get("description")),
            )


def _source_types(manifests: Mapping[str, Any], label: object, depth: int) -> Iterator[str]:
    """Digital source types declared in an ingredient's manifest and in its own ingredients."""
    manifest = manifests.get(label) if isinstance(label, str) else None
    if not isinstance(manifest, Mapping) or depth <= 0:
        return
    for action in _actions(manifest):
        if action.digital_source_type:
            yield action.digital_source_type
    for item in (manifest.get("ingredients") or [])[:MAX_ITEMS]:
        yield from _source_types(manifests, item.get("active_manifest"), depth - 1)


def _claim_generator(manifest: Mapping[str, Any]) -> str | None:
    if manifest.get("claim_generator"):
        return _text(manifest["claim_generator"])
    parts = [
        " ".join(str(info.get(key, "")) for key in ("name", "version")).strip()
        for info in manifest.get("claim_generator_info") or []
        if isinstance(info, Mapping)
    ]
    return _text(", ".join(p for p in parts if p)) or None


def _text(value: object) -> str | None:
    if value is None or isinstance(value, Mapping | list):
        return None
    return str(value).strip()[:MAX_TEXT] or None


def _unique(values: Iterator[str | None] | list[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value.strip(), None)
    return list(seen)

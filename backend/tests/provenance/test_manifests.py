"""Content Credentials as the C2PA SDK verifies them: the shared fixtures, and files signed
here with the SDK's public test certificate."""

from __future__ import annotations

import io
from pathlib import Path

import c2pa
import pytest

from lopt.provenance import read_provenance
from lopt.provenance.manifests import SHIPPED_TRUST_LIST, read_manifest, reading_context
from tests.helpers import PROVENANCE, needs_provenance, write_image, write_video
from tests.provenance.signing import (
    IPTC,
    change_one_byte,
    declaration,
    options,
    sign,
    trust_list_of_test_chain,
)

pytestmark = needs_provenance
SHARED = PROVENANCE / "c2pa"
LIMIT = 8 * 1024 * 1024


def manifest_of(path: Path, mime: str = "image/jpeg", trust: Path = SHIPPED_TRUST_LIST):  # type: ignore[no-untyped-def]
    return read_manifest(path, mime, trust, LIMIT)


@pytest.fixture
def ai_jpeg(tmp_path: Path) -> Path:
    return sign(write_image(tmp_path / "plain.jpg", quality=90), tmp_path / "ai.jpg")


def test_a_file_without_a_manifest_is_none() -> None:
    evidence = manifest_of(SHARED / "A.jpg")
    assert evidence.state == "none" and evidence.signer is None and evidence.actions == []


@pytest.mark.parametrize("name", ["C.jpg", "CA.jpg", "C_with_CAWG_data.jpg"])
def test_shared_signed_files_are_valid_but_not_trusted(name: str) -> None:
    evidence = manifest_of(SHARED / name)
    assert evidence.state == "valid"
    assert evidence.signer == "C2PA Test Signing Cert"
    assert evidence.claim_generator and "not on the trust list" in evidence.reason
    codes = [f.code for f in evidence.failures]
    assert "signingCredential.untrusted" in codes
    assert all(code.endswith(".untrusted") for code in codes)  # CAWG identities too


def test_every_digital_source_type_and_action_is_reported() -> None:
    created = manifest_of(SHARED / "C.jpg")
    assert created.digital_source_types == [IPTC + "algorithmicMedia"]
    assert created.actions[0].action == "c2pa.created"
    assert created.actions[0].software_agent == "Make Test Images 0.26.0"
    edited = manifest_of(SHARED / "CA.jpg")
    assert [a.action for a in edited.actions] == ["c2pa.opened", "c2pa.color_adjustments"]
    assert edited.ingredients and edited.ingredients[0].relationship == "parentOf"
    # The SDK reports " http://..." as written; the block carries the URI itself.
    capture = manifest_of(SHARED / "C_with_CAWG_data.jpg")
    assert capture.digital_source_types == [IPTC + "digitalCapture"]


def test_changed_pixels_make_the_shared_manifest_invalid() -> None:
    evidence = manifest_of(SHARED / "XCA.jpg")
    assert evidence.state == "invalid"
    assert "assertion.dataHash.mismatch" in [f.code for f in evidence.failures]
    assert "the content changed after signing" in evidence.reason


def test_a_broken_claim_signature_is_invalid() -> None:
    evidence = manifest_of(SHARED / "E-sig-CA.jpg")
    assert evidence.state == "invalid" and "signature does not match" in evidence.reason


def test_the_shared_video_is_valid_and_read_without_metadata() -> None:
    provenance = read_provenance(SHARED / "video1.mp4", "video/mp4", "video", options())
    assert provenance.c2pa.state == "valid" and provenance.metadata is None
    assert provenance.c2pa.manifest_bytes and provenance.c2pa.manifest_bytes > 0


def test_a_signed_ai_declaration_is_read(ai_jpeg: Path) -> None:
    evidence = manifest_of(ai_jpeg)
    assert evidence.state == "valid"
    assert evidence.digital_source_types == [IPTC + "trainedAlgorithmicMedia"]
    assert evidence.actions[0].software_agent == "ImageGen 2"
    assert evidence.claim_generator == "lopt-tests 1"


def test_a_signer_chaining_to_the_trust_list_is_trusted(ai_jpeg: Path, tmp_path: Path) -> None:
    trusted = manifest_of(ai_jpeg, trust=trust_list_of_test_chain(tmp_path))
    assert trusted.state == "trusted" and trusted.failures == []
    assert "chains to the trust list" in trusted.reason
    # The shipped list replaces the SDK's own anchors: the test chain is not on it.
    assert manifest_of(ai_jpeg).state == "valid"


def test_one_changed_pixel_byte_makes_it_invalid(ai_jpeg: Path, tmp_path: Path) -> None:
    changed = change_one_byte(ai_jpeg, tmp_path / "changed.jpg")
    evidence = manifest_of(changed, trust=trust_list_of_test_chain(tmp_path))
    assert evidence.state == "invalid"
    assert "assertion.dataHash.mismatch" in [f.code for f in evidence.failures]
    provenance = read_provenance(changed, "image/jpeg", "image", options())
    assert provenance.finding.kind == "tampered" and provenance.finding.basis == "signed_invalid"


@pytest.mark.parametrize("suffix", [".mp4", ".mov"])
def test_a_signed_video_is_valid_and_its_tampered_copy_invalid(tmp_path: Path, suffix: str) -> None:
    mime = "video/mp4" if suffix == ".mp4" else "video/quicktime"
    signed = sign(write_video(tmp_path / f"plain{suffix}", frames=12), tmp_path / f"ai{suffix}")
    valid = manifest_of(signed, mime)
    assert valid.state == "valid" and valid.digital_source_types == [
        IPTC + "trainedAlgorithmicMedia"
    ]
    tampered = manifest_of(change_one_byte(signed, tmp_path / f"changed{suffix}"), mime)
    assert tampered.state == "invalid"
    assert "assertion.bmffHash.mismatch" in [f.code for f in tampered.failures]


def test_a_signed_png_is_valid(tmp_path: Path) -> None:
    signed = sign(write_image(tmp_path / "plain.png"), tmp_path / "ai.png")
    assert manifest_of(signed, "image/png").state == "valid"


def test_a_manifest_over_the_limit_is_not_handed_to_the_sdk(
    ai_jpeg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the SDK must not read a manifest over the limit")

    monkeypatch.setattr(c2pa.Reader, "try_create", refuse)
    evidence = read_manifest(ai_jpeg, "image/jpeg", SHIPPED_TRUST_LIST, 2048)
    assert evidence.state == "not_checked" and evidence.manifest_bytes
    assert evidence.manifest_bytes > 2048
    assert "LOPT_PROVENANCE_MAX_MANIFEST_BYTES (2048)" in evidence.reason


def test_an_unmeasured_format_is_bounded_by_its_file_size(tmp_path: Path) -> None:
    gif = write_image(tmp_path / "big.gif")
    evidence = read_manifest(gif, "image/gif", SHIPPED_TRUST_LIST, 1024)
    assert evidence.state == "not_checked" and "could devote" in evidence.reason


def test_a_format_the_sdk_does_not_read_is_not_checked(tmp_path: Path) -> None:
    evidence = manifest_of(write_image(tmp_path / "p.bmp"), "image/bmp")
    assert evidence.state == "not_checked" and "image/bmp" in evidence.reason


@pytest.mark.parametrize("cut", ["inside_the_manifest", "garbled", "whole_file"])
def test_damaged_manifests_give_a_state_never_an_exception(cut: str, tmp_path: Path) -> None:
    data = (SHARED / "C.jpg").read_bytes()
    start = data.find(b"\xff\xeb")
    damaged = {
        "inside_the_manifest": data[: start + 2] + (100).to_bytes(2, "big") + data[start + 4 :],
        "garbled": data[: start + 40] + bytes(400) + data[start + 440 :],
        "whole_file": data[: start + 2000],
    }[cut]
    path = tmp_path / "damaged.jpg"
    path.write_bytes(damaged)
    provenance = read_provenance(path, "image/jpeg", "image", options())
    assert provenance.c2pa.state in {"invalid", "not_checked"}
    assert provenance.c2pa.reason
    if provenance.c2pa.state == "invalid":
        assert provenance.finding.kind == "tampered"


def test_ocsp_is_not_fetched() -> None:
    """The SDK says so in its own validation results: OCSP was skipped."""
    context = reading_context(SHIPPED_TRUST_LIST)
    with c2pa.Reader(
        "image/jpeg", io.BytesIO((SHARED / "C.jpg").read_bytes()), context=context
    ) as r:
        informational = r.get_validation_results()["activeManifest"]["informational"]
    assert "signingCredential.ocsp.skipped" in [item["code"] for item in informational]


def test_the_signed_fixture_declares_what_it_was_asked_to(tmp_path: Path) -> None:
    edited = sign(
        write_image(tmp_path / "plain.jpg"),
        tmp_path / "composite.jpg",
        declaration("compositeWithTrainedAlgorithmicMedia"),
    )
    provenance = read_provenance(edited, "image/jpeg", "image", options())
    assert provenance.finding.kind == "ai_edited_declared"
    assert provenance.finding.basis == "signed_untrusted"

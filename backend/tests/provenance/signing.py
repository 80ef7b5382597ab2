"""Fixtures signed at test time with the C2PA SDK's public test certificate (never a
production key): AI-generated declarations, tampered copies, remote manifests."""

from __future__ import annotations

import io
from pathlib import Path

import c2pa

from lopt.provenance import ProvenanceOptions
from lopt.provenance.manifests import SHIPPED_TRUST_LIST
from tests.helpers import PROVENANCE

CERTS = PROVENANCE / "c2pa" / "es256_certs.pem"
KEY = PROVENANCE / "c2pa" / "es256_private.key"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
MIMES = {".jpg": "image/jpeg", ".png": "image/png", ".mp4": "video/mp4", ".mov": "video/quicktime"}


def declaration(source_type: str = "trainedAlgorithmicMedia", agent: str = "ImageGen 2") -> dict:
    """A manifest whose one action says how the file was made."""
    return {
        "claim_generator_info": [{"name": "lopt-tests", "version": "1"}],
        "title": "fixture",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": IPTC + source_type,
                            "softwareAgent": {"name": agent},
                        }
                    ]
                },
            }
        ],
    }


def sign(
    source: Path, target: Path, manifest: dict | None = None, *, remote_url: str | None = None
) -> Path:
    """``source`` signed with the test certificate into ``target`` (with ``remote_url``: the
    manifest is left out of the file, which only points to that address)."""
    mime = MIMES[source.suffix]
    info = c2pa.C2paSignerInfo(
        c2pa.C2paSigningAlg.ES256, CERTS.read_bytes(), KEY.read_bytes(), None
    )
    context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    with c2pa.Builder(manifest or declaration(), context=context) as builder:
        if remote_url:
            builder.set_no_embed()
            builder.set_remote_url(remote_url)
        signed = io.BytesIO()
        builder.sign(c2pa.Signer.from_info(info), mime, io.BytesIO(source.read_bytes()), signed)
    target.write_bytes(signed.getvalue())
    return target


def change_one_byte(source: Path, target: Path) -> Path:
    """A copy with one byte of the picture data changed (JPEG scan data, PNG/MP4 media)."""
    data = bytearray(source.read_bytes())
    if source.suffix == ".jpg":
        at = data.rfind(b"\xff\xda") + 64
    elif source.suffix == ".png":
        at = data.find(b"IDAT") + 20
    else:
        at = data.find(b"mdat") + 100
    data[at] ^= 0x01
    target.write_bytes(bytes(data))
    return target


def trust_list_of_test_chain(folder: Path) -> Path:
    """A trust list holding the test chain's intermediate CA, so the test signer is trusted."""
    pem = CERTS.read_text()
    end = "-----END CERTIFICATE-----"
    intermediate = pem.split(end)[1].strip() + "\n" + end + "\n"
    path = folder / "test-trust-list.pem"
    path.write_text(intermediate)
    return path


def options(**overrides: object) -> ProvenanceOptions:
    values: dict[str, object] = {
        "trust_list": SHIPPED_TRUST_LIST,
        "max_manifest_bytes": 8 * 1024 * 1024,
        "max_xmp_bytes": 512 * 1024,
        "max_png_text_bytes": 16 * 1024,
    }
    values.update(overrides)
    return ProvenanceOptions(**values)  # type: ignore[arg-type]

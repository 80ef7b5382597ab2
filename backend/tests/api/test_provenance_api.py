"""Provenance seen from the API: a separate block in every image and video response, the
model's fields untouched by it, and a verdict from it only where the server allows."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL.PngImagePlugin import PngInfo

from lopt.api.app import create_app
from lopt.provenance import Provenance
from tests.helpers import PROVENANCE, needs_provenance, noise_image, write_image, write_video
from tests.provenance.signing import change_one_byte, sign, trust_list_of_test_chain

pytestmark = needs_provenance
VERDICT_FIELDS = {"verdict", "verdict_reason", "verdict_source", "model_verdict"}


def post(client: TestClient, path: Path) -> dict[str, Any]:
    response = client.post("/playground", files={"file": (path.name, path.read_bytes())})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def analyse(make_settings, path: Path, **settings: object) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(**settings))) as client:
        return post(client, path)


def model_fields(body: dict[str, Any], leave_out: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    return {k: v for k, v in body.items() if k not in {"provenance", "elapsed_ms", *leave_out}}


@pytest.fixture
def ai_jpeg(tmp_path: Path) -> Path:
    return sign(write_image(tmp_path / "plain.jpg", quality=92), tmp_path / "ai.jpg")


def test_a_signed_ai_declaration_is_shown_beside_the_verdict(
    client: TestClient, ai_jpeg: Path, upload_dir: Path
) -> None:
    body = post(client, ai_jpeg)
    block = body["provenance"]
    Provenance.model_validate(block)
    assert block["c2pa"]["state"] == "valid" and block["c2pa"]["signer"] == "C2PA Test Signing Cert"
    assert block["finding"]["kind"] == "ai_generated_declared"
    assert block["finding"]["basis"] == "signed_untrusted"
    assert body["verdict_source"] == "model" and body["model_verdict"] is None
    assert list(upload_dir.iterdir()) == []


def test_a_tampered_copy_is_shown_as_tampered(
    client: TestClient, ai_jpeg: Path, tmp_path: Path
) -> None:
    body = post(client, change_one_byte(ai_jpeg, tmp_path / "changed.jpg"))
    assert body["provenance"]["c2pa"]["state"] == "invalid"
    assert body["provenance"]["finding"]["kind"] == "tampered"
    assert "content changed after signing" in body["provenance"]["c2pa"]["reason"]


def test_a_plain_photo_has_no_provenance(client: TestClient, tmp_path: Path) -> None:
    body = post(client, write_image(tmp_path / "plain.jpg"))
    assert body["provenance"]["c2pa"]["state"] == "none"
    assert body["provenance"]["finding"]["kind"] == "none"


def test_the_shared_fixtures_through_the_api(client: TestClient) -> None:
    states = {
        name: post(client, PROVENANCE / "c2pa" / name)["provenance"]["c2pa"]["state"]
        for name in ("A.jpg", "C.jpg", "XCA.jpg", "cloud.jpg")
    }
    assert states == {
        "A.jpg": "none",
        "C.jpg": "valid",
        "XCA.jpg": "invalid",
        "cloud.jpg": "remote_not_fetched",
    }


def test_the_model_fields_are_the_same_with_provenance_off(make_settings, ai_jpeg: Path) -> None:  # type: ignore[no-untyped-def]
    on = analyse(make_settings, ai_jpeg)
    off = analyse(make_settings, ai_jpeg, provenance=False)
    assert off["provenance"] is None and on["provenance"] is not None
    assert model_fields(on) == model_fields(off)


def test_a_trusted_ai_declaration_decides_only_when_allowed(
    make_settings, ai_jpeg: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    trusted = trust_list_of_test_chain(tmp_path)
    off = analyse(make_settings, ai_jpeg, provenance=False)
    shown = analyse(make_settings, ai_jpeg, provenance_trust_list=trusted)
    decided = analyse(
        make_settings, ai_jpeg, provenance_trust_list=trusted, provenance_decides=True
    )
    assert shown["provenance"]["finding"]["basis"] == "signed_trusted"
    assert shown["verdict"] == off["verdict"] and shown["verdict_source"] == "model"
    assert decided["verdict"] == "manipulated" and decided["verdict_source"] == "provenance"
    assert decided["model_verdict"] == off["verdict"]
    assert "LOPT_PROVENANCE_DECIDES" in decided["verdict_reason"]
    assert off["verdict_reason"] in decided["verdict_reason"]
    assert model_fields(decided, VERDICT_FIELDS) == model_fields(off, VERDICT_FIELDS)


def test_an_untrusted_declaration_never_decides(make_settings, ai_jpeg: Path) -> None:  # type: ignore[no-untyped-def]
    off = analyse(make_settings, ai_jpeg, provenance=False)
    body = analyse(make_settings, ai_jpeg, provenance_decides=True)
    assert body["provenance"]["finding"]["basis"] == "signed_untrusted"
    assert body["verdict_source"] == "model" and body["verdict"] == off["verdict"]


def test_a_signed_video_carries_its_credentials(client: TestClient, tmp_path: Path) -> None:
    video = sign(write_video(tmp_path / "plain.mp4"), tmp_path / "ai.mp4")
    body = post(client, video)
    assert body["type"] == "video"
    assert body["provenance"]["c2pa"]["state"] == "valid"
    assert body["provenance"]["metadata"] is None
    assert body["provenance"]["finding"]["kind"] == "ai_generated_declared"


def test_hostile_metadata_is_a_note_not_an_error(client: TestClient, tmp_path: Path) -> None:
    info = PngInfo()
    info.add_text("parameters", "Steps: 20, " * 300_000)
    info.add_itxt(
        "XML:com.adobe.xmp",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">&b;</x:xmpmeta>',
    )
    path = tmp_path / "hostile.png"
    noise_image().save(path, pnginfo=info)
    block = post(client, path)["provenance"]
    assert "XML entities" in block["note"] and "MAX_PNG_TEXT_BYTES" in block["note"]
    assert block["metadata"]["generation_parameters"][0]["truncated"] is True


def test_slow_provenance_times_out_into_a_note(
    make_settings, ai_jpeg: Path, upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import lopt.inference.pipelines.provenance_evidence as evidence

    def slow(*args: object) -> None:
        time.sleep(1.0)

    monkeypatch.setattr(evidence, "read_provenance", slow)
    started = time.perf_counter()
    body = analyse(make_settings, ai_jpeg, provenance_timeout_s=0.1)
    assert body["provenance"]["c2pa"]["state"] == "not_checked"
    assert "LOPT_PROVENANCE_TIMEOUT_S (0.1 s)" in body["provenance"]["note"]
    assert body["verdict_source"] == "model"
    assert time.perf_counter() - started < 30
    assert list(upload_dir.iterdir()) == []


def test_the_schema_documents_the_block(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    prediction = schemas["Prediction"]["properties"]
    assert {"provenance", "verdict_source", "model_verdict"} <= set(prediction)
    assert set(schemas["C2paEvidence"]["properties"]["state"]["enum"]) == {
        "none",
        "valid",
        "trusted",
        "invalid",
        "remote_not_fetched",
        "not_checked",
    }
    assert "anyone can write" in schemas["Finding"]["properties"]["basis"]["description"]

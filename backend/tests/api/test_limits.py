from __future__ import annotations

from fastapi.testclient import TestClient

from lopt.api.app import create_app


def test_limits_come_from_the_settings(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(
        max_upload_bytes=1234, max_image_pixels=5678, max_video_seconds=9.5, max_video_pixels=42
    )
    client = TestClient(create_app(settings))  # no lifespan: answers while models load
    limits = client.get("/api/limits").json()
    assert limits["max_upload_bytes"] == 1234 and limits["max_image_pixels"] == 5678
    assert limits["max_video_seconds"] == 9.5 and limits["max_video_pixels"] == 42


def test_limits_list_every_sniffed_format(make_settings) -> None:  # type: ignore[no-untyped-def]
    limits = TestClient(create_app(make_settings())).get("/api/limits").json()
    assert {"image/jpeg", "image/png", "image/webp", "image/tiff"} <= set(
        limits["image_mime_types"]
    )
    assert {"video/mp4", "video/webm", "video/quicktime"} <= set(limits["video_mime_types"])
    assert not set(limits["image_mime_types"]) & set(limits["video_mime_types"])
    assert {".jpg", ".jpeg", ".png", ".mp4", ".mov", ".webm", ".tif"} <= set(limits["extensions"])
    assert ".pdf" not in limits["extensions"] and ".txt" not in limits["extensions"]


def test_limits_are_documented_in_the_schema(make_settings) -> None:  # type: ignore[no-untyped-def]
    spec = TestClient(create_app(make_settings())).get("/openapi.json").json()
    response = spec["paths"]["/api/limits"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"]["$ref"].endswith("/Limits")

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lopt.api.app import create_app

PAGE = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # what a browser sends


@pytest.fixture
def built(tmp_path: Path) -> Path:
    folder = tmp_path / "static"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><div id=root></div>")
    (folder / "assets" / "index-abc123.js").write_text("console.log('lopt')")
    (folder / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("not for you")
    return folder


@pytest.fixture
def web(make_settings, built: Path) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(make_settings(), static_dir=built))


def test_the_web_app_is_served_at_the_root(web: TestClient) -> None:
    response = web.get("/")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    assert "id=root" in response.text and response.headers["cache-control"] == "no-cache"


def test_client_routes_fall_back_to_the_page_for_browsers(web: TestClient) -> None:
    response = web.get("/history/3", headers=PAGE)
    assert response.status_code == 200 and "id=root" in response.text


def test_assets_and_root_files_are_served_with_hashed_assets_cached(web: TestClient) -> None:
    script = web.get("/assets/index-abc123.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "immutable" in script.headers["cache-control"]
    assert web.get("/favicon.svg").text == "<svg/>"


@pytest.mark.parametrize("path", ["/assets/gone.js", "/api/nope", "/docs/nope", "/health/x"])
def test_missing_assets_and_api_paths_keep_the_json_404(web: TestClient, path: str) -> None:
    response = web.get(path, headers=PAGE)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_non_browser_clients_get_the_json_404(web: TestClient) -> None:
    response = web.get("/nope")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_files_outside_the_folder_are_never_served(web: TestClient) -> None:
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"):
        assert "not for you" not in web.get(path, headers=PAGE).text


def test_api_routes_docs_and_schema_are_unaffected(web: TestClient) -> None:
    assert web.get("/health").json() == {"status": "ok"}
    assert web.get("/docs").status_code == 200
    paths = web.get("/openapi.json").json()["paths"]
    assert "/api/limits" in paths and not any("{path}" in path for path in paths)
    assert web.get("/api/limits").json()["max_upload_bytes"] > 0


def test_without_a_build_the_root_leads_to_the_docs(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(create_app(make_settings(), static_dir=tmp_path / "missing"))
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/docs"
    assert client.get("/somewhere", headers=PAGE).status_code == 404

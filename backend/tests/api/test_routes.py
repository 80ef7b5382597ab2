from __future__ import annotations

from fastapi.testclient import TestClient

from lopt.api.app import create_app


def test_health_is_always_ok(make_settings) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(create_app(make_settings()))  # lifespan not started: models not loaded
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_is_503_until_models_are_loaded_then_200(make_settings) -> None:  # type: ignore[no-untyped-def]
    app = create_app(make_settings())
    cold = TestClient(app).get("/ready")
    assert cold.status_code == 503 and cold.json()["error"]["code"] == "model_not_ready"
    assert "Retry-After" in cold.headers
    assert TestClient(app).post("/playground", files={"file": ("a", b"x")}).status_code == 503
    with TestClient(app) as client:
        ready = client.get("/ready")
        assert ready.status_code == 200 and len(ready.json()["models"]) == 2
    assert TestClient(app).get("/ready").status_code == 503  # released on shutdown


def test_models_describe_what_was_loaded(client: TestClient, checkpoints) -> None:  # type: ignore[no-untyped-def]
    models = client.get("/api/models").json()
    image, video = models
    assert image["id"] == str(checkpoints["vit"]) and image["task"] == "image"
    assert image["labels"] == ["Real", "Fake"] and image["verdicts"] == ["Real", "Fake"]
    assert image["device"] == "cpu" and image["dtype"] == "float32"
    assert image["precision"] == "exact"  # no precision record next to this checkpoint
    assert image["parameters"] > 1000 and image["threshold"] == 0.5
    assert video["task"] == "video" and video["num_frames"] == 4


def test_openapi_documents_upload_and_error_schemas(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/playground"]["post"]
    upload = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["properties"]["file"]["format"] == "binary"
    assert {"200", "413", "415", "422", "503"} <= set(post["responses"])
    assert post["responses"]["413"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ErrorResponse"
    )
    assert {"/health", "/ready", "/api/models"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_unknown_route_uses_the_error_shape(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"

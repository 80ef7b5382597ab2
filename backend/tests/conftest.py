from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lopt.api.app import create_app
from lopt.config import Settings
from tests.helpers import SHARED_FOLDERS, build_image_model, build_video_model, shared_data


def pytest_sessionstart(session: pytest.Session) -> None:
    require_shared_data_in_ci()


def require_shared_data_in_ci() -> None:
    """Under CI=true a missing shared data folder stops the run before any test: the tests
    that need it would skip, and a green run would then prove nothing. Elsewhere they skip,
    each saying why."""
    if os.environ.get("CI", "").strip().lower() not in {"true", "1", "yes"}:
        return
    missing = [shared_data() / name for name in SHARED_FOLDERS]
    missing = [folder for folder in missing if not folder.is_dir()]
    if missing:
        pytest.exit(
            f"CI=true and the shared data is missing: {', '.join(map(str, missing))} not found. "
            "Set LOPT_SHARED_DATA to the data folder (default ../shared/data).",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny random checkpoints saved with save_pretrained, loaded like any hub model."""
    root = tmp_path_factory.mktemp("checkpoints")
    return {
        "vit": build_image_model(root / "vit", "vit"),
        "deit": build_image_model(root / "deit", "deit"),
        "timesformer": build_video_model(root / "timesformer", "timesformer"),
        "videomae": build_video_model(root / "videomae", "videomae"),
        # Classifiers whose bias makes every answer Fake, with labels in either order.
        "vit-fake": build_image_model(root / "vit-fake", "vit", answer=1),
        "vit-fake-first": build_image_model(
            root / "vit-fake-first", "vit", id2label={0: "deepfake", 1: "authentic"}, answer=0
        ),
        "timesformer-fake": build_video_model(root / "ts-fake", "timesformer", answer=1),
    }


@pytest.fixture
def upload_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    return folder


@pytest.fixture
def make_settings(checkpoints: dict[str, Path], upload_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "jobs_dir": tmp_path / "jobs",
            # Only the jobs' tests (tests/jobs) start a worker; the others never queue one.
            "jobs_worker": False,
            "image_model": str(checkpoints["vit"]),
            "video_model": str(checkpoints["timesformer"]),
            "upload_dir": upload_dir,
            "video_clips": 3,
            "max_wait_ms": 5,
            # Live precision checks have their own tests (inference/test_live_check.py);
            # elsewhere they would only add background exports to every test server.
            "shadow_samples": 0,
            "cache_dir": tmp_path / "cache",
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def client(make_settings) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client

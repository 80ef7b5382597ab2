"""Tests that need the shared data skip without it, saying why, except in CI: there the
whole run stops at once, naming the missing folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import conftest

ROOT = Path(__file__).resolve().parents[2]
NEEDS_MEDIA = "backend/tests/media/test_faces.py::test_group_photo_finds_all_six_people"


def run_pytest(data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    merged = {k: v for k, v in os.environ.items() if k not in {"CI", "LOPT_SHARED_DATA"}}
    merged.update(env, LOPT_SHARED_DATA=str(data))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", NEEDS_MEDIA],
        cwd=ROOT, env=merged, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_in_ci_missing_shared_data_stops_the_run_naming_the_folder(tmp_path: Path) -> None:
    data = tmp_path / "no-data"
    result = run_pytest(data, CI="true")
    output = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert f"{data / 'media'}" in output and "LOPT_SHARED_DATA" in output
    assert "skipped" not in output and "passed" not in output


def test_outside_ci_missing_shared_data_lets_the_tests_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOPT_SHARED_DATA", str(tmp_path / "no-data"))
    for value in ("", "false", "0"):
        monkeypatch.setenv("CI", value)
        conftest.require_shared_data_in_ci()  # no exit
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.exit.Exception, match="no-data/media"):
        conftest.require_shared_data_in_ci()

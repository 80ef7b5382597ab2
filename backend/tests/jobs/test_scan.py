"""`lopt scan`: one row per file, a corrupt file is a row, --resume, exit code 1 on failures."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from lopt.cli import main
from tests.helpers import write_image, write_video


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "event"
    (root / "day2").mkdir(parents=True)
    write_image(root / "a.jpg")
    write_image(root / "b.png")
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a photo")
    (root / "notes.txt").write_text("not media")
    write_video(root / "day2" / "clip.mp4")
    return root


@pytest.fixture(autouse=True)
def models(monkeypatch: pytest.MonkeyPatch, checkpoints: dict[str, Path]) -> None:
    monkeypatch.setenv("LOPT_IMAGE_MODEL", str(checkpoints["vit"]))
    monkeypatch.setenv("LOPT_VIDEO_MODEL", str(checkpoints["timesformer"]))
    monkeypatch.setenv("LOPT_VIDEO_CLIPS", "2")


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as source:
        return {Path(row["path"]).name: row for row in csv.DictReader(source)}


def test_a_folder_gives_one_csv_row_per_media_file_and_exit_1_for_the_corrupt_one(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "rows.csv"
    assert main(["scan", str(folder), "--output", str(output)]) == 1
    rows = read_csv(output)
    assert set(rows) == {"a.jpg", "b.png", "broken.jpg"}  # not the text, not the subfolder
    assert rows["a.jpg"]["status"] == "succeeded" and rows["a.jpg"]["type"] == "image"
    assert len(rows["a.jpg"]["sha256"]) == 64 and rows["a.jpg"]["verdict"]
    assert 0 <= float(rows["b.png"]["fake_probability"]) <= 1
    broken = rows["broken.jpg"]
    assert broken["status"] == "failed" and broken["error_code"] and broken["error_message"]
    progress = capsys.readouterr().err
    assert "3/3 files, 1 failed" in progress and "files/s" in progress


def test_recursive_jsonl_finds_videos_in_subfolders(folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "rows.jsonl"
    main(["scan", str(folder), "--recursive", "--output", str(output)])
    rows = {Path(r["path"]).name: r for r in map(json.loads, output.read_text().splitlines())}
    assert set(rows) == {"a.jpg", "b.png", "broken.jpg", "clip.mp4"}
    assert rows["clip.mp4"]["type"] == "video" and rows["clip.mp4"]["result"]["media"]["fps"]


def test_resume_skips_files_already_in_the_output(folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "rows.csv"
    assert main(["scan", str(folder / "a.jpg"), "--output", str(output)]) == 0
    first = output.read_text()
    # Interrupted mid-row: the half-written line is not a row, so that file runs again.
    output.write_text(first + f"{folder / 'b.png'},abc")
    assert main(["scan", str(folder), "--resume", "--output", str(output)]) == 1
    with output.open(newline="") as source:
        names = [Path(row["path"]).name for row in csv.DictReader(source) if row["status"]]
    assert names.count("a.jpg") == 1 and names.count("broken.jpg") == 1
    assert main(["scan", str(folder / "a.jpg"), "--resume", "--output", str(output)]) == 0


def test_a_missing_path_is_a_row_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(tmp_path / "gone.jpg"), "--format", "jsonl"]) == 1
    row = json.loads(capsys.readouterr().out)
    assert row["status"] == "failed" and row["error_code"] == "unreadable"

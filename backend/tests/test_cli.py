from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lopt.cli import main
from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL
from tests.helpers import noise_image, write_video


def run_lopt(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    merged = {k: v for k, v in os.environ.items() if not k.startswith("LOPT_")}
    merged.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "lopt.cli", *args],
        capture_output=True, text=True, env=merged, timeout=timeout, check=False,
    )  # fmt: skip


def models_env(checkpoints: dict[str, Path]) -> dict[str, str]:
    return {
        "LOPT_IMAGE_MODEL": str(checkpoints["vit"]),
        "LOPT_VIDEO_MODEL": str(checkpoints["timesformer"]),
    }


def test_predict_prints_one_json_line_per_file(checkpoints, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    photo = tmp_path / "photo.webp"
    noise_image().save(photo)
    video = write_video(tmp_path / "clip.avi", frames=30)
    notes = tmp_path / "notes.jpg"
    notes.write_text("not an image")
    result = run_lopt("predict", str(photo), str(video), str(notes), env=models_env(checkpoints))
    assert result.returncode == 1, result.stderr  # one file failed
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("type") for line in lines] == ["image", "video", None]
    assert lines[0]["label"] in {"Real", "Fake"} and lines[0]["media"]["format"] == "webp"
    # A noise photo has no face: the face model says it cannot judge, not Real or Fake.
    assert lines[0]["verdict"] == "not_applicable" and lines[0]["status"] == "no_face"
    assert {"verdict_reason", "raw_fake_probability", "calibrated", "bands"} <= set(lines[0])
    assert len(lines[1]["clips"]) == 4  # the default LOPT_VIDEO_CLIPS
    # The video model's clips judge whole frames: a verdict needs no face.
    assert lines[1]["verdict"] in {"authentic", "suspicious", "manipulated"}
    assert lines[2]["error"]["code"] == "unsupported_media"
    # Each verdict comes with what the file declares about its origin: here, nothing.
    assert lines[0]["provenance"]["c2pa"]["state"] == "none"
    assert lines[0]["provenance"]["finding"]["kind"] == "none"
    assert lines[1]["provenance"]["metadata"] is None  # videos: Content Credentials only


def test_predict_exits_zero_when_every_file_is_judged(checkpoints, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    photo = tmp_path / "photo.png"
    noise_image().save(photo)
    result = run_lopt(
        "predict", str(photo), env={**models_env(checkpoints), "LOPT_VIDEO_MODEL": "none"}
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["type"] == "image"


def test_predict_explain_writes_heatmap_overlays_over_the_faces(tmp_path: Path) -> None:
    from tests.api.test_faces_api import MEDIA, moving_face_video

    if not MEDIA.is_dir():
        pytest.skip(f"shared media not found at {MEDIA}")
    photo = MEDIA / "facenet_paul_rudd.jpg"
    video = moving_face_video(tmp_path / "walk.mp4")
    out = tmp_path / "maps"
    env = {
        "LOPT_IMAGE_MODEL": EMBEDDED_IMAGE_MODEL,
        "LOPT_VIDEO_MODEL": "none",
        "LOPT_VIDEO_FRAMES": "8",
        "LOPT_HEATMAP_FRAMES": "2",
    }
    result = run_lopt("predict", "--explain", str(out), str(photo), str(video), env=env)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    [face] = first["faces"]
    assert face["heatmap"]["localised"] and first["explanation"]["heatmaps"] == 1
    drawn = sorted(path.name for path in out.iterdir())
    frames = sorted(
        frame["frame_index"]
        for frame in second["tracks"][0]["frames"]
        if frame["heatmap"] and frame["heatmap"]["image"]
    )
    assert drawn == sorted(
        ["facenet_paul_rudd.jpg.heatmap.png"] + [f"walk.mp4.frame-{i}.heatmap.png" for i in frames]
    )
    original = np.asarray(Image.open(photo).convert("RGB"), dtype=np.int16)
    overlaid = np.asarray(Image.open(out / drawn[0]), dtype=np.int16)
    assert overlaid.shape == original.shape
    box = face["heatmap"]["box"]
    changed = np.abs(overlaid - original).sum(axis=-1) > 0
    x1, y1, x2, y2 = (round(box[k]) for k in ("x1", "y1", "x2", "y2"))
    assert changed[y1:y2, x1:x2].mean() > 0.1  # the map is drawn over the face's crop
    assert not changed[:, : max(0, x1 - 2)].any() and not changed[:, x2 + 2 :].any()


def test_invalid_setting_stops_start_up_naming_the_variable() -> None:
    result = run_lopt("serve", env={"LOPT_MAX_BATCH_SIZE": "zero", "LOPT_DEVICE": "tpu"})
    assert result.returncode == 2
    assert "LOPT_MAX_BATCH_SIZE" in result.stderr and "LOPT_DEVICE" in result.stderr
    assert "Traceback" not in result.stderr


OFFLINE = {"HF_ENDPOINT": "http://127.0.0.1:9", "LOPT_HUB_TIMEOUT_S": "1"}


def test_without_fallback_an_unreachable_hub_model_stops_start_up_with_advice(
    tmp_path: Path,
) -> None:
    env = {**OFFLINE, "HF_HUB_CACHE": str(tmp_path), "LOPT_MODEL_FALLBACK": "false"}
    result = run_lopt("serve", "--port", "8765", env=env, timeout=60)
    assert result.returncode == 2
    assert "agasta/virtus" in result.stderr and "LOPT_IMAGE_MODEL=./models/virtus" in result.stderr
    assert "Traceback" not in result.stderr


def test_offline_predict_falls_back_to_the_embedded_detector_and_says_so(tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    noise_image().save(photo)
    result = run_lopt("predict", str(photo), env={**OFFLINE, "HF_HUB_CACHE": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["model"] == {
        "id": EMBEDDED_IMAGE_MODEL,
        "revision": None,
        "replaces": "agasta/virtus",
    }
    assert "Falling back to the embedded detector" in result.stderr


def test_help_lists_the_commands() -> None:
    result = run_lopt("--help")
    assert result.returncode == 0 and "serve" in result.stdout and "predict" in result.stdout


@pytest.mark.parametrize(
    "command", ["serve", "worker", "predict", "scan", "train", "evaluate", "export"]
)
def test_every_help_text_prints_as_written(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # argparse formats only argument help with %: a description keeps a doubled %% as is.
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    text = capsys.readouterr().out
    assert exit_info.value.code == 0 and text.startswith("usage: ")
    assert "%%" not in text and "%(" not in text


def test_train_without_the_training_extra_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "albumentations", None)  # as if not installed
    output = tmp_path / "run"
    assert main(["train", str(tmp_path), "--output", str(output)]) == 2
    message = capsys.readouterr().err.strip()
    assert message == (
        "lopt train needs the training packages (albumentations is not installed): "
        "pip install 'lopt[train]' (from a checkout: pip install -e '.[train]')"
    )
    assert not output.exists()


def test_evaluate_without_a_package_used_only_for_its_plots_fails_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    output = tmp_path / "report"
    assert main(["evaluate", "some/model", str(tmp_path), "--output", str(output)]) == 2
    err = capsys.readouterr().err
    assert "matplotlib is not installed" in err and "pip install 'lopt[train]'" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not output.exists()


def test_export_checked_on_a_manifest_without_the_training_extra_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "val.csv"
    manifest.write_text("path,label,group\nface.jpg,real,a\n")
    # Reading a manifest imports scikit-learn through lopt.training.data.
    monkeypatch.delitem(sys.modules, "lopt.training.data", raising=False)
    for name in ("sklearn", "sklearn.model_selection"):
        monkeypatch.setitem(sys.modules, name, None)
    args = ["export", "some/model", "--output", str(tmp_path / "out"), "--check", str(manifest)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("lopt export needs the training packages (sklearn")
    assert "pip install -e '.[train]'" in err


def test_a_missing_package_outside_the_training_extra_is_not_blamed_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "val.csv"
    manifest.write_text("path,label,group\nface.jpg,real,a\n")
    monkeypatch.setitem(sys.modules, "lopt.training.data", None)  # not a training package
    with pytest.raises(ModuleNotFoundError):
        main(["export", "some/model", "--output", str(tmp_path / "out"), "--check", str(manifest)])

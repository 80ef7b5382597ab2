from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from lopt.inference.registry import load_model
from tests.helpers import write_video


def clip_folder(root: Path, per_class: int = 6) -> Path:
    for label in ("real", "fake"):
        (root / label).mkdir(parents=True)
        for index in range(per_class):
            write_video(root / label / f"{label}{index}.mp4", frames=12 + index, size=(48, 40))
    return root


@pytest.mark.parametrize("kind", ["timesformer", "videomae"])
def test_video_training_saves_a_checkpoint_the_service_loads(
    tmp_path: Path, checkpoints, kind: str
) -> None:  # type: ignore[no-untyped-def]
    data = clip_folder(tmp_path / "clips")
    output = tmp_path / "video-detector"
    command = [
        sys.executable, "-m", "lopt.cli", "train", str(data), "--task", "video",
        "--backbone", str(checkpoints[kind]), "--output", str(output),
        "--epochs", "2", "--batch-size", "2", "--workers", "0", "--threshold-rule", "eer",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads((output / "reports" / "summary.json").read_text())
    assert 0.0 <= summary["threshold"] <= 1.0 and summary["threshold_rule"] == "eer"
    assert torch.load(output / "last.pt", weights_only=False)["state"]["epoch"] == 2  # resumable
    rules = json.loads((output / "config.json").read_text())["lopt_threshold_rule"]
    assert rules.startswith("manipulated: eer") and "validation" in rules
    loaded = load_model(
        str(output), task="video", setting="X", device=torch.device("cpu"), dtype=torch.float32
    )
    assert loaded.num_frames == 4 and loaded.labels.names == ("Real", "Fake")
    assert loaded.policy.bands.manipulated_at == pytest.approx(summary["threshold"])


def test_video_task_needs_a_video_backbone(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lopt.cli", "train", str(tmp_path), "--task", "video", "--output", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "--backbone" in result.stderr


def test_video_task_refuses_face_crop_options(tmp_path: Path, checkpoints) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-m", "lopt.cli", "train", str(tmp_path), "--task", "video",
         "--backbone", str(checkpoints["timesformer"]), "--output", str(tmp_path / "o"),
         "--no-sbi", "--image-size", "32"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--image-size, --no-sbi: face-crop options, not used by --task video" in result.stderr

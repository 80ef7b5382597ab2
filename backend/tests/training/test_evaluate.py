from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lopt.training.evaluate import EvaluateConfig, evaluate_model
from tests.helpers import noise_image, write_video


def labelled_folder(root: Path) -> Path:
    for label in ("real", "fake"):
        folder = root / label
        folder.mkdir(parents=True)
        for seed in range(4):
            noise_image(seed=seed + (10 if label == "fake" else 0)).save(folder / f"{seed}.png")
        for seed in range(2):
            write_video(folder / f"clip{seed}.avi", frames=20 + 5 * seed)
    return root


def test_evaluate_reports_frame_and_video_levels(tmp_path: Path, checkpoints) -> None:  # type: ignore[no-untyped-def]
    data = labelled_folder(tmp_path / "data")
    config = EvaluateConfig(
        model=str(checkpoints["vit"]), data=data, output=tmp_path / "report", n_resamples=50
    )
    summary = evaluate_model(config)
    # No calibration and no bands in the checkpoint: Lopt's labelled default edges.
    assert summary["threshold"] == 0.8 and summary["bands"]["source"] == "default"
    assert summary["calibration"] is None and summary["failures"] == []
    frame, video = summary["frame"], summary["video"]
    assert video["count"] == {"total": 4, "real": 2, "fake": 2}
    assert frame["count"]["total"] == 8 + 4 * 16  # 8 images + 16 sampled frames per video
    assert 0 <= frame["roc_auc"] <= 1 and len(frame["confidence_intervals"]["auc"]) == 2
    for level in ("frame", "video"):
        for name in ("metrics.json", "roc.png", "confusion_matrix.png"):
            assert (tmp_path / "report" / level / name).stat().st_size > 100
    assert (
        json.loads((tmp_path / "report" / "summary.json").read_text())["video"]["count"]["total"]
        == 4
    )


def test_calibration_on_validation_data_is_stored_in_the_checkpoint(
    tmp_path: Path, checkpoints
) -> None:  # type: ignore[no-untyped-def]
    model = shutil.copytree(checkpoints["vit"], tmp_path / "model")
    val = labelled_folder(tmp_path / "val")
    test = labelled_folder(tmp_path / "test")
    config = EvaluateConfig(
        model=str(model), data=test, output=tmp_path / "report", calibrate=[val], n_resamples=0
    )
    summary = evaluate_model(config)
    stored = json.loads((model / "config.json").read_text())
    record = json.loads((tmp_path / "report" / "calibration.json").read_text())
    assert record["lopt_calibration"] == stored["lopt_calibration"]  # for hub models too
    assert stored["lopt_calibration"]["method"] in {"temperature", "platt", "isotonic"}
    assert stored["lopt_calibration"]["fitted_on"].startswith("val (6 real, 6 fake)")
    assert set(stored["lopt_calibration"]["held_out_nll"]) <= {"temperature", "platt", "isotonic"}
    bands = stored["lopt_verdict_bands"]
    assert bands["manipulated_at"] == pytest.approx(summary["threshold"], abs=1e-6)
    assert bands["authentic_below"] <= bands["manipulated_at"]
    assert "fpr<=0.03" in bands["rules"] and "fnr<=0.05" in bands["rules"]
    assert summary["fitted_now"] and summary["bands"]["source"] == "validation"
    # What the scores mean on the test files: before and after, and each level's share.
    meaning = summary["file_calibration"]
    assert set(meaning["before"]) == set(meaning["after"]) == {"ece", "brier", "log_loss"}
    for shares in summary["levels"].values():
        assert sum(v for k, v in shares.items() if k != "count") == pytest.approx(1.0, abs=1e-3)
    assert (tmp_path / "report" / "reliability.png").stat().st_size > 1000
    rows = [json.loads(line) for line in (tmp_path / "report" / "predictions.jsonl").open()]
    assert all({"raw_fake_probability", "verdict"} <= set(row) for row in rows)


def test_predictions_list_every_file_by_a_relative_path(tmp_path: Path, checkpoints) -> None:  # type: ignore[no-untyped-def]
    data = labelled_folder(tmp_path / "data")
    config = EvaluateConfig(
        model=str(checkpoints["vit"]), data=data, output=tmp_path / "report", n_resamples=10
    )
    summary = evaluate_model(config)
    rows = [json.loads(line) for line in (tmp_path / "report" / "predictions.jsonl").open()]
    assert len(rows) == 12  # 8 images + 4 videos
    assert all(not Path(row["path"]).is_absolute() and Path(row["path"]).is_file() for row in rows)
    assert {row["type"] for row in rows} == {"image", "video"}
    assert all("tracks" in row for row in rows if row["type"] == "video")
    assert set(summary["by_source"]) == {"image", "video"}

"""What a score means: calibration maps, verdict levels, what a model judges, and the
settings that override each."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from lopt.config import Settings, SettingsError
from lopt.errors import ModelLoadError
from lopt.inference.calibration import (
    Calibration,
    CalibrationError,
    VerdictBands,
    configure_policy,
    policy_from_config,
)
from lopt.inference.detectors import ImageDetector
from lopt.inference.service import DetectionService
from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL
from tests.helpers import MEDIA, build_image_model, load_on_cpu, needs_media, set_policy

RAW = np.array([0.01, 0.2, 0.5, 0.8, 0.99])
MAPS = {
    "temperature": {"temperature": 2.0},
    "platt": {"a": 0.5, "b": -1.0},
    "isotonic": {"x": [0.0, 0.5, 1.0], "y": [0.01, 0.1, 0.9]},
}


@pytest.mark.parametrize("method", sorted(MAPS))
def test_every_map_is_monotone_and_stays_within_0_and_1(method: str) -> None:
    calibration = Calibration(method, MAPS[method], "val")  # type: ignore[arg-type]
    out = calibration.apply(RAW)
    assert np.all(np.diff(out) >= 0) and out.min() >= 0 and out.max() <= 1


def test_temperature_two_halves_the_logit() -> None:
    calibration = Calibration("temperature", {"temperature": 2.0}, "val")
    # raw 0.8 has logit log(4); halved: log(2) -> 2/3
    assert float(calibration.apply(0.8)) == pytest.approx(2 / 3, abs=1e-6)
    assert float(calibration.apply(0.5)) == pytest.approx(0.5)


def test_isotonic_interpolates_between_its_points() -> None:
    calibration = Calibration("isotonic", MAPS["isotonic"], "val")
    assert float(calibration.apply(0.75)) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "stored",
    [
        {"method": "magic", "params": {}},
        {"method": "temperature", "params": {"temperature": -1}},
        {"method": "platt", "params": {"a": -2, "b": 0}},
        {"method": "platt", "params": {}},
        {"method": "isotonic", "params": {"x": [0, 1], "y": [0.9, 0.1]}},
        {"method": "isotonic", "params": {"x": [0], "y": [0.5]}},
    ],
)
def test_a_broken_stored_map_is_refused_with_a_reason(stored: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(CalibrationError):
        Calibration.from_config(stored)


def test_levels_follow_the_band_edges() -> None:
    bands = VerdictBands(0.1, 0.8, "validation")
    assert [bands.level(p) for p in (0.0, 0.0999, 0.1, 0.5, 0.7999, 0.8, 1.0)] == [
        "authentic",
        "authentic",
        "suspicious",
        "suspicious",
        "suspicious",
        "manipulated",
        "manipulated",
    ]
    with pytest.raises(CalibrationError):
        VerdictBands(0.9, 0.8, "settings")


def test_a_checkpoint_without_a_policy_gets_labelled_defaults() -> None:
    policy = policy_from_config({})
    assert policy.calibration is None and policy.judges == "face_crops"
    assert (policy.bands.authentic_below, policy.bands.manipulated_at) == (0.2, 0.8)
    assert policy.bands.source == "default"
    # An older checkpoint's stored threshold is its manipulated edge.
    assert policy_from_config({"lopt_threshold": 0.9}).bands.manipulated_at == 0.9


def test_settings_override_the_checkpoints_edges_and_input() -> None:
    policy = policy_from_config(
        {"lopt_verdict_bands": {"authentic_below": 0.1, "manipulated_at": 0.7}}
    )
    assert policy.bands.source == "validation"
    changed = configure_policy(policy, manipulated_at=0.95, model_input="whole_image")
    assert (changed.bands.authentic_below, changed.bands.manipulated_at) == (0.1, 0.95)
    assert changed.bands.source == "settings" and changed.judges == "whole_image"
    with pytest.raises(CalibrationError):  # below the checkpoint's authentic edge
        configure_policy(policy, manipulated_at=0.05)


def test_an_invalid_policy_in_a_checkpoint_stops_loading(tmp_path: Path) -> None:
    folder = set_policy(build_image_model(tmp_path / "m"), lopt_input="audio")
    with pytest.raises(ModelLoadError, match="lopt_input"):
        load_on_cpu(folder)


def test_a_calibrated_detectors_numbers_agree(tmp_path: Path) -> None:
    folder = set_policy(
        build_image_model(tmp_path / "m"),
        lopt_calibration={"method": "temperature", "params": {"temperature": 3.0}},
        lopt_verdict_bands={"authentic_below": 0.2, "manipulated_at": 0.7},
    )
    detector = ImageDetector(load_on_cpu(folder))
    for raw in (0.0, 0.05, 0.3, 0.5, 0.62, 0.9, 0.999, 1.0):
        scores = detector.decide(raw)
        assert scores.calibrated and scores.raw_fake_probability == pytest.approx(raw, abs=1e-4)
        p = scores.fake_probability
        assert scores.label == ("Fake" if p >= 0.5 else "Real")
        assert scores.confidence == pytest.approx(scores.probabilities[scores.label], abs=1e-4)
        assert scores.confidence >= 0.5
        assert scores.verdict == (
            "manipulated" if p >= 0.7 else "authentic" if p < 0.2 else "suspicious"
        )
    # Temperature 3 pulls 0.9 towards one half: the raw score overstated the certainty.
    assert 0.5 < detector.decide(0.9).fake_probability < 0.9


def test_bad_verdict_settings_stop_the_start_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="LOPT_VERDICT_AUTHENTIC_BELOW"):
        Settings(verdict_authentic_below=0.9, verdict_manipulated_at=0.5)
    folder = set_policy(
        build_image_model(tmp_path / "m"),
        lopt_verdict_bands={"authentic_below": 0.3, "manipulated_at": 0.9},
    )
    with pytest.raises(SettingsError, match="verdict bands"):
        DetectionService.load(
            Settings(image_model=str(folder), video_model="none", verdict_manipulated_at=0.1)
        )


@needs_media
def test_the_shipped_detector_is_calibrated_and_its_numbers_agree_on_real_media() -> None:
    """Every verdict, face and person reads as the probability of its own label, on the
    calibrated scale, and the level follows the stored bands."""
    service = DetectionService.load(Settings(image_model=EMBEDDED_IMAGE_MODEL, video_model="none"))
    policy = service.image.policy
    assert policy.calibration is not None and policy.bands.source == "validation"
    assert "val" in policy.calibration.fitted_on
    bands = policy.bands

    async def judge() -> list:  # type: ignore[type-arg]
        await service.start()
        try:
            names = ["multiperson_real_1080p.mp4", "facenet_multiface.jpg"]
            return [await service.analyse(MEDIA / name) for name in names]
        finally:
            await service.stop()

    video, photo = asyncio.run(judge())
    people = [track for track in video.tracks or [] if track.judged]
    faces = [face for face in photo.faces or [] if face.judged]
    assert people and len(faces) == 6
    for item in [video, photo, *people, *faces]:
        p = item.fake_probability
        assert item.label == ("Fake" if p >= 0.5 else "Real")
        assert item.confidence == pytest.approx(max(p, 1 - p), abs=1e-4)
        assert item.verdict == bands.level(p) or abs(p - bands.manipulated_at) < 1e-4
    assert photo.calibrated and video.calibrated


def test_the_reason_never_reads_a_score_as_its_edge() -> None:
    from lopt.inference.detectors import Scores
    from lopt.inference.model_info import Bands
    from lopt.inference.pipelines.evidence import explain_verdict

    bands = Bands(authentic_below=0.2, manipulated_at=0.8, source="validation")
    near = Scores("Fake", 0.7996, 0.7996, 0.9, "suspicious", True)
    level, reason = explain_verdict(near, bands, "ok")
    assert level == "suspicious" and "79.96%" in reason and "80.00%" in reason
    far = Scores("Fake", 0.93, 0.93, 0.99, "manipulated", True)
    assert explain_verdict(far, bands, "ok")[1] == (
        "The model's fake probability, 93%, is at or above 80%, where it calls a file manipulated."
    )
    assert explain_verdict(far, bands, "no_face")[0] == "not_applicable"

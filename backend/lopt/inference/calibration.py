"""What a score means: a calibration map to probability, and verdict levels on that scale.

A checkpoint may carry, in its ``config.json`` next to the weights:

- ``lopt_calibration``: a monotone map from the model's raw fake probability to a
  probability measured on validation data (temperature, Platt or isotonic), with the
  name of the set it was fitted on. Fitted by ``lopt train`` or ``lopt evaluate
  --calibrate`` (scikit-learn); applied here with numpy only, so serving needs no
  training packages.
- ``lopt_verdict_bands``: the two edges that turn a probability into a level:
  ``authentic`` below ``authentic_below``, ``manipulated`` at or above
  ``manipulated_at``, ``suspicious`` between (the model cannot tell reliably).
- ``lopt_input``: what the model judges, ``face_crops`` or ``whole_image``.

Settings (``LOPT_VERDICT_*``, ``LOPT_IMAGE_MODEL_INPUT``, ``LOPT_IMAGE_CALIBRATION``)
override each for a server's own policy or for hub checkpoints that carry none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

CALIBRATION_KEY = "lopt_calibration"
BANDS_KEY = "lopt_verdict_bands"
INPUT_KEY = "lopt_input"
THRESHOLD_KEY = "lopt_threshold"  # older checkpoints' one threshold: the manipulated edge
# Bands of a checkpoint that stores none: the old stored threshold (if any) is the
# manipulated edge; otherwise a plain convention, said to be one in /api/models.
DEFAULT_AUTHENTIC_BELOW = 0.2
DEFAULT_MANIPULATED_AT = 0.8
LABEL_THRESHOLD = 0.5  # label is the likelier of Real and Fake on the reported scale
EPSILON = 1e-6

Method = Literal["temperature", "platt", "isotonic"]
Level = Literal["authentic", "suspicious", "manipulated", "not_applicable"]
ModelInput = Literal["face_crops", "whole_image"]
BandsSource = Literal["validation", "settings", "default"]
METHODS: tuple[Method, ...] = ("temperature", "platt", "isotonic")


class CalibrationError(ValueError):
    """A stored calibration or band that cannot be used; the message says what is wrong."""


def logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, EPSILON, 1 - EPSILON)
    result: np.ndarray = np.log(clipped) - np.log1p(-clipped)
    return result


def sigmoid(z: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return result


@dataclass(frozen=True)
class Calibration:
    """A monotone map raw fake probability -> calibrated fake probability."""

    method: Method
    params: dict[str, Any]
    fitted_on: str  # the validation set's name, never a test set
    scores: dict[str, float] = field(default_factory=dict)  # held-out NLL of each method

    def apply(self, raw: ArrayLike) -> np.ndarray:
        p = np.asarray(raw, dtype=np.float64)
        if self.method == "temperature":
            return sigmoid(logit(p) / float(self.params["temperature"]))
        if self.method == "platt":
            return sigmoid(float(self.params["a"]) * logit(p) + float(self.params["b"]))
        result: np.ndarray = np.interp(p, self.params["x"], self.params["y"])
        return result

    def to_config(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "params": self.params,
            "fitted_on": self.fitted_on,
            "held_out_nll": self.scores,
        }

    @classmethod
    def from_config(cls, stored: Mapping[str, Any]) -> Calibration:
        method = stored.get("method")
        if method not in METHODS:
            raise CalibrationError(f"calibration method {method!r} is not one of {METHODS}")
        params = dict(stored.get("params") or {})
        try:
            if method == "temperature" and not float(params["temperature"]) > 0:
                raise CalibrationError("temperature must be positive")
            if method == "platt":
                slope, _ = float(params["a"]), float(params["b"])  # apply needs both
                if not slope > 0:
                    raise CalibrationError("Platt slope must be positive (a monotone map)")
            if method == "isotonic":
                x, y = np.asarray(params["x"], float), np.asarray(params["y"], float)
                if len(x) < 2 or len(x) != len(y) or np.any(np.diff(x) < 0):
                    raise CalibrationError("isotonic map needs two or more sorted points")
                if np.any(np.diff(y) < 0) or y.min() < 0 or y.max() > 1:
                    raise CalibrationError("isotonic map must rise within 0..1")
        except CalibrationError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise CalibrationError(f"{method} calibration has bad parameters: {error}") from None
        return cls(
            method=method,
            params=params,
            fitted_on=str(stored.get("fitted_on", "unknown")),
            scores={str(k): float(v) for k, v in (stored.get("held_out_nll") or {}).items()},
        )


@dataclass(frozen=True)
class VerdictBands:
    """Edges on the reported probability scale: authentic below, manipulated at or above."""

    authentic_below: float
    manipulated_at: float
    source: BandsSource
    rules: str | None = None  # how they were chosen, e.g. "fpr<=0.03 / fnr<=0.05 on val"

    def __post_init__(self) -> None:
        if not 0 <= self.authentic_below <= self.manipulated_at <= 1:
            raise CalibrationError(
                "verdict bands need 0 <= authentic_below <= manipulated_at <= 1, got "
                f"{self.authentic_below} and {self.manipulated_at}"
            )

    def level(self, probability: float) -> Level:
        if probability >= self.manipulated_at:
            return "manipulated"
        if probability < self.authentic_below:
            return "authentic"
        return "suspicious"

    def to_config(self) -> dict[str, Any]:
        return {
            "authentic_below": self.authentic_below,
            "manipulated_at": self.manipulated_at,
            "rules": self.rules,
        }

    @classmethod
    def from_config(cls, stored: Mapping[str, Any], source: BandsSource) -> VerdictBands:
        try:
            return cls(
                authentic_below=float(stored["authentic_below"]),
                manipulated_at=float(stored["manipulated_at"]),
                source=source,
                rules=stored.get("rules"),
            )
        except CalibrationError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise CalibrationError(f"verdict bands are incomplete: {error}") from None


@dataclass(frozen=True)
class VerdictPolicy:
    """Everything that turns one model's raw score into what a user reads."""

    calibration: Calibration | None
    bands: VerdictBands
    judges: ModelInput

    def calibrate(self, raw: float) -> float:
        if self.calibration is None:
            return float(min(1.0, max(0.0, raw)))
        return float(self.calibration.apply(raw))


def policy_from_config(config: Mapping[str, Any]) -> VerdictPolicy:
    """The policy a checkpoint's config declares (defaults where it declares none)."""
    stored = config.get(CALIBRATION_KEY)
    calibration = Calibration.from_config(stored) if stored else None
    if config.get(BANDS_KEY):
        bands = VerdictBands.from_config(config[BANDS_KEY], "validation")
    else:
        threshold = config.get(THRESHOLD_KEY)
        manipulated = float(threshold) if threshold is not None else DEFAULT_MANIPULATED_AT
        bands = VerdictBands(
            min(DEFAULT_AUTHENTIC_BELOW, manipulated),
            manipulated,
            "default",
            "the checkpoint's threshold" if threshold is not None else "Lopt's default",
        )
    judges = config.get(INPUT_KEY, "face_crops")
    if judges not in ("face_crops", "whole_image"):
        raise CalibrationError(f"{INPUT_KEY} must be face_crops or whole_image, got {judges!r}")
    return VerdictPolicy(calibration, bands, judges)


def read_policy_file(path: Path) -> dict[str, Any]:
    """A calibration file written by ``lopt evaluate --calibrate`` (the config keys)."""
    try:
        stored = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise CalibrationError(f"cannot read calibration file {path}: {error}") from None
    if not isinstance(stored, dict) or CALIBRATION_KEY not in stored:
        raise CalibrationError(f"{path} holds no {CALIBRATION_KEY}")
    return stored


def configure_policy(
    policy: VerdictPolicy,
    *,
    model_input: str = "auto",
    calibration_file: Path | None = None,
    authentic_below: float | None = None,
    manipulated_at: float | None = None,
) -> VerdictPolicy:
    """A checkpoint's policy with a server's settings laid over it: what the model judges,
    a calibration file for a model that carries none, and either band edge."""
    calibration, bands = policy.calibration, policy.bands
    if calibration_file is not None:
        stored = read_policy_file(calibration_file)
        calibration = Calibration.from_config(stored[CALIBRATION_KEY])
        if stored.get(BANDS_KEY):
            bands = VerdictBands.from_config(stored[BANDS_KEY], "validation")
    if authentic_below is not None or manipulated_at is not None:
        bands = VerdictBands(
            authentic_below if authentic_below is not None else bands.authentic_below,
            manipulated_at if manipulated_at is not None else bands.manipulated_at,
            "settings",
            "LOPT_VERDICT_AUTHENTIC_BELOW / LOPT_VERDICT_MANIPULATED_AT",
        )
    inputs: dict[str, ModelInput] = {"face_crops": "face_crops", "whole_image": "whole_image"}
    if model_input != "auto" and model_input not in inputs:
        raise CalibrationError(f"model input must be face_crops or whole_image: {model_input!r}")
    judges = inputs.get(model_input, policy.judges)
    return VerdictPolicy(calibration, bands, judges)

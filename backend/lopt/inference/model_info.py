"""What Lopt says about a loaded detector: which checkpoint, its labels, calibration and
verdict bands, and the inference path that serves it with the evidence for that path
(``/api/models``; ``ModelRef`` and ``Bands`` also go into every result)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ModelRef(BaseModel):
    id: str = Field(description="Hub id or local folder of the checkpoint that judged the file.")
    revision: str | None = Field(None, description="Hub revision, when one was pinned.")
    replaces: str | None = Field(
        None, description="The configured model this one stands in for (it could not be had)."
    )


class Bands(BaseModel):
    """Where the verdict levels begin, on the scale of ``fake_probability``."""

    authentic_below: float = Field(description="Below this fake probability: authentic.")
    manipulated_at: float = Field(description="At or above this fake probability: manipulated.")
    source: Literal["validation", "settings", "default"] = Field(
        description="validation: chosen on the model's validation data by the stated rules; "
        "settings: this server's LOPT_VERDICT_* policy; default: a convention, not measured."
    )
    rules: str | None = Field(None, description="How the edges were chosen.")


class CalibrationInfo(BaseModel):
    method: Literal["temperature", "platt", "isotonic"]
    fitted_on: str = Field(description="The validation data the map was fitted on.")


class PathCheck(BaseModel):
    """One reduced path against float32 on the same inputs."""

    precision: Literal["bfloat16", "int8", "onnx", "onnx-int8", "onnx-int8-mixed"]
    detail: str = Field(
        "",
        description="How the path was made, where it varies: int8 weights per channel or per "
        "matrix, their bits, and which multiplications stay in float32.",
    )
    samples: int = Field(description="Inputs compared.")
    agreement: float = Field(
        description="Share of those inputs with the same verdict level and the same label."
    )
    max_probability_difference: float = Field(
        description="Largest difference in fake probability from float32's."
    )
    speedup: float | None = Field(None, description="Speed over float32 on this machine.")
    passes: bool = Field(
        description="Agrees at least LOPT_MIN_AGREEMENT and is faster; false while it is still "
        "being checked (samples below LOPT_SHADOW_SAMPLES) or left unfinished."
    )
    left_unfinished: str | None = Field(
        None,
        description="Why its checks stopped short of LOPT_SHADOW_SAMPLES inputs without a "
        "failure: paths are checked fastest first, and one that is not faster than float32, "
        "or more than 10% slower than a path that passed, can no longer be chosen. Null when "
        "it was checked to the end, failed, or is still being checked.",
    )


CheckState = Literal["validating", "reduced", "exact", "switched_back"]


class PrecisionCheck(BaseModel):
    """Why the model runs on its inference path, and how that path is being checked."""

    state: CheckState = Field(
        description="validating: reduced paths are checked on live inputs in idle time, while "
        "float32 serves (or, once a path has passed, that path, until the paths as fast as it "
        "are checked too); reduced: a reduced path serves, shown to agree with float32; exact: "
        "float32 serves (no path agreed and was faster); switched_back: a reduced path served "
        "until spot checks found it disagreeing, and float32 serves again."
    )
    source: Literal["live", "export_check"] | None = Field(
        None,
        description="Where the evidence for the path comes from: live (inputs this server "
        "judged) or export_check (`lopt export --check` on a chosen set of images).",
    )
    samples: int = Field(0, description="Inputs the served reduced path was checked on.")
    agreement: float | None = Field(None, description="Its verdict agreement with float32.")
    speedup: float | None = Field(None, description="Its speed over float32.")
    spot_checks: int = Field(
        0, description="Inputs re-checked against float32 since the switch (the last window)."
    )
    spot_agreement: float | None = Field(None, description="Agreement on those spot checks.")
    paths: list[PathCheck] = Field(
        default_factory=list, description="Each reduced path's comparison, live or recorded."
    )
    note: str = Field(description="The same, in words.")


class ModelInfo(ModelRef):
    """A loaded detector."""

    task: Literal["image", "video"]
    labels: list[str] = Field(description="The checkpoint's own labels, in output order.")
    verdicts: list[Literal["Real", "Fake"]] = Field(description="What each label means to Lopt.")
    threshold: float = Field(
        description="Fake probability at or above which `label` is Fake (the likelier class)."
    )
    calibration: CalibrationInfo | None = Field(
        None, description="The calibration map in use; null: scores are the raw model output."
    )
    bands: Bands
    judges: Literal["face_crops", "whole_image"] = Field(
        description="What the model judges; a face model gives not_applicable without a face."
    )
    device: str
    dtype: str
    precision: str = Field(
        description="Inference path serving it: exact (the weights in dtype), bfloat16, int8, "
        "onnx, onnx-int8 or onnx-int8-mixed (int8 with the multiplications int8 hurts most kept "
        "in float32) (LOPT_PRECISION; auto resolved from the record)."
    )
    precision_check: PrecisionCheck | None = Field(
        None,
        description="With LOPT_PRECISION=auto: the evidence for the path and its live checks.",
    )
    parameters: int
    num_frames: int | None = Field(None, description="Frames per clip (video models).")

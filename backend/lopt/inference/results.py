"""What an analysis returns: one schema for the API, the CLI and the web app."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from lopt.config import Aggregation


class ModelRef(BaseModel):
    id: str = Field(description="Hub id or local folder of the checkpoint that judged the file.")
    revision: str | None = Field(None, description="Hub revision, when one was pinned.")
    replaces: str | None = Field(
        None, description="The configured model this one stands in for (it could not be had)."
    )


class ModelInfo(ModelRef):
    """A loaded detector."""

    task: Literal["image", "video"]
    labels: list[str] = Field(description="The checkpoint's own labels, in output order.")
    verdicts: list[Literal["Real", "Fake"]] = Field(description="What each label means to Lopt.")
    threshold: float = Field(description="Fake probability at or above which the verdict is Fake.")
    device: str
    dtype: str
    precision: str = Field(
        description="Inference path serving it: exact (the weights in dtype), bfloat16, int8, "
        "onnx or onnx-int8 (LOPT_PRECISION; auto resolved from the checkpoint's record)."
    )
    parameters: int
    num_frames: int | None = Field(None, description="Frames per clip (video models).")


class MediaInfo(BaseModel):
    format: str = Field(description="Format found from the file's bytes, e.g. jpeg, mp4.")
    mime: str
    width: int
    height: int
    duration_s: float | None = None
    fps: float | None = None
    frame_count: int | None = None
    sampled_frames: int | None = None


class ClipScore(BaseModel):
    index: int
    start_s: float = Field(description="Time of the clip's first sampled frame.")
    end_s: float = Field(description="Time just after the clip's last sampled frame.")
    frame_indices: list[int]
    label: Literal["Real", "Fake"]
    fake_probability: float


class Box(BaseModel):
    """A face box in the original, upright image's pixels."""

    x1: float
    y1: float
    x2: float
    y2: float


class FaceScore(BaseModel):
    box: Box
    detector_score: float = Field(description="Face detector confidence, 0..1.")
    judged: bool = Field(description="False for faces below LOPT_MIN_FACE_SIZE: listed only.")
    label: Literal["Real", "Fake"] | None = None
    confidence: float | None = None
    fake_probability: float | None = None


class FrameFace(BaseModel):
    frame_index: int
    time_s: float
    box: Box
    fake_probability: float | None = None


class FrameScore(BaseModel):
    frame_index: int
    time_s: float
    fake_probability: float


class TrackScore(BaseModel):
    """One person's face through the sampled frames, and the verdict on it."""

    track_id: int
    judged: bool
    label: Literal["Real", "Fake"] | None = None
    confidence: float | None = None
    fake_probability: float | None = None
    frames: list[FrameFace]


Status = Literal["ok", "no_face", "faces_too_small"]


class Prediction(BaseModel):
    """The verdict on one file."""

    type: Literal["image", "video"]
    label: Literal["Real", "Fake"]
    confidence: float = Field(
        description="How sure the verdict is, 0.5..1: the probability of the returned label "
        "when the threshold is 0.5; with another threshold t, 0.5 at t rising linearly to 1 "
        "at a fake probability of 0 (Real) or 1 (Fake)."
    )
    fake_probability: float = Field(description="Probability that the file is fake, 0..1.")
    probabilities: dict[str, float] = Field(description="Probability of each verdict.")
    threshold: float = Field(description="Fake probability at or above which the verdict is Fake.")
    model: ModelRef
    media: MediaInfo
    status: Status = Field(
        "ok",
        description="ok: faces were judged; no_face / faces_too_small: the whole image or "
        "frames were judged instead, which detectors trained on faces do less reliably.",
    )
    rule: str = Field(description="How the verdict was reached from the scores below.")
    note: str | None = Field(None, description="Anything the reader must know about this verdict.")
    faces: list[FaceScore] | None = Field(None, description="Every face found (images).")
    tracks: list[TrackScore] | None = Field(None, description="One entry per person (videos).")
    frame_scores: list[FrameScore] | None = Field(
        None,
        description="Whole-frame scores, when a video had no judgeable face and no video model.",
    )
    frames_without_face: list[int] | None = Field(
        None, description="Sampled frame indices where no face was found (videos)."
    )
    aggregation: Aggregation | None = Field(
        None,
        description="How series of scores (a person's frames, frames, clips) were combined "
        "(videos only).",
    )
    clips: list[ClipScore] | None = Field(None, description="Per-clip scores (videos only).")
    filename: str | None = None
    elapsed_ms: float = Field(description="Server time spent on this file.")

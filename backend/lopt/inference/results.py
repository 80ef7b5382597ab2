"""What an analysis returns: one schema for the API, the CLI and the web app."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from lopt.config_media import Aggregation
from lopt.inference.model_info import Bands, ModelRef
from lopt.provenance import Provenance

Level = Literal["authentic", "suspicious", "manipulated", "not_applicable"]
LEVEL_TEXT = (
    "authentic: the model finds no sign of manipulation; suspicious: the model cannot tell "
    "reliably, have a person look; manipulated: the model finds signs of manipulation; "
    "not_applicable: this model cannot judge this input (e.g. a face model and no face). "
    "A model's estimate, not proof. Only where the server lets it (LOPT_PROVENANCE_DECIDES) "
    "and `verdict_source` is provenance: manipulated because signed, trusted Content "
    "Credentials declare the file AI-generated."
)
VerdictSource = Literal["model", "provenance"]


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
    raw_fake_probability: float
    verdict: Level


class Box(BaseModel):
    """A face box in the original, upright image's pixels."""

    x1: float
    y1: float
    x2: float
    y2: float


HeatmapMethod = Literal["grad-cam", "attention-rollout"]


class Heatmap(BaseModel):
    """Where the model's evidence for "fake" lies in one judged face: where it looked, not
    proof of manipulation."""

    method: HeatmapMethod = Field(
        description="grad-cam: the fake score's gradient-weighted features of `layer`; "
        "attention-rollout: how much each patch flows into the classifier through every "
        "attention layer (ViT/DeiT only; not specific to fake)."
    )
    layer: str = Field(description="The model layer whose input the map is made from.")
    box: Box = Field(
        description="The region of the original image the map covers: the face crop as the "
        "model saw it. Stretch `image` over it."
    )
    localised: bool = Field(
        description="False: the evidence is absent or spread evenly; no image is drawn, "
        "because any map scaled to its maximum would look like a hot spot."
    )
    concentration: float = Field(
        description="Share of the map's evidence in its hottest 15% of pixels (0.15: even)."
    )
    image: str | None = Field(
        None,
        description="RGBA PNG data URL (LOPT_HEATMAP_SIDE px square), colour and opacity "
        "rising with the evidence; null when not localised.",
    )


class Explanation(BaseModel):
    """Which model drew the heatmaps in this response, and how."""

    model: str = Field(description="The checkpoint whose float32 torch weights made the maps.")
    precision: Literal["float32"] = Field(
        "float32",
        description="Maps need gradients, so they come from the float32 torch model even when "
        "scores come from a reduced path (`/api/models` precision).",
    )
    methods: list[HeatmapMethod]
    layer: str | None = Field(None, description="The layer explained; null: none could be.")
    heatmaps: int = Field(description="How many faces (or video frames) got a map.")
    note: str | None = Field(None, description="Why some or all maps are missing.")


class FaceScore(BaseModel):
    box: Box
    detector_score: float = Field(description="Face detector confidence, 0..1.")
    judged: bool = Field(description="False for faces below LOPT_MIN_FACE_SIZE: listed only.")
    label: Literal["Real", "Fake"] | None = None
    confidence: float | None = None
    fake_probability: float | None = None
    raw_fake_probability: float | None = None
    verdict: Level | None = None
    heatmap: Heatmap | None = Field(None, description="Grad-CAM of this face (explain=true).")
    attention_map: Heatmap | None = Field(
        None, description="Attention rollout of this face (explain=true, ViT/DeiT models)."
    )


class FrameFace(BaseModel):
    frame_index: int
    time_s: float
    box: Box
    fake_probability: float | None = None
    heatmap: Heatmap | None = Field(
        None,
        description="Grad-CAM of this face in this frame (explain=true; only each person's "
        "most suspicious frames, LOPT_HEATMAP_FRAMES).",
    )
    attention_map: Heatmap | None = Field(
        None, description="Attention rollout of this face (explain=true, ViT/DeiT models)."
    )


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
    raw_fake_probability: float | None = None
    verdict: Level | None = None
    frames: list[FrameFace]


Status = Literal["ok", "no_face", "faces_too_small", "face_analysis_off"]


class Prediction(BaseModel):
    """The verdict on one file."""

    type: Literal["image", "video"]
    verdict: Level = Field(description=LEVEL_TEXT)
    verdict_reason: str = Field(description="One line: why this level, in plain words.")
    verdict_source: VerdictSource = Field(
        "model",
        description="model: the classifier's verdict (always, unless the server sets "
        "LOPT_PROVENANCE_DECIDES); provenance: signed, trusted Content Credentials declaring "
        "the file AI-generated decided it, and `model_verdict` keeps the model's own.",
    )
    model_verdict: Level | None = Field(
        None, description="The model's own verdict, when provenance decided `verdict`."
    )
    label: Literal["Real", "Fake"] = Field(
        description="The likelier class (kept for the seed schema); `verdict` is the decision."
    )
    confidence: float = Field(
        description="Probability of `label`, 0.5..1, on the same scale as `fake_probability`."
    )
    fake_probability: float = Field(
        description="Probability that the file is fake, 0..1: calibrated on validation data "
        "when `calibrated` is true, else the model's raw output."
    )
    raw_fake_probability: float = Field(description="The model's own output before calibration.")
    calibrated: bool = Field(description="Whether `fake_probability` is calibrated.")
    probabilities: dict[str, float] = Field(description="Probability of each label.")
    threshold: float = Field(description="Fake probability at or above which `label` is Fake.")
    bands: Bands = Field(description="The verdict levels' edges used for this file.")
    model: ModelRef
    media: MediaInfo
    status: Status = Field(
        "ok",
        description="ok: faces were judged; no_face / faces_too_small / face_analysis_off: "
        "no face was judged, so a face model's verdict is not_applicable (the whole image or "
        "frames were still scored, shown as such).",
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
    heatmap: Heatmap | None = Field(
        None,
        description="Grad-CAM of the whole image (explain=true, when a whole-image model "
        "judged it; face models put theirs on each face).",
    )
    explanation: Explanation | None = Field(
        None, description="Present with explain=true: which model drew the heatmaps, and how."
    )
    provenance: Provenance | None = Field(
        None,
        description="What the file declares about its origin (Content Credentials, metadata), "
        "beside the model's scores and never mixed into them; null when LOPT_PROVENANCE is off.",
    )
    filename: str | None = None
    elapsed_ms: float = Field(description="Server time spent on this file.")

"""Settings of the media a request brings: upload and decoding limits, video sampling and
aggregation, faces, heatmaps and provenance. A part of ``lopt.config.Settings`` (which
adds the models, batching, jobs and the server); each field is ``LOPT_<FIELD>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings

Aggregation = Literal["mean", "max", "median", "top_quarter"]
FaceRule = Literal["per_person", "per_frame"]


class MediaSettings(BaseSettings):
    """Limits and options for the photos and videos Lopt judges."""

    max_upload_bytes: int = Field(
        200 * 1024 * 1024, gt=0, description="Largest accepted upload, in bytes."
    )
    max_image_pixels: int = Field(
        50_000_000,
        gt=0,
        description="Largest accepted image, in pixels (decompression-bomb guard).",
    )
    max_video_seconds: float = Field(600.0, gt=0, description="Longest accepted video, in seconds.")
    max_video_pixels: int = Field(
        3840 * 2160, gt=0, description="Largest accepted video frame, in pixels."
    )
    video_clips: int = Field(
        4, ge=1, le=64, description="Clips sampled uniformly across a video's whole duration."
    )
    video_frames: int = Field(
        16,
        ge=1,
        le=256,
        description="Frames sampled across a video for face analysis when no video model is set.",
    )
    video_frame_side: int = Field(
        1280,
        ge=64,
        le=4096,
        description="Longest side, in px, sampled video frames are decoded at.",
    )
    video_aggregation: Aggregation = Field(
        "mean",
        description="How a series of fake probabilities combines into one (a person's frames, "
        "the per-frame maxima of LOPT_VIDEO_FACE_RULE=per_frame, a video model's clips, whole "
        "frames): mean, max, median, or top_quarter (mean of the highest quarter). People are "
        "not averaged: the most suspicious one decides.",
    )
    video_face_rule: FaceRule = Field(
        "per_person",
        description="How face scores judge a video: per_person (each person's frames "
        "combined, the most suspicious person decides) or per_frame (each frame's most "
        "suspicious face, combined over the frames; the rule of Shiohara and Yamasaki).",
    )

    face_analysis: bool = Field(
        True, description="Find faces and judge each one; off judges the whole image."
    )
    face_margin: float = Field(
        1.3, ge=1.0, le=3.0, description="Face crop side as a multiple of the face box's."
    )
    min_face_size: int = Field(
        32, ge=8, le=1024, description="Faces smaller than this (px) are listed but not judged."
    )
    min_track_frames: int = Field(
        3,
        ge=1,
        le=256,
        description="A person seen in fewer sampled video frames is listed but not judged.",
    )
    max_faces: int = Field(20, ge=1, le=200, description="Most faces judged per image or frame.")
    face_score_threshold: float = Field(
        0.5, gt=0, lt=1, description="Face detector confidence needed to count as a face."
    )
    face_detection_size: int = Field(
        640, ge=64, le=4096, description="Longer side (px) of the copy faces are searched in."
    )
    face_frame_probe_size: int = Field(
        160,
        ge=0,
        le=4096,
        description="When no face is found, longer side (px) of a quick look for one face "
        "filling the whole photo (a tight crop) before the full search of a bordered copy, "
        "which then runs only if the quick look finds one; 0: always the full search.",
    )

    heatmaps: bool = Field(
        True,
        description="Draw heatmaps on request (explain=true). When the image model serves on "
        "a reduced path (bfloat16, int8, ONNX), a float32 torch copy is kept for them; off "
        "frees that copy and explain=true is refused.",
    )
    heatmap_frames: int = Field(
        3,
        ge=1,
        le=32,
        description="Heatmaps per person in a video: that person's most suspicious frames.",
    )
    heatmap_side: int = Field(
        64, ge=16, le=512, description="Side (px) of each heatmap PNG; the page stretches it."
    )
    heatmap_min_concentration: float = Field(
        0.3,
        gt=0.15,
        lt=1.0,
        description="A map is drawn only when its hottest 15% of pixels hold at least this "
        "share of its evidence (0.15: evidence spread evenly); below it, or with no "
        "evidence at all, it is reported as not localised.",
    )

    provenance: bool = Field(
        True,
        description="Read what a file declares about its origin beside the model's verdict: "
        "C2PA Content Credentials (no network: remote manifests and OCSP are never fetched), "
        "EXIF/XMP/IPTC metadata and generator text in PNGs.",
    )
    provenance_trust_list: Path | None = Field(
        None,
        description="PEM file of the certificate authorities whose signers count as trusted; "
        "unset: the C2PA conformance trust list shipped with Lopt.",
    )
    provenance_decides: bool = Field(
        False,
        description="Let signed Content Credentials that chain to the trust list and declare "
        "the file AI-generated decide the verdict (manipulated); off: the verdict stays the "
        "model's and provenance is shown beside it.",
    )
    provenance_max_manifest_bytes: int = Field(
        8 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="Largest C2PA manifest store read, in bytes; a larger one is not checked.",
    )
    provenance_max_xmp_bytes: int = Field(
        512 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        description="Largest XMP packet parsed, in bytes; a larger one is not read.",
    )
    provenance_max_png_text_bytes: int = Field(
        16 * 1024,
        ge=256,
        le=16 * 1024 * 1024,
        description="Longest PNG generation text kept verbatim, in bytes; longer text is cut.",
    )
    provenance_timeout_s: float = Field(
        5.0,
        gt=0,
        le=600,
        description="Seconds provenance reading may take per file before the response goes "
        "without it (with a note).",
    )

    @field_validator("face_frame_probe_size")
    @classmethod
    def _probe_size(cls, value: int) -> int:
        if 0 < value < 32:
            raise ValueError("must be 0 (always the full search) or at least 32 px")
        return value

    @field_validator("provenance_trust_list")
    @classmethod
    def _trust_list_has_certificates(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if not value.is_file():
            raise ValueError("no such file: point it at a PEM file of CA certificates")
        if b"-----BEGIN CERTIFICATE-----" not in value.read_bytes():
            raise ValueError("no PEM certificate in it (-----BEGIN CERTIFICATE-----)")
        return value

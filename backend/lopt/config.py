"""Settings: every knob and every limit, read from ``LOPT_*`` environment variables.

Validated once at start-up; an invalid value stops the service with a message that names
the variable. Tests override ``get_settings`` or build ``Settings(...)`` directly.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict

from lopt.config_media import MediaSettings

Device = Literal["auto", "cpu", "cuda", "mps"]
DType = Literal["auto", "float32", "bfloat16", "float16"]
Precision = Literal["auto", "exact", "bfloat16", "int8", "onnx", "onnx-int8", "onnx-int8-mixed"]
ModelInputSetting = Literal["auto", "face_crops", "whole_image"]

DISABLED = {"", "none", "off", "disabled"}
ENV_PREFIX = "LOPT_"


class Settings(MediaSettings):
    """Lopt's configuration. Each field is the environment variable ``LOPT_<FIELD>``; the
    media limits and options are in ``MediaSettings``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", validate_default=True
    )

    image_model: str = Field(
        "agasta/virtus",
        description="Image detector: a Hugging Face hub id or a local checkpoint folder.",
    )
    image_model_revision: str | None = Field(
        None, description="Hub revision (branch, tag or commit) of the image model."
    )
    video_model: str | None = Field(
        "agasta/scarlet",
        description="Video detector: a hub id or local folder; 'none' disables video analysis.",
    )
    video_model_revision: str | None = Field(
        None, description="Hub revision (branch, tag or commit) of the video model."
    )
    model_fallback: bool = Field(
        True,
        description="Use the embedded detector when the configured hub model cannot be had.",
    )
    image_model_input: ModelInputSetting = Field(
        "auto",
        description="What the image model judges: face_crops (faces are found and each is "
        "judged; no face gives not_applicable) or whole_image; auto: what the checkpoint "
        "declares (lopt_input), face_crops when it declares nothing.",
    )
    image_calibration: Path | None = Field(
        None,
        description="A calibration file from `lopt evaluate --calibrate` (calibration.json) "
        "for an image model that carries none, e.g. a hub model.",
    )
    verdict_authentic_below: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Fake probability below which a verdict is authentic; unset: the "
        "checkpoint's edge (chosen on its validation data).",
    )
    verdict_manipulated_at: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Fake probability at or above which a verdict is manipulated; between "
        "the two edges it is suspicious. Unset: the checkpoint's edge.",
    )
    device: Device = Field("auto", description="Where models run: auto, cpu, cuda or mps.")
    dtype: DType = Field(
        "auto", description="Weight precision: auto (float32 on CPU, float16 on GPU) or explicit."
    )
    precision: Precision = Field(
        "auto",
        description="Inference path: exact (LOPT_DTYPE), bfloat16, int8 or onnx/onnx-int8/"
        "onnx-int8-mixed (from `lopt export`); auto takes a reduced one only where its "
        "recorded agreement with float32 reaches LOPT_MIN_AGREEMENT.",
    )
    min_agreement: float = Field(
        0.99,
        ge=0.5,
        le=1.0,
        description="Share of verdicts a reduced precision must share with float32 for auto "
        "to use it.",
    )
    num_threads: int = Field(
        0,
        ge=0,
        le=256,
        description="Threads per forward pass (torch and ONNX Runtime; an ONNX Runtime call "
        "that overlaps another runs on one); 0: one per core.",
    )
    shadow_samples: int = Field(
        200,
        ge=0,
        le=1_000_000,
        description="With LOPT_PRECISION=auto and no record: live inputs a reduced path is "
        "checked on against float32, in idle time (fastest path first; paths that could no "
        "longer be chosen are left unfinished), before the server switches to the fastest "
        "that agrees (and, after a switch, the window of spot checks that must keep agreeing); "
        "0: no live checks.",
    )
    shadow_budget: float = Field(
        0.1,
        gt=0,
        le=1.0,
        description="Largest share of the inference thread's time live checks may take while "
        "requests are being handled (none runs while any input waits for inference).",
    )
    shadow_spot_check: float = Field(
        0.02,
        ge=0,
        le=1.0,
        description="Share of inputs re-checked against float32, in idle time, while a reduced "
        "path serves; too many disagreements in the last LOPT_SHADOW_SAMPLES switch back.",
    )
    shadow_buffer: int = Field(
        32,
        ge=1,
        le=4096,
        description="Most judged inputs held in memory waiting for a live check; older ones "
        "are dropped, none is written anywhere.",
    )
    shadow_export_timeout_s: float = Field(
        1800.0,
        gt=0,
        description="Longest the background ONNX export for live checks may take.",
    )
    cache_dir: Path | None = Field(
        None,
        description="Folder for ONNX files exported for live checks and their precision "
        "record, one subfolder per model and weights; $XDG_CACHE_HOME/lopt (~/.cache/lopt) "
        "if unset.",
    )
    hub_timeout_s: float = Field(
        3.0, gt=0, le=60, description="Seconds to wait for the Hugging Face Hub before giving up."
    )

    max_batch_size: int = Field(8, ge=1, le=256, description="Most items in one forward pass.")
    max_wait_ms: float = Field(
        0.0,
        ge=0,
        le=10_000,
        description="How long the batcher waits to fill a batch; 0 batches only what is "
        "already queued (measured fastest on small CPUs).",
    )
    queue_depth: int = Field(
        64, ge=1, le=100_000, description="Most items waiting for inference before 503."
    )

    upload_dir: Path | None = Field(
        None,
        description="Folder for in-flight uploads, each deleted after its request; "
        "the system's temporary folder if unset.",
    )

    jobs_dir: Path | None = Field(
        None,
        description="Folder for jobs' media while they wait or run (deleted when a job ends) "
        "and, without LOPT_BROKER_URL, the embedded queue and job store; the system's "
        "temporary folder (lopt-jobs) if unset. Shared by every API replica and worker.",
    )
    broker_url: str | None = Field(
        None,
        description="Celery broker for jobs, e.g. redis://host:6379/0, shared by API replicas "
        "and `lopt worker`s; unset: an embedded queue on disk (one machine).",
    )
    job_store_url: str | None = Field(
        None,
        description="Where job states and results live (redis://...); unset: LOPT_BROKER_URL "
        "when it is Redis, else a SQLite file in LOPT_JOBS_DIR.",
    )
    jobs_worker: bool = Field(
        True,
        description="`lopt serve` also runs jobs in its own process; turn it off where "
        "`lopt worker`s run them (API replicas stay stateless).",
    )
    job_max_files: int = Field(
        500, ge=1, le=100_000, description="Most files in one job (uploaded or inside a zip)."
    )
    job_max_bytes: int = Field(
        2 * 1024**3,
        gt=0,
        description="Largest job in bytes: all its files together, zips counted unpacked.",
    )
    job_max_queued: int = Field(
        16,
        ge=1,
        le=100_000,
        description="Most jobs queued or running at once; beyond it POST /api/jobs gives 503.",
    )
    job_retention_s: float = Field(
        24 * 3600.0,
        gt=0,
        description="Seconds a job's results are kept after it was created; then it reports "
        "expired and its results are deleted.",
    )
    job_visibility_timeout_s: float = Field(
        4 * 3600.0,
        ge=1,
        description="With Redis, seconds before a job taken by a worker that died runs again "
        "on another; must exceed the longest job, or a slow job would run twice.",
    )

    host: str = Field("127.0.0.1", description="Address `lopt serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `lopt serve` listens on.")

    @field_validator("broker_url", "job_store_url", mode="before")
    @classmethod
    def _unset_url(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in DISABLED:
            return None
        return value

    @field_validator("broker_url", "job_store_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://")):
            raise ValueError("must be a redis:// or rediss:// URL, or unset for the embedded queue")
        return value

    @field_validator("video_model", mode="before")
    @classmethod
    def _disable_video(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in DISABLED:
            return None
        return value

    @field_validator("image_model")
    @classmethod
    def _require_image_model(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name a hub id or a local checkpoint folder")
        return value.strip()

    @field_validator("verdict_manipulated_at")
    @classmethod
    def _bands_in_order(cls, value: float | None, info: ValidationInfo) -> float | None:
        below = info.data.get("verdict_authentic_below")
        if value is not None and below is not None and below > value:
            raise ValueError(
                f"must be at least LOPT_VERDICT_AUTHENTIC_BELOW ({below}): between the two "
                "edges lies suspicious"
            )
        return value

    @field_validator("image_calibration")
    @classmethod
    def _calibration_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError("no such file: point it at a calibration.json from lopt evaluate")
        return value


class SettingsError(SystemExit):
    """Raised at start-up for invalid settings; its text names each bad variable."""


def describe_validation_error(error: ValidationError) -> str:
    lines = ["Invalid Lopt settings:"]
    for issue in error.errors():
        field = str(issue["loc"][0]) if issue["loc"] else "?"
        variable = ENV_PREFIX + field.upper()
        value = issue.get("input")
        lines.append(f"  {variable}={value!r}: {issue['msg']}")
    return "\n".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment (and overrides), or exit with a clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()

"""Domain errors shared by every layer.

Each error carries a stable machine-readable ``code``, the HTTP status the API maps it to,
and a message written for the person who sent the file: it says what went wrong and what
to do next. ``media`` and ``inference`` raise these; ``api.errors`` turns them into one
JSON shape.
"""

from __future__ import annotations


class LoptError(Exception):
    """Base class: an error whose message is safe to show to a client."""

    code = "error"
    status_code = 400

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class UnsupportedMedia(LoptError):
    """The bytes are not an image or video format Lopt can read."""

    code = "unsupported_media"
    status_code = 415


class MediaTooLarge(LoptError):
    """The upload passes a configured limit (bytes, pixels, seconds)."""

    code = "media_too_large"
    status_code = 413


class CorruptMedia(LoptError):
    """The format is known but the content cannot be decoded."""

    code = "corrupt_media"
    status_code = 422


class NoFaceFound(LoptError):
    """Face analysis was required but no face was found."""

    code = "no_face_found"
    status_code = 422


class Overloaded(LoptError):
    """The inference queue is full; the client should retry later."""

    code = "overloaded"
    status_code = 503

    def __init__(self, message: str, *, retry_after_s: int = 1) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after_s)})
        self.retry_after_s = retry_after_s


class ModelNotReady(LoptError):
    """The detectors are still loading or warming up."""

    code = "model_not_ready"
    status_code = 503

    def __init__(self, message: str, *, retry_after_s: int = 5) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after_s)})


class ModelLoadError(LoptError):
    """A configured checkpoint cannot be loaded or is not usable; stops start-up."""

    code = "model_load_error"
    status_code = 500


class ModelUnavailable(ModelLoadError):
    """A hub checkpoint is neither cached nor downloadable (no network)."""

    code = "model_unavailable"


class InvalidRequest(LoptError):
    """The HTTP request itself is malformed (no file part, broken multipart body)."""

    code = "invalid_request"
    status_code = 422


class JobNotFound(LoptError):
    """No job has this id (never created, or deleted after its retention)."""

    code = "job_not_found"
    status_code = 404

"""Jobs, their progress and their rows, where every API replica and worker reads them.

Keys: ``job:ID`` (the spec), ``progress:ID``, ``cancel:ID`` (a flag the worker obeys
between files, so a cancel never races a progress write), ``row:ID:N`` (file N's row) and
``cache:SHA256:FINGERPRINT`` (a judged file, so the same bytes with the same model and
settings are never computed twice). Everything expires with the job's retention; a job's
spec and progress are kept one more retention period so that it can say ``expired``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from lopt.config import Settings
from lopt.jobs.keyvalue import KeyValue, RedisKeyValue, SqliteKeyValue
from lopt.jobs.records import FileRow, JobProgress, JobSpec

ACTIVE = ("queued", "running")
# A media folder with no job is left by an upload that died half-way; an upload in
# progress has no job yet either, so only old ones are removed.
ORPHAN_AGE_S = 600.0


def jobs_dir(settings: Settings) -> Path:
    import tempfile

    return settings.jobs_dir or Path(tempfile.gettempdir()) / "lopt-jobs"


def store_url(settings: Settings) -> str | None:
    """The Redis URL of the job store, or None for the embedded SQLite file."""
    return settings.job_store_url or settings.broker_url


class JobStore:
    def __init__(self, kv: KeyValue, media_root: Path, retention_s: float) -> None:
        self.kv = kv
        self.media_root = media_root
        self.retention_s = retention_s

    @classmethod
    def open(cls, settings: Settings) -> JobStore:
        root = jobs_dir(settings)
        url = store_url(settings)
        kv: KeyValue = RedisKeyValue(url) if url else SqliteKeyValue(root / "jobs.sqlite3")
        return cls(kv, root / "media", settings.job_retention_s)

    def close(self) -> None:
        self.kv.close()

    # Where a job's files wait.
    def media_of(self, job_id: str) -> Path:
        return self.media_root / job_id

    def delete_media(self, job_id: str) -> None:
        shutil.rmtree(self.media_of(job_id), ignore_errors=True)

    # The spec, written once.
    def create(self, spec: JobSpec) -> None:
        keep = self._tombstone_ttl(spec)
        self.kv.put(f"progress:{spec.id}", JobProgress().model_dump_json(), keep)
        self.kv.put(f"job:{spec.id}", spec.model_dump_json(), keep)

    def spec(self, job_id: str) -> JobSpec | None:
        text = self.kv.get(f"job:{job_id}")
        return None if text is None else JobSpec.model_validate_json(text)

    def _tombstone_ttl(self, spec: JobSpec) -> float:
        return max(1.0, spec.expires_at + self.retention_s - time.time())

    # Progress.
    def progress(self, spec: JobSpec) -> JobProgress:
        text = self.kv.get(f"progress:{spec.id}")
        progress = JobProgress() if text is None else JobProgress.model_validate_json(text)
        if self.kv.get(f"cancel:{spec.id}") is not None:  # deleted, even once finished
            progress.state = "cancelled"
        if time.time() >= spec.expires_at:
            progress.state = "expired"
        return progress

    def save_progress(self, spec: JobSpec, progress: JobProgress) -> None:
        self.kv.put(f"progress:{spec.id}", progress.model_dump_json(), self._tombstone_ttl(spec))

    def cancelled(self, job_id: str) -> bool:
        return self.kv.get(f"cancel:{job_id}") is not None

    def cancel(self, spec: JobSpec) -> None:
        """Mark cancelled and delete its media and results; the spec stays to say so."""
        ttl = self._tombstone_ttl(spec)
        self.kv.put(f"cancel:{spec.id}", "1", ttl)
        progress = self.progress(spec)
        progress.state, progress.finished_at = "cancelled", progress.finished_at or time.time()
        self.save_progress(spec, progress)
        self.forget_results(spec)

    def forget_results(self, spec: JobSpec) -> None:
        self.delete_media(spec.id)
        rows = [f"row:{spec.id}:{index}" for index in range(len(spec.files))]
        self.kv.delete(*rows)

    # Rows.
    def row(self, job_id: str, index: int) -> FileRow | None:
        text = self.kv.get(f"row:{job_id}:{index}")
        return None if text is None else FileRow.model_validate_json(text)

    def save_row(self, spec: JobSpec, index: int, row: FileRow) -> None:
        ttl = max(1.0, spec.expires_at - time.time())
        self.kv.put(f"row:{spec.id}:{index}", row.model_dump_json(), ttl)

    def rows(self, spec: JobSpec) -> list[FileRow]:
        rows = []
        for index, file in enumerate(spec.files):
            row = self.row(spec.id, index)
            rows.append(row or FileRow(name=file.name, sha256=file.sha256, status="pending"))
        return rows

    # Judged files, shared by every job.
    def cached(self, sha256: str, fingerprint: str) -> FileRow | None:
        text = self.kv.get(f"cache:{sha256}:{fingerprint}")
        return None if text is None else FileRow.model_validate_json(text)

    def cache(self, sha256: str, fingerprint: str, row: FileRow) -> None:
        self.kv.put(f"cache:{sha256}:{fingerprint}", row.model_dump_json(), self.retention_s)

    # Every job.
    def specs(self) -> list[JobSpec]:
        found = (self.spec(key.removeprefix("job:")) for key in self.kv.keys("job:"))
        return [spec for spec in found if spec is not None]

    def active_jobs(self) -> int:
        return sum(1 for spec in self.specs() if self.progress(spec).state in ACTIVE)

    def sweep(self) -> int:
        """Delete the media and rows of jobs past their retention; returns how many."""
        swept = 0
        for spec in self.specs():
            if time.time() >= spec.expires_at and self.media_of(spec.id).exists():
                self.forget_results(spec)
                swept += 1
        self.kv.purge()
        if self.media_root.is_dir():
            for folder in self.media_root.iterdir():
                old = time.time() - folder.stat().st_mtime > ORPHAN_AGE_S
                if old and self.spec(folder.name) is None:  # its job is gone entirely
                    shutil.rmtree(folder, ignore_errors=True)
        return swept

    def fail_running(self, reason: str) -> list[str]:
        """Mark every running job failed (an embedded worker that died left them)."""
        failed = []
        for spec in self.specs():
            progress = self.progress(spec)
            if progress.state == "running":
                progress.state, progress.reason = "failed", reason
                progress.finished_at = time.time()
                self.save_progress(spec, progress)
                self.delete_media(spec.id)
                failed.append(spec.id)
        return failed

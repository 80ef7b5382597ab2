"""``lopt scan``: every image and video under some paths, one row each, without a server.

Files are judged several at a time, so the micro-batcher fills its batches (``lopt
predict`` judges one after another). Each row is written and flushed as soon as its file
is judged, so ``--resume`` after an interruption skips exactly what is in the output.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TextIO

from lopt.inference.service import DetectionService
from lopt.jobs.judge import judge_file
from lopt.jobs.records import FileRow
from lopt.media.formats import extensions

Format = Literal["csv", "jsonl"]
COLUMNS = (
    "path", "sha256", "type", "status", "verdict", "label", "fake_probability",
    "confidence", "error_code", "error_message",
)  # fmt: skip


def find_media(paths: Iterable[Path], recursive: bool) -> Iterator[Path]:
    """Files named on the command line, and the images and videos in folders named there."""
    known = extensions()
    for path in paths:
        if path.is_dir():
            found = path.rglob("*") if recursive else path.iterdir()
            for candidate in sorted(found):
                if candidate.is_file() and candidate.suffix.lower() in known:
                    yield candidate
        else:
            yield path  # a missing or odd file still gets its row, saying why


def row_fields(path: Path, row: FileRow) -> dict[str, object]:
    result, error = row.result, row.error
    return {
        "path": str(path),
        "sha256": row.sha256,
        "type": result.type if result else None,
        "status": row.status,
        "verdict": result.verdict if result else None,
        "label": result.label if result else None,
        "fake_probability": result.fake_probability if result else None,
        "confidence": result.confidence if result else None,
        "error_code": error.code if error else None,
        "error_message": error.message if error else None,
    }


def already_scanned(output: Path, fmt: Format) -> set[Path]:
    """Paths with a row in ``output`` (a half-written last line is not a row)."""
    if not output.is_file():
        return set()
    done: set[Path] = set()
    with output.open(newline="") as source:
        if fmt == "csv":
            for record in csv.DictReader(source):
                if record.get("status") in {"succeeded", "failed"} and record.get("path"):
                    done.add(Path(record["path"]).resolve())
        else:
            for line in source:
                try:
                    done.add(Path(json.loads(line)["path"]).resolve())
                except (ValueError, KeyError, TypeError):
                    continue
    return done


def drop_partial_row(output: Path) -> None:
    """Cut a last line that an interruption left without its newline: it is no row."""
    if not output.is_file() or output.stat().st_size == 0:
        return
    data = output.read_bytes()
    if not data.endswith(b"\n"):
        output.write_bytes(data[: data.rfind(b"\n") + 1])


class RowWriter:
    def __init__(self, sink: TextIO, fmt: Format, header: bool) -> None:
        self.sink, self.fmt = sink, fmt
        self._csv = csv.DictWriter(sink, COLUMNS) if fmt == "csv" else None
        if self._csv and header:
            self._csv.writeheader()

    def write(self, path: Path, row: FileRow) -> None:
        fields = row_fields(path, row)
        if self._csv:
            self._csv.writerow(fields)
        else:
            fields["result"] = row.result.model_dump(mode="json") if row.result else None
            self.sink.write(json.dumps(fields) + "\n")
        self.sink.flush()


@dataclass
class Progress:
    """One line on stderr: files done of total, files per second, time left."""

    total: int
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    done: int = 0
    failed: int = 0
    started: float = 0.0
    shown: float = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        self.show(force=True)

    def step(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        self.show(force=self.done == self.total)

    def show(self, force: bool = False) -> None:
        now = time.monotonic()
        live = self.stream.isatty()
        if not force and now - self.shown < (0.2 if live else 5.0):
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        width = 24
        filled = int(width * self.done / max(self.total, 1))
        bar = "#" * filled + "-" * (width - filled)
        eta = f"{left:.0f}s left" if left == left else "time left unknown"
        text = (
            f"[{bar}] {self.done}/{self.total} files, {self.failed} failed, "
            f"{rate:.1f} files/s, {eta}"
        )
        self.stream.write(("\r" + text) if live else text + "\n")
        if live and self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


async def scan(
    service: DetectionService, files: list[Path], writer: RowWriter, progress: Progress
) -> int:
    """Judge ``files`` a batch at a time; returns how many could not be judged."""
    slots = asyncio.Semaphore(max(1, service.settings.max_batch_size))
    failures = 0

    async def one(path: Path) -> None:
        nonlocal failures
        async with slots:
            row = await judge_file(service, path, path.name)
        failures += row.status == "failed"
        writer.write(path, row)
        progress.step(row.status == "failed")

    progress.start()
    await asyncio.gather(*(one(path) for path in files))
    return failures

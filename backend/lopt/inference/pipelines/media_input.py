"""What every pipeline is handed: a sniffed file on disk, its name, and when work began."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from lopt.media.sniff import SniffedMedia


@dataclass(frozen=True)
class MediaInput:
    path: Path
    sniffed: SniffedMedia
    filename: str | None = None
    started: float = field(default_factory=time.perf_counter)  # perf_counter() at receipt
    explain: bool = False  # heatmaps were asked for

    def elapsed_ms(self) -> float:
        """Server time spent on this file so far (sniffing included)."""
        return round((time.perf_counter() - self.started) * 1000, 1)

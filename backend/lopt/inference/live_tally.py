"""What live precision checks count, and how a path's evidence is shown.

``Tally`` counts one candidate path's agreement with float32 and its speed, step by step;
``Float32Clock`` times float32 in the same steps; ``next_tally`` and ``out_of_contention``
check the fastest paths first and stop checking those ``auto`` could no longer take;
``recorded_status``, ``live_status`` and ``path_check`` turn an ``Agreement`` into what
``/api/models`` shows (``PrecisionCheck``); ``save_live_record`` keeps what live checks
found in the export cache's record.
"""

from __future__ import annotations

import logging
import math
import statistics
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from lopt.inference.detectors import ImageDetector
from lopt.inference.model_info import CheckState, PathCheck, PrecisionCheck
from lopt.inference.precision import (
    MIN_SPEEDUP,
    NEAR_FASTEST,
    Agreement,
    read_record,
    write_record,
)
from lopt.inference.registry import LoadedModel

log = logging.getLogger(__name__)

TIMINGS = 5  # float32 timings per batch size before its cost is taken as known
SPEED_STEPS = 3  # a path's timed steps (after its warm-up step) before its speed is known


def allowed_disagreements(window: int, min_agreement: float) -> int:
    """Most disagreements in ``window`` inputs that still keep ``min_agreement``."""
    return math.floor((1.0 - min_agreement) * window + 1e-9)


@dataclass
class Tally:
    """One candidate path's comparison with float32 so far."""

    precision: str
    detector: ImageDetector
    detail: str = ""  # how the path was made (int8 files: ``int8.describe``)
    samples: int = 0
    disagreements: int = 0
    worst: float = 0.0
    # float32's time over the candidate's, step by step; the first step (warm-up) is left out
    ratios: list[float] = field(default_factory=list)
    steps: int = 0

    def timed(self, seconds: float, reference_seconds: float) -> None:
        self.steps += 1
        if self.steps > 1 and seconds > 0:
            self.ratios.append(reference_seconds / seconds)

    @property
    def speed_known(self) -> bool:
        return len(self.ratios) >= SPEED_STEPS

    def speedup(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None  # robust to spikes

    def agreement(self) -> Agreement:
        speedup = self.speedup()
        return Agreement(
            precision=self.precision,
            samples=self.samples,
            agreement=round(1.0 - self.disagreements / self.samples, 4) if self.samples else 0.0,
            max_probability_difference=round(self.worst, 6),
            speedup=round(speedup, 3) if speedup else None,
            source="live",
            detail=self.detail,
        )


def next_tally(candidates: Sequence[Tally]) -> Tally:
    """The path to check next: one whose speed is not known yet (the least timed first),
    else the fastest. Checking the fastest first lets a decision come after one path's
    inputs instead of every path's, since ``auto`` takes the fastest path that passes."""
    unknown = [tally for tally in candidates if not tally.speed_known]
    if unknown:
        return min(unknown, key=lambda tally: tally.steps)
    return max(candidates, key=lambda tally: tally.speedup() or 0.0)


def out_of_contention(tally: Tally, passed: Iterable[Agreement]) -> str | None:
    """Why ``auto`` (``choose_precision``) can no longer take ``tally``'s path whatever its
    remaining checks show, or None while it still can: it is clearly slower than float32,
    or more than 10% slower than a path that has passed (within 10%, speed is noise and the
    path closest to float32 is taken, so such a path is checked to the end)."""
    if not tally.speed_known:
        return None
    speed = tally.speedup() or 0.0
    if speed < NEAR_FASTEST * MIN_SPEEDUP:
        return f"{speed:.2f}x float32's speed: not faster"
    best = max(passed, key=lambda result: result.speedup or 0.0, default=None)
    if best is not None and best.speedup and speed < NEAR_FASTEST * best.speedup:
        return f"{speed:.2f}x float32's speed: {best.precision} passed at {best.speedup:.2f}x"
    return None


@dataclass
class Held:
    """A judged input waiting for its checks: the tensor, what the served path said, and
    float32's answer (the served one while float32 serves; else computed when checked)."""

    tensor: torch.Tensor
    served: float
    float32: float | None = None
    done: set[str] = field(default_factory=set)


class Float32Clock:
    """Float32's seconds per input, by batch size, timed in the checks' own steps (served
    passes are timed in other conditions: other threads, cold caches)."""

    def __init__(self) -> None:
        self._per_item: dict[int, deque[float]] = {}

    def add(self, size: int, seconds: float) -> None:
        self._per_item.setdefault(size, deque(maxlen=4 * TIMINGS)).append(seconds / size)

    def known(self, size: int) -> bool:
        return len(self._per_item.get(size, ())) >= TIMINGS

    def seconds(self, size: int) -> float:
        return statistics.median(self._per_item[size]) * size


def recorded_status(loaded: LoadedModel, min_agreement: float) -> PrecisionCheck | None:
    """What ``/api/models`` shows without live checks: the record ``auto`` used, if any."""
    evidence: Agreement | None = loaded.precision_evidence
    if evidence is None:
        return None
    return PrecisionCheck(
        state="reduced",
        source=evidence.source,
        samples=evidence.samples,
        agreement=evidence.agreement,
        speedup=evidence.speedup,
        paths=[path_check(evidence, min_agreement)],
        note=evidence_note(loaded),
    )


def evidence_note(loaded: LoadedModel) -> str:
    evidence: Agreement | None = loaded.precision_evidence
    if evidence is None:
        return "Float32 serves."
    where = "live inputs" if evidence.source == "live" else "`lopt export --check` inputs"
    how = f" ({evidence.detail})" if evidence.detail else ""
    return (
        f"{loaded.precision}{how} serves: it agreed with float32 on {evidence.agreement:.1%} "
        f"of {evidence.samples} {where}, {evidence.speedup}x as fast."
    )


def path_check(
    result: Agreement,
    min_agreement: float,
    left_unfinished: str | None = None,
    *,
    checking: bool = False,
) -> PathCheck:
    """What ``/api/models`` shows of one path; one still being checked (``checking``) or
    left unfinished does not pass, whatever its first inputs showed."""
    return PathCheck(
        precision=result.precision,
        detail=result.detail,
        samples=result.samples,
        agreement=result.agreement,
        max_probability_difference=result.max_probability_difference,
        speedup=result.speedup,
        passes=not checking and left_unfinished is None and result.passes(min_agreement),
        left_unfinished=left_unfinished,
    )


def summary(record: dict[str, Agreement]) -> str:
    return ", ".join(
        f"{a.precision} {a.agreement:.1%} of {a.samples}, {a.speedup}x" for a in record.values()
    )


def live_status(
    state: CheckState,
    note: str,
    loaded: LoadedModel,
    min_agreement: float,
    finished: dict[str, Agreement],
    unfinished: dict[str, tuple[Agreement, str]],
    tallies: dict[str, Tally],
    spot: tuple[int, float | None],
) -> PrecisionCheck:
    """What ``/api/models`` shows of live checks: every path finished, left unfinished
    (and why) or still being checked, and the evidence of the path that serves."""
    evidence: Agreement | None = loaded.precision_evidence
    paths = [path_check(a, min_agreement) for a in finished.values()]
    paths += [path_check(a, min_agreement, why) for a, why in unfinished.values()]
    paths += [
        path_check(t.agreement(), min_agreement, checking=True)
        for name, t in tallies.items()
        if name not in finished and name not in unfinished
    ]
    if not paths and evidence is not None:
        paths = [path_check(evidence, min_agreement)]
    spot_checks, spot_agreement = spot
    return PrecisionCheck(
        state=state,
        source=evidence.source if evidence else None,
        samples=evidence.samples if evidence else 0,
        agreement=evidence.agreement if evidence else None,
        speedup=evidence.speedup if evidence else None,
        spot_checks=spot_checks,
        spot_agreement=spot_agreement,
        paths=paths,
        note=note or evidence_note(loaded),
    )


def save_live_record(folder: Path | None, results: Iterable[Agreement]) -> None:
    """Merge ``results`` into the record in ``folder`` (``source: live``); None: nothing."""
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        kept = read_record(folder)
        for result in results:
            kept[result.precision] = result
        write_record(folder, list(kept.values()), data="live inputs", source="live")
    except OSError as error:
        log.warning("Cannot write the live precision record in %s: %s", folder, error)

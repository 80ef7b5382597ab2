"""The paths checked against float32 on live inputs, and how far each has got.

``Validation`` holds the inputs the server has just judged (``held``, memory only), the
candidate paths (``tallies``), the ones checked to the end or to their failure
(``finished``) and those ``auto`` could no longer take (``unfinished``, with why). Each
``step`` runs the path ``next_tally`` picks on a few held inputs it has not judged yet,
with float32's answers for them (timed in the same step where not known), and counts
agreement. ``LiveCheck`` decides when steps run and what serves.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import replace
from pathlib import Path

import torch

from lopt.inference.detectors import ImageDetector
from lopt.inference.int8 import describe
from lopt.inference.live_tally import (
    Float32Clock,
    Held,
    Tally,
    allowed_disagreements,
    next_tally,
    out_of_contention,
)
from lopt.inference.precision import Agreement, same_answer
from lopt.inference.registry import LoadedModel

log = logging.getLogger(__name__)


class Validation:
    def __init__(
        self, reference: ImageDetector, *, window: int, min_agreement: float, buffer: int
    ) -> None:
        """``reference``: float32; ``window``: inputs a path is checked on to pass;
        ``buffer``: most judged inputs held for checking."""
        self.reference = reference
        self.window = window
        self.min_agreement = min_agreement
        self.clock = Float32Clock()
        self.tallies: dict[str, Tally] = {}
        self.finished: dict[str, Agreement] = {}
        # paths no longer checked because auto could not take them: where they got, and why
        self.unfinished: dict[str, tuple[Agreement, str]] = {}
        self.held: deque[Held] = deque(maxlen=buffer)

    def add(self, name: str, loaded: LoadedModel, skip: set[int] | None = None) -> None:
        """A candidate path to check; held inputs whose tensors' ids are in ``skip`` are
        not checked on it."""
        for item in self.held:
            if skip and id(item.tensor) in skip:
                item.done.add(name)
        detector = ImageDetector(replace(loaded, precision=name))
        file = getattr(loaded.model, "path", None)
        detail = describe(file) if isinstance(file, Path) else ""
        self.tallies[name] = Tally(name, detector, detail=detail)

    def is_open(self, name: str) -> bool:
        """Still being checked: neither finished nor left unfinished."""
        return name not in self.finished and name not in self.unfinished

    def open_paths(self) -> list[str]:
        return [name for name in self.tallies if self.is_open(name)]

    def passed(self) -> list[Agreement]:
        return [a for a in self.finished.values() if a.passes(self.min_agreement)]

    def record(self) -> dict[str, Agreement]:
        """What the precision record keeps: the paths checked to the end or to their
        failure, and those left unfinished whose numbers could not pass anyway (not faster
        than float32), so a restart knows them. One left unfinished because a faster path
        passed is not kept: its few inputs would pass it as if checked on them all."""
        record = {name: self.finished[name] for name in self.tallies if name in self.finished}
        for name, (result, _) in self.unfinished.items():
            if not result.passes(self.min_agreement):
                record[name] = result
        return record

    def step(self, items_per_step: int, *, drop_checked: bool) -> Tally | None:
        """Run the next candidate on up to ``items_per_step`` held inputs; the tally it
        ran, or None when there was nothing to check. ``drop_checked``: let go of held
        inputs every open path has judged (not while more paths may still be added)."""
        todo = {t.precision: self._todo(t, items_per_step) for t in self.tallies.values()}
        open_tallies = [t for t in self.tallies.values() if todo[t.precision]]
        if not open_tallies:
            return None
        tally = next_tally(open_tallies)
        items = todo[tally.precision]
        batch = torch.stack([item.tensor for item in items])
        started = time.perf_counter()
        got = tally.detector.predict(batch)
        seconds = time.perf_counter() - started
        unknown = any(item.float32 is None for item in items)
        if unknown or not self.clock.known(len(items)):  # float32 on the same batch, timed
            started = time.perf_counter()
            float32 = self.reference.predict(batch)
            self.clock.add(len(items), time.perf_counter() - started)
            for item, value in zip(items, float32, strict=True):
                item.float32 = float(value) if item.float32 is None else item.float32
        tally.timed(seconds, self.clock.seconds(len(items)))
        for item, value in zip(items, got, strict=True):
            item.done.add(tally.precision)
            reference = item.float32
            assert reference is not None
            expected = self.reference.decide(reference)
            tally.disagreements += not same_answer(expected, tally.detector.decide(float(value)))
            tally.worst = max(tally.worst, abs(float(value) - reference))
        tally.samples += len(items)
        if tally.samples >= self.window or self.failed(tally):
            self.finished[tally.precision] = tally.agreement()
        self._leave_unfinished()
        if drop_checked:
            everyone = set(self.open_paths())
            while self.held and everyone <= self.held[0].done:
                self.held.popleft()
        return tally

    def failed(self, tally: Tally) -> bool:
        return tally.disagreements > allowed_disagreements(self.window, self.min_agreement)

    def _todo(self, tally: Tally, count: int) -> list[Held]:
        if not self.is_open(tally.precision):
            return []
        return [item for item in self.held if tally.precision not in item.done][:count]

    def _leave_unfinished(self) -> None:
        """Stop checking the paths ``auto`` could no longer take."""
        passed = self.passed()
        for name, tally in self.tallies.items():
            if self.is_open(name) and (why := out_of_contention(tally, passed)):
                self.unfinished[name] = (tally.agreement(), why)
                log.info("Live checks: %s left unfinished (%s)", name, why)

"""Reduced precision proven on the traffic the server really sees.

With ``LOPT_PRECISION=auto`` and no record, a server starts in float32 and keeps the model
inputs it has just judged (in memory only, at most ``LOPT_SHADOW_BUFFER``, never written
anywhere). While no input waits for inference, and within ``LOPT_SHADOW_BUDGET`` of the
inference thread's time while requests are being handled, it runs the candidate paths on
them — torch int8 and bfloat16 (where the CPU has it) at once, ONNX float32 and int8 once
a background process has exported them into the export cache — and counts agreement
(same verdict level and label), the largest probability gap and the time against
float32's. Paths are checked fastest first (each is timed on a few steps, then the fastest
open one takes the inputs), and a path stops being checked as soon as ``auto`` could no
longer take it: clearly slower than float32, or more than 10% slower than a path that
has passed. As soon as a path has passed, it serves while the paths within 10% of its
speed are still checked (float32's answers for the inputs it judged are then computed by
the check), and the choice becomes final, by ``auto``'s rule, once they are done. Where
ONNX int8 disagrees, it does not give up on int8: a second background process gets the
last ``CALIBRATION`` judged inputs through a pipe, measures which weight multiplications
int8 hurts most on them, and writes ``onnx-int8-mixed`` (those kept in float32), which is
then checked like the others on inputs judged after it. Once every path is checked to the end
(``LOPT_SHADOW_SAMPLES`` inputs), failed or left unfinished, it writes the record of the
checked ones into the export cache (``lopt_precision.json``, ``source: live``), and
switches to the path ``auto`` would take from that record (``choose_precision``). A
restart reads the record and starts there.

While a reduced path serves, a ``LOPT_SHADOW_SPOT_CHECK`` share of its inputs is judged
again in float32 in idle time (``live_spot``); when the last ``LOPT_SHADOW_SAMPLES`` spot
checks hold more disagreements than ``LOPT_MIN_AGREEMENT`` allows, float32 serves again,
the record says so, and the log and ``/api/models`` say why.

Steps run on the inference thread, one small batch at a time, so they never overlap a
forward pass; a request's items queued during a step wait for that step only. What the
checks hold and count is ``live_validation.Validation``; this module decides when they run
and what serves.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from lopt.config import Settings
from lopt.inference.detectors import ImageDetector
from lopt.inference.int8 import CALIBRATION
from lopt.inference.live_candidates import mixed_candidate, onnx_candidates, torch_candidates
from lopt.inference.live_spot import SpotChecks
from lopt.inference.live_tally import (
    Held,
    Tally,
    evidence_note,
    live_status,
    out_of_contention,
    save_live_record,
    summary,
)
from lopt.inference.live_validation import Validation
from lopt.inference.model_info import CheckState, PrecisionCheck
from lopt.inference.precision import (
    Agreement,
    choose_precision,
    usable_record,
)
from lopt.inference.registry import LoadedModel

log = logging.getLogger(__name__)

POLL_S = 0.02  # how often the idle check looks
MAX_BURST_S = 1.0  # budget carried over from quiet time
STEP_ITEMS = 4  # inputs per step: short enough that a queued request barely waits


class LiveCheck:
    def __init__(
        self,
        detector: ImageDetector,
        settings: Settings,
        *,
        executor: Executor,
        waiting: Callable[[], bool],
        busy: Callable[[], bool],
        folder: Path | None,
        bf16_capable: bool,
    ) -> None:
        """``waiting``: an input is queued for inference; ``busy``: a request is in flight;
        ``folder``: the export cache folder of this model (None: nothing is exported or
        recorded)."""
        self.detector = detector
        self.settings = settings
        self._executor = executor
        self._waiting = waiting
        self._busy = busy
        self.folder = folder
        self._bf16 = bf16_capable
        self.window = settings.shadow_samples
        loaded = detector.loaded
        float32_model = loaded.model if loaded.precision == "exact" else loaded.reference_model
        self.float32 = replace(
            loaded,
            model=float32_model,
            dtype=torch.float32,
            precision="exact",
            precision_evidence=None,
        )
        self.reference = ImageDetector(self.float32)
        self.validation = Validation(
            self.reference,
            window=self.window,
            min_agreement=settings.min_agreement,
            buffer=settings.shadow_buffer,
        )
        self.recent: deque[torch.Tensor] = deque(maxlen=CALIBRATION)  # memory only
        self.mixed = "not_needed"  # -> wanted (onnx-int8 failed) -> making -> done
        self.spot = SpotChecks(settings, self.window)
        self.exports_done = folder is None or loaded.folder is None
        self._events = 0  # inputs observed and candidates added: new work may be there
        self.note = ""
        self.state: CheckState
        if loaded.precision != "exact":
            self.state = "reduced"
        elif usable_record([loaded.folder, folder]):
            self.state = "exact"  # a record has decided: no path agreed or was faster
            self.note = "Float32 serves: no reduced path in the record agrees and is faster."
        else:
            self.state = "validating"
            self.note = "Float32 serves while reduced paths are checked on live inputs."

    @property
    def active(self) -> bool:
        return self.state in ("validating", "reduced")

    @property
    def tallies(self) -> dict[str, Tally]:
        return self.validation.tallies

    # -- on the inference thread, after each forward pass -------------------------------

    def observe(self, inputs: list[torch.Tensor], outputs: np.ndarray, seconds: float) -> None:
        """Take note of a served batch (called by the batcher, on the inference thread)."""
        serving = self.detector.loaded.precision
        if self.state == "validating":
            exact = serving == "exact"  # else a path that passed serves until the choice is final
            self.validation.held.extend(
                Held(t, float(o), float(o) if exact else None)
                for t, o in zip(inputs, outputs, strict=True)
            )
            self.recent.extend(inputs)
            self._events += 1
        elif self.state == "reduced" and self.spot.offer(inputs, outputs):
            self._events += 1

    # -- the loop ----------------------------------------------------------------------

    async def run(self) -> None:
        """Check in idle time until a path is chosen (or, serving reduced, forever)."""
        if not self.active:
            return
        loop = asyncio.get_running_loop()
        exports = None
        if self.state == "validating":
            made = await asyncio.to_thread(torch_candidates, self.float32, bf16=self._bf16)
            for name, loaded in made:
                await loop.run_in_executor(self._executor, self._add, name, loaded)
            exports = asyncio.create_task(self._add_onnx_candidates())
        allowance, last, idle_at = 0.0, loop.time(), -1
        mixed = None
        try:
            while self.active:
                await asyncio.sleep(POLL_S)
                if self.mixed == "wanted":
                    self.mixed = "making"
                    mixed = asyncio.create_task(self._add_mixed_candidate())
                now = loop.time()
                allowance = min(MAX_BURST_S, allowance + self.settings.shadow_budget * (now - last))
                last = now
                if self._events == idle_at or self._waiting():
                    continue  # nothing new since the last empty step, or a request waits
                busy = self._busy()
                if busy and allowance <= 0:
                    continue
                events = self._events
                started = time.perf_counter()
                worked = await loop.run_in_executor(self._executor, self._step)
                if busy:
                    allowance -= time.perf_counter() - started
                if not worked:
                    idle_at = events
        finally:
            for task in (exports, mixed):
                if task is not None and not task.done():
                    task.cancel()

    def _step(self) -> bool:
        """One small piece of checking, on the inference thread; False: there was none."""
        if self.state == "validating":
            if self._decided():
                self._decide()
                return True
            return self._validation_step()
        if self.state == "reduced" and self.spot.waiting:
            if self.spot.step(self.reference, self.detector, STEP_ITEMS):
                self._switch_back()
            return True
        return False

    # -- validation ----------------------------------------------------------------------

    async def _add_onnx_candidates(self) -> None:
        try:
            if self.folder is not None:
                loop = asyncio.get_running_loop()
                for name, loaded in await onnx_candidates(self.float32, self.folder, self.settings):
                    await loop.run_in_executor(self._executor, self._add, name, loaded)
        finally:
            self.exports_done = True
            self._events += 1

    async def _add_mixed_candidate(self) -> None:
        """Make and add ``onnx-int8-mixed`` from the last judged inputs (in a child process)."""
        try:
            if self.folder is not None and self.recent:
                used = list(self.recent)
                loaded = await mixed_candidate(self.float32, self.folder, used, self.settings)
                if loaded is not None:
                    skip = {id(tensor) for tensor in used}  # checked on other inputs only
                    loop = asyncio.get_running_loop()
                    await loop.run_in_executor(
                        self._executor, self._add, "onnx-int8-mixed", loaded, skip
                    )
        finally:
            self.mixed = "done"
            self._events += 1

    def _add(self, name: str, loaded: LoadedModel, skip: set[int] | None = None) -> None:
        """A candidate path to check (on the inference thread); held inputs whose tensors'
        ids are in ``skip`` are not checked on it."""
        self.validation.add(name, loaded, skip)
        self._events += 1

    def _validation_step(self) -> bool:
        """Run the next candidate on up to STEP_ITEMS held inputs (``Validation.step``)."""
        validation = self.validation
        # until the exports are in, the ONNX paths still need every held input
        tally = validation.step(STEP_ITEMS, drop_checked=self.exports_done)
        if tally is None:
            return False
        if tally.precision == "onnx-int8" and validation.failed(tally):
            # the mixed file is never faster than onnx-int8: worth making only where
            # onnx-int8's own speed could still have been chosen
            faster = out_of_contention(tally, validation.passed()) is None
            self.mixed = "wanted" if self.folder is not None and faster else "done"
        self._serve_what_passed()
        return True

    def _serve_what_passed(self) -> None:
        """Serve the fastest path that has passed while the rest are checked (the choice
        is not final, so nothing is recorded yet: a restart checks again)."""
        passed = self.validation.passed()
        if not passed or self._decided():
            return
        best = max(passed, key=lambda result: result.speedup or 0.0)
        if self.detector.loaded.precision == best.precision:
            return
        self._serve(best.precision, best)
        waiting = ", ".join(self.validation.open_paths()) or "paths still made"
        self.note = (
            f"{evidence_note(self.detector.loaded)} It serves while the paths as fast as it "
            f"(within 10%) are still checked ({waiting}); then auto chooses among them."
        )
        log.warning("Serving %s for now after live checks: %s", best.precision, self.note)

    def _serve(self, name: str, evidence: Agreement) -> None:
        self.detector.loaded = replace(
            self.validation.tallies[name].detector.loaded,
            reference_model=self.float32.model,
            precision_evidence=evidence,
        )

    def _decided(self) -> bool:
        mixed_settled = self.mixed in ("not_needed", "done")
        return self.exports_done and mixed_settled and not self.validation.open_paths()

    def _decide(self) -> None:
        """Write the record (``Validation.record``) and serve the path ``auto`` takes from
        it (inference thread)."""
        validation = self.validation
        record = validation.record()
        choice = choose_precision(
            "auto",
            torch.device("cpu"),
            record,
            min_agreement=self.settings.min_agreement,
            bf16_capable=self._bf16,
        )
        save_live_record(self.folder, record.values())
        served = validation.tallies.get(choice)
        validation.held.clear()
        self.recent.clear()
        if served is None:
            self.detector.loaded = self.float32
            self.state = "exact"
            self.note = (
                "Float32 serves: no reduced path agreed with it and was faster on "
                f"{self.window} live inputs."
            )
            log.info("Live checks done: %s; float32 keeps serving", summary(record))
        else:
            self._serve(choice, record[choice])
            self.state = "reduced"
            self.note = evidence_note(self.detector.loaded)
            log.warning(
                "Switched %s to %s after live checks: %s",
                self.float32.model_id,
                choice,
                summary(record),
            )
        validation.tallies = {}  # frees the candidates not chosen

    # -- spot checks ---------------------------------------------------------------------

    def _switch_back(self) -> None:
        loaded = self.detector.loaded
        failed = self.spot.failure(loaded.precision)
        self.detector.loaded = self.float32
        self.state = "switched_back"
        self.note = (
            f"Float32 serves again: {loaded.precision} agreed with float32 on only "
            f"{failed.agreement:.1%} of {failed.samples} spot checks."
        )
        self.spot.waiting.clear()
        save_live_record(self.folder, [failed])
        log.warning("Switched %s back to float32: %s", loaded.model_id, self.note)

    # -- what /api/models shows --------------------------------------------------------

    def status(self) -> PrecisionCheck:
        return live_status(
            self.state,
            self.note,
            self.detector.loaded,
            self.settings.min_agreement,
            dict(self.validation.finished),  # copies: the inference thread changes them
            dict(self.validation.unfinished),
            dict(self.validation.tallies),
            self.spot.tally(),
        )

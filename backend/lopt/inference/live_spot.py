"""Spot checks of a reduced path in service: a share of its inputs judged again in float32.

``LOPT_SHADOW_SPOT_CHECK`` of the served inputs are kept (memory only, at most
``LOPT_SHADOW_BUFFER``) with the answer the reduced path gave; in idle time they are
judged in float32, and when the last ``LOPT_SHADOW_SAMPLES`` checks hold more
disagreements than ``LOPT_MIN_AGREEMENT`` allows, the path has failed on live inputs.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import torch

from lopt.config import Settings
from lopt.inference.detectors import ImageDetector
from lopt.inference.live_tally import Held, allowed_disagreements
from lopt.inference.precision import Agreement, same_answer


class SpotChecks:
    def __init__(self, settings: Settings, window: int) -> None:
        self.share = settings.shadow_spot_check
        self.min_agreement = settings.min_agreement
        self.window = window
        self.waiting: deque[Held] = deque(maxlen=settings.shadow_buffer)
        self.results: deque[bool] = deque(maxlen=max(1, window))  # True: disagreed
        self.worst = 0.0
        self._credit = 0.0

    def offer(self, inputs: list[torch.Tensor], outputs: np.ndarray) -> bool:
        """Keep this share of a served batch (inference thread); True if any was kept."""
        kept = False
        for tensor, output in zip(inputs, outputs, strict=True):
            self._credit += self.share
            if self._credit >= 1.0:
                self._credit -= 1.0
                self.waiting.append(Held(tensor, float(output)))
                kept = True
        return kept

    def step(self, reference: ImageDetector, serving: ImageDetector, items: int) -> bool:
        """Judge up to ``items`` kept inputs in float32; True once the path has failed."""
        batch = [self.waiting.popleft() for _ in range(min(items, len(self.waiting)))]
        if not batch:
            return False
        float32 = reference.predict(torch.stack([item.tensor for item in batch]))
        for item, value in zip(batch, float32, strict=True):
            expected = reference.decide(float(value))
            self.results.append(not same_answer(expected, serving.decide(item.served)))
            self.worst = max(self.worst, abs(float(value) - item.served))
        return sum(self.results) > allowed_disagreements(self.window, self.min_agreement)

    def tally(self) -> tuple[int, float | None]:
        """How many spot checks the window holds, and their agreement (None: none yet)."""
        results = list(self.results)  # one copy: the inference thread appends
        return len(results), round(1 - sum(results) / len(results), 4) if results else None

    def failure(self, precision: str) -> Agreement:
        """What the spot checks found, for the record, once the path has failed."""
        checks, agreement = self.tally()
        return Agreement(
            precision=precision,
            samples=checks,
            agreement=agreement or 0.0,
            max_probability_difference=round(self.worst, 6),
            speedup=None,
            source="live",
        )

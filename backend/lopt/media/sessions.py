"""ONNX Runtime sessions that spread a call over several cores only while it runs alone.

ONNX Runtime splits one call over ``intra_op_num_threads`` cores. For a lone request that
cuts the wait, but the split is not free: on a 2-core AMD EPYC VM, CenterFace's 640 px
search took 52 ms of CPU spread over two threads against 39 ms on one, the embedded
classifier 28 against 17. When other requests keep every core busy anyway, the split
buys nothing and its overhead is taken from them. So each model gets two sessions over
the same graph, one spread over ``num_threads`` cores and one on a single thread, and a
call takes the spread one only while no other call of a ``SharedCoresSession`` in this
process is running (face searches and forward passes alike): one request at a time is as
quick as before, and under load every call runs on one core, side by side.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

import onnxruntime as ort

_lock = threading.Lock()
_running = 0  # calls of any SharedCoresSession in flight in this process


@contextlib.contextmanager
def in_flight() -> Iterator[bool]:
    """Count a call as running in this process while the block runs; yield whether it
    started alone (no other call was running)."""
    global _running
    with _lock:
        alone = _running == 0
        _running += 1
    try:
        yield alone
    finally:
        with _lock:
            _running -= 1


def session_options(num_threads: int) -> ort.SessionOptions:
    """Lopt's options for a CPU session: quiet, idle threads asleep rather than spinning
    (decoding and other sessions in other threads keep the cores)."""
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = num_threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


class SharedCoresSession:
    """Two CPU sessions of one model: ``num_threads`` cores (0: one per core) for a call
    that runs alone, one thread for a call that overlaps another.

    ``run`` has ``InferenceSession.run``'s signature; ``spread_calls`` and
    ``single_calls`` count which session answered. With ``num_threads`` 1, or on a
    single core, there is only the one-thread session.
    """

    def __init__(self, model: str | bytes, num_threads: int = 0) -> None:
        if num_threads < 0:
            raise ValueError("num_threads must be 0 (one per core) or more")
        providers = ["CPUExecutionProvider"]
        self.single = ort.InferenceSession(model, session_options(1), providers=providers)
        spread = num_threads != 1 and (os.cpu_count() or 1) > 1
        self.spread = (
            ort.InferenceSession(model, session_options(num_threads), providers=providers)
            if spread
            else self.single
        )
        self.spread_calls = 0
        self.single_calls = 0

    def get_inputs(self) -> Any:
        return self.single.get_inputs()

    def run(self, output_names: list[str] | None, feed: dict[str, Any]) -> list[Any]:
        with in_flight() as alone:
            spread = alone and self.spread is not self.single
            with _lock:
                if spread:
                    self.spread_calls += 1
                else:
                    self.single_calls += 1
            session = self.spread if spread else self.single
            result: list[Any] = session.run(output_names, feed)
            return result

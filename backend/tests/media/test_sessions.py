"""Sessions that spread a call over the cores only while it runs alone."""

from __future__ import annotations

import threading

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from lopt.media import sessions
from lopt.media.sessions import SharedCoresSession, in_flight


def conv_model() -> bytes:
    """A small real graph (two 3x3 convolutions) with a dynamic input size."""
    rng = np.random.default_rng(0)
    weights = [
        helper.make_tensor(f"w{i}", TensorProto.FLOAT, shape, rng.normal(size=shape).ravel())
        for i, shape in enumerate([(8, 3, 3, 3), (4, 8, 3, 3)])
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w0"], ["h"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["h"], ["r"]),
        helper.make_node("Conv", ["r", "w1"], ["y"], pads=[1, 1, 1, 1]),
    ]
    graph = helper.make_graph(
        nodes,
        "probe",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, "h", "w"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, "h", "w"])],
        weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


@pytest.fixture(scope="module")
def session() -> SharedCoresSession:
    return SharedCoresSession(conv_model(), num_threads=2)


def feed(side: int = 64) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(side)
    return {"x": rng.normal(size=(1, 3, side, side)).astype(np.float32)}


def test_a_lone_call_is_spread_and_an_overlapping_one_runs_on_one_thread(
    session: SharedCoresSession,
) -> None:
    spread, single = session.spread_calls, session.single_calls
    [alone] = session.run(None, feed())
    assert (session.spread_calls, session.single_calls) == (spread + 1, single)

    with in_flight() as first:  # another search or forward pass is running
        assert first
        [beside] = session.run(None, feed())
    assert (session.spread_calls, session.single_calls) == (spread + 1, single + 1)
    np.testing.assert_allclose(beside, alone, rtol=1e-5, atol=1e-5)

    session.run(None, feed())  # nothing runs any more: spread again
    assert session.spread_calls == spread + 2


def test_calls_from_many_threads_all_answer_and_leave_nothing_counted(
    session: SharedCoresSession,
) -> None:
    expected = session.run(None, feed(96))[0]
    results: list[np.ndarray] = []
    before = session.spread_calls + session.single_calls

    def call() -> None:
        for _ in range(5):
            results.append(session.run(None, feed(96))[0])

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 20
    for result in results:
        np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-5)
    assert session.spread_calls + session.single_calls == before + 20
    assert sessions._running == 0
    with in_flight() as alone:
        assert alone


def test_one_thread_asked_for_means_one_session() -> None:
    only = SharedCoresSession(conv_model(), num_threads=1)
    only.run(None, feed())
    assert only.spread is only.single
    assert (only.spread_calls, only.single_calls) == (0, 1)
    assert [value.name for value in only.get_inputs()] == ["x"]


def test_a_negative_thread_count_is_refused() -> None:
    with pytest.raises(ValueError, match="num_threads"):
        SharedCoresSession(conv_model(), num_threads=-1)

"""A spawned training worker stops when the command that started it is gone."""

from __future__ import annotations

import os

import pytest

from lopt.training.workers import while_parent_lives


def test_a_worker_goes_on_while_its_parent_lives_and_stops_when_it_is_gone() -> None:
    assert list(while_parent_lives(range(3), os.getppid())) == [0, 1, 2]
    assert list(while_parent_lives(range(3), None)) == [0, 1, 2]  # work in the command itself
    items = while_parent_lives(range(3), parent=-1)  # no process is anyone's parent -1
    with pytest.raises(SystemExit, match="has stopped"):
        next(items)

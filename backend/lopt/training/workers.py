"""Worker processes that stop with the command that started them.

``lopt train`` crops faces and computes face descriptors in spawned processes. Stopped
with a signal, the parent dies but such workers would go on alone, on every core, until
their whole share is done; each checks that its parent still lives between items.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def while_parent_lives(items: Iterable[T], parent: int | None) -> Iterator[T]:
    """``items`` one by one while process ``parent`` is this process's parent (None: work
    done in the command's own process, nothing to check)."""
    for item in items:
        if parent is not None and os.getppid() != parent:
            raise SystemExit(f"the process that started this worker ({parent}) has stopped")
        yield item

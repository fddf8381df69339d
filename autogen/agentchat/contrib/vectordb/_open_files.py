"""Files a database keeps open in its folder, and waiting until they are closed.

chromadb (1.x) closes a folder's SQLite connections on its own worker threads after the last client of the folder
lets go, a moment after ``Client.close()`` returns; waiting here makes closing a store give its files back before
``close()`` returns. Reads ``/proc/self/fd`` (Linux); elsewhere nothing is known to be open, and nothing is awaited.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Callable, FrozenSet, Tuple

__all__ = ["open_files_in", "wait_until_closed"]

logger = logging.getLogger(__name__)

FD_DIR = "/proc/self/fd"
WAIT_SECONDS = 10.0  # a worker thread of a busy machine closes its file in milliseconds; this only bounds a stuck one

OpenFile = Tuple[str, str]  # (descriptor number, file path)


def open_files_in(folder: str, keep: Callable[[str], bool] = lambda relative: True) -> FrozenSet[OpenFile]:
    """The descriptors of this process open on files inside ``folder`` whose path relative to it passes ``keep``."""
    if not os.path.isdir(FD_DIR):
        return frozenset()
    root = os.path.realpath(folder) + os.sep
    found = set()
    for fd in os.listdir(FD_DIR):
        try:
            target = os.readlink(os.path.join(FD_DIR, fd))
        except OSError:  # closed since the listing, or the listing's own descriptor
            continue
        if target.startswith(root) and keep(target[len(root) :]):
            found.add((fd, target))
    return frozenset(found)


def _still_open(files: FrozenSet[OpenFile]) -> FrozenSet[OpenFile]:
    still = set()
    for fd, target in files:
        try:
            if os.readlink(os.path.join(FD_DIR, fd)) == target:
                still.add((fd, target))
        except OSError:  # the descriptor is closed
            continue
    return frozenset(still)


def wait_until_closed(files: FrozenSet[OpenFile], timeout: float = WAIT_SECONDS) -> bool:
    """Wait until none of ``files`` is open any more (True), or ``timeout`` seconds passed (False, logged)."""
    deadline = time.monotonic() + timeout
    pause = 0.0005
    still = _still_open(files)
    while still:
        if time.monotonic() >= deadline:
            logger.warning("%d database files are still open %.0f s after closing: %s", len(still), timeout, still)
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
        still = _still_open(files)
    return True

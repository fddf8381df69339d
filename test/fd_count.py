"""Descriptors a test's stores and agents keep open (Linux: /proc/self/fd), for tests that they give them back.

Embedded databases also open and close descriptors of their own on background threads (event fds, pipes), so
``fds_under`` looks only at descriptors whose target lies inside the folders the test gave the stores: exact,
whatever those threads do."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import List, Union

import pytest

needs_proc_fd = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads descriptors in /proc/self/fd")


def fds_under(folder: Union[str, Path]) -> List[str]:
    """The files inside ``folder`` that this process holds open now (one entry per descriptor)."""
    root = os.path.realpath(folder)
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # closed since the listing (or the listing's own descriptor)
            continue
        if target == root or target.startswith(root + os.sep):
            found.append(target)
    return found


def fds_left_under(folder: Union[str, Path], timeout: float = 10.0) -> List[str]:
    """The files inside ``folder`` still open once the ones being closed are given back (waits up to ``timeout``).

    A store dropped without ``close()`` is closed by its finalizer, which must not wait (it may run on an event
    loop's thread): the database closes its files on its own threads, a moment later. Only what stays open counts."""
    deadline = time.monotonic() + timeout
    found = fds_under(folder)
    while found and time.monotonic() < deadline:
        time.sleep(0.01)
        found = fds_under(folder)
    return found

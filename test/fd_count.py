"""Counting the process's open descriptors (Linux: /proc/self/fd), for tests that stores and agents give theirs back.

Embedded databases open and close a few descriptors of their own on background threads, so counts are compared
with ``MARGIN``, less than what one leaked chromadb store keeps open (about 10)."""

from __future__ import annotations

import os

import pytest

MARGIN = 6

needs_proc_fd = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc/self/fd")


def open_fds() -> int:
    """How many descriptors the process has open now."""
    return len(os.listdir("/proc/self/fd"))

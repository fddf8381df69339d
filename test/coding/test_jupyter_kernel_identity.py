"""How the gateway executor tells whether a server's kernel runs beside it (so that it may kill what the
kernel started before restarting it): the kernel's own description must match what this process sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from autogen.coding.jupyter._kernel_identity import describe
from autogen.coding.jupyter._reaping import identity_cell, is_alive_here, local_kernel

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux-only")

MARK = "__autogen_kernel_identity__ "


def test_the_identity_cell_describes_the_process_that_runs_it() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", f"exec({identity_cell()!r}); import sys; sys.stdout.flush(); input()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith(MARK)
        identity = local_kernel("some other output\n" + line)
        assert identity is not None and identity["pid"] == child.pid
        assert is_alive_here(identity)
    finally:
        child.kill()
        child.wait()
    assert not is_alive_here(identity)  # the process is gone: never mistaken for a later one with its pid


def test_a_kernel_elsewhere_is_not_taken_for_a_local_one() -> None:
    mine = describe(os.getpid())
    assert mine is not None and mine["pid"] == os.getpid()
    for key, other in (("boot_id", "another-machine"), ("pid_namespace", "pid:[1]"), ("start", "1")):
        report = MARK + json.dumps({**mine, key: other})
        assert local_kernel(report) is None, key
    assert local_kernel(MARK + json.dumps(mine)) == mine


@pytest.mark.parametrize("output", ["", "no identity here", MARK + "{not json", MARK + "null", MARK + '{"pid": "1"}'])
def test_missing_or_broken_reports_mean_not_local(output: str) -> None:
    assert local_kernel(output) is None


def test_a_process_of_no_one_is_not_described() -> None:
    with open("/proc/sys/kernel/pid_max") as f:
        beyond = int(f.read()) + 1
    assert describe(beyond) is None

"""Processes a Jupyter block starts do not outlive it when it times out.

A kernel lives across blocks, so it cannot simply be killed with its children. Instead, a silent set-up cell
loads the standard-library-only ``coding/_reaper.py`` into the kernel (it may run on a server without AutoGen),
makes the kernel a child subreaper (Linux), so processes a block starts in a new session (``setsid``,
``start_new_session=True``) stay its descendants, and notes the kernel's descendants before each cell
(IPython's ``pre_run_cell`` event). After a block timed out, a silent clean-up cell kills every descendant that
was not there before that block. Silent cells fire no ``pre_run_cell``, so they leave the note alone.

A kernel that does not stop on the interrupt is restarted instead, and its server kills only the kernel's process
group: processes a block started in a new session would outlive it. The executor kills them first where it can
reach them: the embedded executor knows its kernel's pid; a server's client asks the kernel who it is (the
identity cell) and uses the answer only when the kernel runs on this machine, in this pid namespace
(see ``_kernel_identity``).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any, Dict, Optional

from ._kernel_identity import describe

__all__ = ("CLEANUP_CELL", "identity_cell", "is_alive_here", "local_kernel", "setup_cell")

_MODULE = "_autogen_block_reaper"
_IDENTITY_MARK = "__autogen_kernel_identity__ "


@functools.lru_cache(maxsize=1)
def setup_cell() -> str:
    """The code of the set-up cell (run once per kernel start or restart)."""
    source = (Path(__file__).resolve().parent.parent / "_reaper.py").read_text(encoding="utf-8")
    return f"""
def __autogen_reaper_setup():
    import os, sys, types
    if {_MODULE!r} in sys.modules:
        return
    module = types.ModuleType({_MODULE!r})
    exec(compile({source!r}, "<autogen block reaper>", "exec"), module.__dict__)
    module.before = set()
    sys.modules[{_MODULE!r}] = module
    if not module.make_subreaper():
        return
    def snapshot(*args, **kwargs):
        module.before = set(module.descendants(os.getpid()))
    get_ipython().events.register("pre_run_cell", snapshot)
__autogen_reaper_setup()
del __autogen_reaper_setup
"""


CLEANUP_CELL = f"""
def __autogen_reaper_cleanup():
    import sys
    module = sys.modules.get({_MODULE!r})
    if module is not None and module.make_subreaper():
        module.kill_descendants(keep=module.before)
__autogen_reaper_cleanup()
del __autogen_reaper_cleanup
"""


@functools.lru_cache(maxsize=1)
def identity_cell() -> str:
    """The code of a silent cell that prints the kernel's description (see ``_kernel_identity``) on one line."""
    source = (Path(__file__).resolve().parent / "_kernel_identity.py").read_text(encoding="utf-8")
    return f"""
def __autogen_kernel_identity():
    import json, os
    namespace = {{}}
    exec(compile({source!r}, "<autogen kernel identity>", "exec"), namespace)
    print({_IDENTITY_MARK!r} + json.dumps(namespace["describe"](os.getpid())))
__autogen_kernel_identity()
del __autogen_kernel_identity
"""


def local_kernel(output: str) -> Optional[Dict[str, Any]]:
    """The description a kernel printed in ``output`` (the identity cell's), when that kernel is a process of this
    machine and pid namespace that this process may signal; None otherwise (a remote server, another container,
    another user, not Linux)."""
    reported = None
    for line in output.splitlines():
        if line.startswith(_IDENTITY_MARK):
            try:
                reported = json.loads(line[len(_IDENTITY_MARK) :])
            except ValueError:
                return None
    if not isinstance(reported, dict) or not isinstance(reported.get("pid"), int):
        return None
    return reported if is_alive_here(reported) else None


def is_alive_here(identity: Dict[str, Any]) -> bool:
    """Whether the process ``identity`` describes still runs here (the same process, not a reused pid) and
    this process may signal it."""
    pid = identity["pid"]
    if describe(pid) != identity:
        return False
    try:
        os.kill(pid, 0)
    except OSError:  # gone meanwhile, or another user's
        return False
    return True

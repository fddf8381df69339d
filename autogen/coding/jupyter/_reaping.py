"""Processes a Jupyter block starts do not outlive it when it times out.

A kernel lives across blocks, so it cannot simply be killed with its children. Instead, a silent set-up cell
loads the standard-library-only ``coding/_reaper.py`` into the kernel (it may run on a server without AutoGen),
makes the kernel a child subreaper (Linux), so processes a block starts in a new session (``setsid``,
``start_new_session=True``) stay its descendants, and notes the kernel's descendants before each cell
(IPython's ``pre_run_cell`` event). After a block timed out, a silent clean-up cell kills every descendant that
was not there before that block. Silent cells fire no ``pre_run_cell``, so they leave the note alone.
"""

from __future__ import annotations

import functools
from pathlib import Path

__all__ = ("CLEANUP_CELL", "setup_cell")

_MODULE = "_autogen_block_reaper"


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

"""Which process a kernel is, described so that a client can tell whether the kernel runs beside it.

Standard library only: a kernel on a Jupyter server runs this very file (through a silent cell, see
``_reaping.identity_cell``) to describe itself, and the client describes the pid the kernel reported. The two
descriptions agree only when the kernel runs on this machine (same boot id), in this process's pid namespace
(so the pid means the same process here; not in another container) and is that very process (same start
time, so not a later process that got the pid again); then this process can see and signal the kernel's processes.
"""

from __future__ import annotations

import os
from typing import Dict, Optional, Union

__all__ = ("describe",)


def describe(pid: int) -> Optional[Dict[str, Union[int, str]]]:
    """``{"boot_id", "pid_namespace", "pid", "start"}`` of process ``pid`` as this process sees it; None where
    /proc does not tell (not Linux, or no such process)."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            boot_id = f.read().strip()
        namespace = os.readlink("/proc/self/ns/pid")
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()  # from field 3 (state) on; the name may hold spaces
    if len(fields) < 20:
        return None
    return {"boot_id": boot_id, "pid_namespace": namespace, "pid": pid, "start": fields[19]}  # field 22: start time

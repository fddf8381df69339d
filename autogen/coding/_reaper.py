"""A tiny launcher that keeps every process a code block starts under its control (Linux).

Run as ``python -I -S _reaper.py [--status-fd=N] COMMAND [ARGS...]`` (standard library only, so it runs under any Python).
It makes itself a child subreaper (``prctl(PR_SET_CHILD_SUBREAPER)``): a process that the command starts
and that outlives its parent, even in a new session (``setsid``, ``start_new_session=True``), is re-parented
to the launcher instead of to init, so it stays a descendant. The launcher then

* runs the command with the same stdin/stdout/stderr, working directory and environment,
* when the command exits, kills whatever it left running and exits with the command's status (with
  ``--status-fd=N`` it first writes that status to the pipe N, so the caller need not wait for the
  launcher's own exit; its standard output and error are then let go once the command runs; the command
  does not inherit N, but a shell spare may report its own end first through ``/proc/PPID/fd/N``, see
  ``_spare.py``),
* on SIGTERM (the executor's time limit), kills the command and all its descendants and exits.

So a block's processes live exactly as long as the block, like a container's. Where ``prctl`` is not
available the launcher is not used (see ``_process.py``) and the process group is killed as before.
"""

from __future__ import annotations

import os
import signal
import sys
import time

TYPE_CHECKING = False  # typing is not imported at run time: the launcher starts with every block
if TYPE_CHECKING:
    from typing import Iterable, NoReturn, Optional

PR_SET_CHILD_SUBREAPER = 36
_KILL_ROUNDS = 200  # each round: SIGKILL every live descendant, reap, look again


def make_subreaper() -> bool:
    """Make this process a child subreaper; False where the kernel does not support it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _parents() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process visible in /proc."""
    table: dict[int, tuple[int, str]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()  # the command name may hold spaces and parentheses
        table[int(name)] = (int(fields[1]), fields[0])
    return table


def _state(pid: int) -> Optional[str]:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except OSError:
        return None
    return stat[stat.rfind(")") + 2 :].split(maxsplit=1)[0]


def _children(pid: int) -> Optional[list[int]]:
    """The children of ``pid`` from /proc/PID/task/TID/children (None where the kernel does not provide it)."""
    found: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                found.extend(int(child) for child in f.read().split())
        except FileNotFoundError:
            if not os.path.exists(f"/proc/{pid}/task/{tid}"):
                continue  # the thread ended meanwhile
            return None
        except OSError:
            continue
    return found


def descendants(root: int) -> list[int]:
    """The live (not zombie) descendants of ``root``: a walk down from ``root`` where Linux lists each
    process's children, else a scan of every process."""
    found: list[int] = []
    todo = [root]
    while todo:
        children = _children(todo.pop())
        if children is None:
            return _descendants_by_scan(root)
        for pid in children:
            todo.append(pid)
            if _state(pid) not in (None, "Z"):
                found.append(pid)
    return found


def _descendants_by_scan(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    states: dict[int, str] = {}
    for pid, (ppid, state) in _parents().items():
        children.setdefault(ppid, []).append(pid)
        states[pid] = state
    found: list[int] = []
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if states.get(pid) != "Z":
            found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _reap(pids: Optional[Iterable[int]] = None) -> None:
    """Collect the exit status of ``pids`` (those that are our children), or of any child when None."""
    if pids is not None:
        for pid in pids:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        return
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_descendants(keep: Optional[Iterable[int]] = None, root: Optional[int] = None) -> list[int]:
    """SIGKILL every descendant of ``root`` (default: this process) but those in ``keep`` until none is left (processes forked meanwhile are caught
    by the next round); returns the pids killed. With ``keep`` given, only the killed processes are reaped, so
    a host process (a Jupyter kernel) keeps the exit status of its other children."""
    me = os.getpid()
    root = me if root is None else root
    spared = set(keep or ())
    only_killed = keep is not None or root != me  # others' children are theirs to reap
    killed: list[int] = []
    for _ in range(_KILL_ROUNDS):
        pids = [pid for pid in descendants(root) if pid not in spared]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        killed.extend(pids)
        time.sleep(0.01)
        _reap(killed if only_killed else None)
    _reap(killed if only_killed else None)
    return killed


def _exit_like(status: int) -> NoReturn:
    """Exit with the command's status: its exit code, or the signal that ended it."""
    if status < 0:
        try:
            signal.signal(-status, signal.SIG_DFL)
        except (OSError, ValueError):  # SIGKILL and SIGSTOP keep their default anyway
            pass
        os.kill(os.getpid(), -status)
        os._exit(128 - status)  # a signal whose default is not to end the process
    os._exit(status & 0xFF)


def _no_children_left() -> bool:
    """Whether this process has no child at all (zombies are reaped on the way). Once the command has been
    waited for, every process it left running is a child of this subreaper or a descendant of one, so no
    child means no descendant: one system call instead of a walk of /proc."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            return False


def _status_fd(argv: list[str]) -> tuple[Optional[int], list[str]]:
    """``--status-fd=N`` before the command: the pipe the command's exit code is written to."""
    if argv and argv[0].startswith("--status-fd="):
        return int(argv[0].split("=", 1)[1]), argv[1:]
    return None, argv


def main(argv: list[str]) -> NoReturn:
    status_fd, argv = _status_fd(argv)
    if not argv:
        sys.stderr.write("usage: _reaper.py [--status-fd=N] COMMAND [ARGS...]\n")
        os._exit(2)
    make_subreaper()

    def on_term(signum: int, frame: object) -> None:
        kill_descendants()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    pid = os.fork()  # fork/exec rather than subprocess: importing subprocess would double the start-up time
    if pid == 0:
        # What Python changed at its start (it ignores SIGPIPE and SIGXFSZ) goes back to the default, as
        # subprocess does for its children: `yes | head -1` must end quietly.
        for signum in (signal.SIGTERM, signal.SIGPIPE, getattr(signal, "SIGXFSZ", None)):
            if signum is not None:
                signal.signal(signum, signal.SIG_DFL)
        if status_fd is not None:
            os.close(status_fd)  # the block's own descriptors start clean
        try:
            os.execvp(argv[0], argv)
        except OSError as err:
            os.write(2, f"{argv[0]}: {err}\n".encode())
        os._exit(127)
    if status_fd is not None:
        # The output pipes are the command's: with the launcher's copies gone, they end when the command's
        # processes close them, not when the launcher has exited.
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)
    _, status = os.waitpid(pid, 0)
    if not _no_children_left():
        kill_descendants()
    code = os.waitstatus_to_exitcode(status)
    if status_fd is not None:
        # The block is over (its processes are gone): say how it ended now, the launcher's own exit comes after.
        try:
            os.write(status_fd, b"%d\n" % code)
        except OSError:  # the caller already has the code from the command (a shell spare reports its own)
            pass
        os.close(status_fd)
    _exit_like(code)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Run one local command with a time limit, killing its whole process group when the limit is hit."""

from __future__ import annotations

import errno
import math
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

__all__ = ("Launched", "RunOutcome", "collect", "launch", "run_command")

_IS_POSIX = os.name == "posix"
_DRAIN_SECONDS = 5.0
_STATUS_FIRST_SECONDS = 0.02
_PIPE_BYTES = 1 << 20


@dataclass
class RunOutcome:
    """What a finished (or killed) command left behind."""

    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool = False


_USE_REAPER = sys.platform.startswith("linux")
_REAPER = str(Path(__file__).with_name("_reaper.py"))


def _launch_argv(
    argv: Sequence[str], cwd: Optional[str], env: Optional[Mapping[str, str]], status_fd: Optional[int]
) -> list[str]:
    """On Linux the command runs under ``_reaper.py``, which keeps even processes that left the session
    (``setsid``) under control and kills them all with the block; elsewhere it runs as is.

    A missing program still raises ``FileNotFoundError`` here, as starting it directly would."""
    if not _USE_REAPER:
        return list(argv)
    program = argv[0]
    if os.sep in program:
        found = os.access(os.path.join(cwd or "", program), os.X_OK)
    else:
        found = shutil.which(program, path=(env if env is not None else os.environ).get("PATH")) is not None
    if not found:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", program)
    status = [] if status_fd is None else [f"--status-fd={status_fd}"]
    return [sys.executable, "-I", "-S", _REAPER, *status, *argv]


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Kill the process and everything it started: the reaper (Linux) is asked to kill its descendants
    first, then the whole session (the process was started as a session leader) is killed."""
    if _USE_REAPER and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=_DRAIN_SECONDS)
        except subprocess.TimeoutExpired:
            pass
    if _IS_POSIX:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    else:  # pragma: no cover - Windows
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
    try:
        proc.kill()
    except ProcessLookupError:
        pass


def _decode(data: Optional[Union[bytes, bytearray]]) -> str:
    return data.decode("utf-8", errors="replace") if data else ""


@dataclass
class Launched:
    """A started command and, under the launcher, the pipe its exit code comes through: the code arrives
    once the command and everything it started are gone, before the launcher itself has exited."""

    process: subprocess.Popen[bytes]
    status: Optional[int] = None
    child_status: Optional[int] = None  # the number of the status pipe's write end in the launcher

    def reap(self) -> None:
        """Wait for the launcher's exit (it follows the status at once) and drop the status pipe."""
        self.process.wait()
        if self.status is not None:
            os.close(self.status)
            self.status = None


def launch(
    argv: Sequence[str],
    *,
    cwd: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    merge_stderr: bool = True,
    stdin: Optional[int] = None,
) -> Launched:
    """Start ``argv`` as :func:`run_command` runs it (own session, under the reaper on Linux); standard
    input is ``/dev/null`` unless the file descriptor ``stdin`` is given."""
    kwargs: dict[str, object] = {}
    if _IS_POSIX:
        kwargs["start_new_session"] = True
    else:  # pragma: no cover - Windows
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    read_end = write_end = None
    if _USE_REAPER:
        read_end, write_end = os.pipe()
        kwargs["pass_fds"] = (write_end,)
    try:
        process = subprocess.Popen(
            _launch_argv(argv, cwd, env, write_end),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL if stdin is None else stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            **kwargs,  # type: ignore[call-overload]
        )
    except BaseException:
        if read_end is not None:
            os.close(read_end)
        raise
    finally:
        if write_end is not None:
            os.close(write_end)
    if _USE_REAPER:  # the output waits in its pipes until the exit code comes (see _await_status)
        _widen_pipes(process)
    return Launched(process, read_end, write_end)


def _widen_pipes(process: subprocess.Popen[bytes]) -> None:
    """Let the output pipes hold up to ``_PIPE_BYTES`` (pages are taken as the output comes) where the
    system allows it (it may refuse past its limits: the pipes then keep their size)."""
    import fcntl

    for stream in (process.stdout, process.stderr):
        if stream is not None:
            try:
                fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
            except OSError:
                pass


def _read_until_closed(streams: Mapping[int, bytearray], deadline: Optional[float], status: int = -1) -> bool:
    """Read every file descriptor of ``streams`` into its buffer until each is at end of file, or for
    ``status`` until a whole line came; False when ``deadline`` (a ``time.monotonic()`` value) came first."""
    poller = select.poll()  # no file descriptor of its own to create and close, unlike epoll
    open_fds = {fd for fd in streams if not (fd == status and b"\n" in streams[fd])}
    for fd in open_fds:
        poller.register(fd, select.POLLIN)
    while open_fds:
        left = None if deadline is None else max(0, math.ceil((deadline - time.monotonic()) * 1000))
        if left == 0:
            return False
        for fd, _ in poller.poll(left):
            data = os.read(fd, 65536)
            if data:
                streams[fd] += data
            if not data or (fd == status and b"\n" in streams[fd]):
                poller.unregister(fd)
                open_fds.discard(fd)
    return True


def _await_status(status_fd: int, status: bytearray, deadline: Optional[float]) -> None:
    """Wait a little for the exit code alone. A short block's output fits in its pipes and is all there
    (with their ends closed) when its exit code comes, so it is read then, in one go, rather than waking
    this process for each write and each close. A block still running after ``_STATUS_FIRST_SECONDS`` (or
    whose output filled a pipe and waits for it to be read) is then read from as it writes."""
    wait = _STATUS_FIRST_SECONDS if deadline is None else min(_STATUS_FIRST_SECONDS, deadline - time.monotonic())
    if wait <= 0:
        return
    poller = select.poll()
    poller.register(status_fd, select.POLLIN)
    if poller.poll(math.ceil(wait * 1000)):
        status += os.read(status_fd, 64)


def _collect_with_status(launched: Launched, timeout: Optional[float]) -> RunOutcome:
    """:func:`collect` for a command under the launcher: done when its output pipes are closed and its
    exit code came through the status pipe, without waiting for the launcher (or a shell spare) to exit:
    the caller reaps it, see ``Launched.reap``."""
    proc, status_fd = launched.process, launched.status
    assert status_fd is not None and proc.stdout is not None
    out, err, status = bytearray(), bytearray(), bytearray()
    streams = {proc.stdout.fileno(): out, status_fd: status}
    if proc.stderr is not None:
        streams[proc.stderr.fileno()] = err
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        _await_status(status_fd, status, deadline)
        finished = _read_until_closed(streams, deadline, status_fd)
        if not finished:
            _kill_tree(proc)
            _read_until_closed(streams, time.monotonic() + _DRAIN_SECONDS)
    except BaseException:  # KeyboardInterrupt and friends: leave nothing running behind
        _kill_tree(proc)
        proc.wait()
        raise
    finally:
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    if not finished:
        return RunOutcome(exit_code=124, stdout=_decode(out), stderr=_decode(err), timed_out=True)
    try:
        code = int(status.split(b"\n", 1)[0])
    except ValueError:  # no status: the launcher itself was killed
        code = proc.wait()
    return RunOutcome(exit_code=code, stdout=_decode(out), stderr=_decode(err))


def collect(launched: Launched, timeout: Optional[float]) -> RunOutcome:
    """Wait for a launched command and its output; on ``timeout`` kill its whole tree (exit code 124)."""
    if launched.status is not None:
        return _collect_with_status(launched, timeout)
    proc = launched.process
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        try:
            out, err = proc.communicate(timeout=_DRAIN_SECONDS)
        except subprocess.TimeoutExpired:  # a grandchild left the group and holds the pipe: stop reading
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
            proc.wait()
            out, err = b"", b""
        return RunOutcome(exit_code=124, stdout=_decode(out), stderr=_decode(err), timed_out=True)
    except BaseException:  # KeyboardInterrupt and friends: leave nothing running behind
        _kill_tree(proc)
        proc.wait()
        raise
    return RunOutcome(exit_code=proc.returncode, stdout=_decode(out), stderr=_decode(err))


def run_command(
    argv: Sequence[str],
    *,
    cwd: Optional[str] = None,
    timeout: Optional[float] = None,
    env: Optional[Mapping[str, str]] = None,
    merge_stderr: bool = True,
) -> RunOutcome:
    """Run ``argv`` directly (no shell) and collect its output.

    The child gets its own session, so on timeout the whole process group (the command and any child it
    spawned that kept the group) is killed with SIGKILL. On Linux the command runs under ``_reaper.py``:
    processes it started that left the group (``setsid``) are killed too, on timeout and when the command
    ends (a block's processes end with the block). Standard input is closed so code asking for input
    fails fast instead of hanging. With ``merge_stderr`` both streams are read through one pipe, keeping
    their interleaving; ``stderr`` of the outcome is then empty.
    """
    launched = launch(argv, cwd=cwd, env=env, merge_stderr=merge_stderr)
    try:
        return collect(launched, timeout)
    finally:
        launched.reap()


def python_env_changes(extra_paths: Sequence[str] = (), bin_dir: Optional[str] = None) -> dict[str, str]:
    """What a Python child gets on top of this process's environment: unbuffered output (nothing lost when a
    block is killed on timeout), ``extra_paths`` prepended to PYTHONPATH and ``bin_dir`` (a virtual
    environment's) prepended to PATH."""
    changes = {"PYTHONUNBUFFERED": "1"}
    if extra_paths:
        old = os.environ.get("PYTHONPATH")
        changes["PYTHONPATH"] = os.pathsep.join([*extra_paths, *([old] if old else [])])
    if bin_dir:
        changes["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
        changes["VIRTUAL_ENV"] = os.path.dirname(bin_dir)
    return changes


def python_env(extra_paths: Sequence[str] = (), bin_dir: Optional[str] = None) -> dict[str, str]:
    """The environment for a Python child: this process's with :func:`python_env_changes`."""
    return {**os.environ, **python_env_changes(extra_paths, bin_dir)}


def environ_state() -> dict[Any, Any]:
    """This process's environment as it is now, in a form that is cheap to take and to compare (see
    :func:`environ_unchanged`): CPython's ``os.environ`` keeps its entries, encoded, in a plain dict, which
    is copied as it is; where it does not, the decoded entries."""
    data = getattr(os.environ, "_data", None)
    return dict(data) if type(data) is dict else dict(os.environ)


def environ_unchanged(state: Mapping[Any, Any]) -> bool:
    """Whether this process's environment is still what :func:`environ_state` returned as ``state``. A
    code block waits for this check: it compares one dict with another, not each entry decoded anew."""
    data = getattr(os.environ, "_data", None)
    return state == (data if type(data) is dict else dict(os.environ))


PYTHON = sys.executable

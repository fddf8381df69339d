"""A spare interpreter started ahead, so that a code block does not wait for an interpreter to start.

A :class:`Spare` is a fresh process (Python, bash or sh) started with the block's working directory and
environment, under the same launcher and in its own session as :func:`._process.run_command` would start
it, that waits for the path of a file to run on its standard input (a pipe of its own), then turns its
standard input into ``/dev/null`` as for any block. Handing it a block makes it run that file exactly once
and end; the next block gets a new spare, started when this block has ended. So every block still runs in a fresh process of its own, and the time limit still
kills the whole process tree: only the interpreter's start-up has moved out of the block's time.

Python runs the file as ``python FILE`` would (``__main__`` module, ``__file__``, ``sys.argv``,
``sys.path[0]`` the file's directory, a traceback without the launcher's own frame, exit status 1 on an
uncaught exception). Shell blocks are read by the waiting shell with ``.`` (bash also sets ``$0`` to the file).
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ._process import Launched, RunOutcome, collect, environ_state, environ_unchanged, launch

__all__ = ("SPARE_LANGUAGES", "Spare", "SparePool", "spare_argv")

SPARE_LANGUAGES = ("python", "bash", "sh", "shell")

# Reads the path from the hand-over pipe, then runs the file as the `python FILE` command would.
_PYTHON_BOOT = r"""
def _run():
    import builtins, os, sys
    data = b""
    while not data.endswith(b"\n"):  # one line: a forked copy of the parent may keep the pipe open
        chunk = os.read(0, 4096)
        if not chunk:
            break
        data += chunk
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    if not data:
        os._exit(0)
    path = data.decode("utf-8", "surrogateescape").rstrip("\n")
    sys.argv[:] = [path]
    full = os.path.abspath(path)
    sys.path[0] = os.path.dirname(full)
    main = type(sys)("__main__")
    main.__dict__.update(__file__=full, __cached__=None, __builtins__=builtins)
    sys.modules["__main__"] = main
    try:
        with open(full, "rb") as f:
            source = f.read()
        exec(compile(source, full, "exec"), main.__dict__)
    except SystemExit:
        raise
    except BaseException as exc:
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == "<string>":
            tb = tb.tb_next
        sys.excepthook(type(exc), exc.with_traceback(tb), tb)
        sys.exit(1)
_run()
"""

# The shell's hand-over: the launcher's status pipe number ("-" when there is none) and the file's path. sh
# reads it as one line "STATUS PATH" (one byte per system call: a shell must not read past the line of a
# pipe). bash reads a fixed 16-character header "STATUS LENGTH" then, with ``read -N``, the path's LENGTH
# bytes in one system call; a path that is not ASCII (LENGTH "-", characters may then differ from bytes) comes
# as a line. Standard input then becomes /dev/null and the file is read by this shell.
_SH_HANDOVER = (
    'IFS= read -r __autogen_block; exec 0</dev/null; [ -n "$__autogen_block" ] || exit 0; '
    "__autogen_status=${__autogen_block%% *}; __autogen_block=${__autogen_block#* }; "
)
_BASH_HANDOVER = (
    "IFS= read -r -N 16 __autogen_block || exit 0; "
    "__autogen_status=${__autogen_block%% *}; __autogen_block=${__autogen_block#* }; "
    'if [ "${__autogen_block%% *}" = - ]; then IFS= read -r __autogen_block; '
    'else IFS= read -r -N "${__autogen_block%% *}" __autogen_block; fi; exec 0</dev/null; '
)
# On exit the shell closes its output and, when the block left no process behind, writes its exit code into
# the launcher's status pipe itself, through /proc (a descriptor the block cannot have reused): the block is
# over without waiting for the shell's own teardown and the launcher's wake-up. No process is left when the
# shell has no child (it can only have one if it started something in the background, which sets $!) and
# the launcher no child but the shell (processes whose parent ended are re-parented to it). Otherwise
# (processes left, the trap replaced, `exec`, a signal) the launcher kills what is left and reports, as for
# any command. What does not depend on the block (the function, and in bash the launcher's list of children
# opened as __autogen_launcher, read when the block ends) is set up before the hand-over, while the spare
# waits. Every command of the trap that may fail is guarded, so that `set -e` in the block cannot turn a
# failed report into the shell's exit code.
_SHELL_END = (
    "__autogen_end() {{ "
    "__autogen_code=$?; exec 1>&- 2>&-; __autogen_kids=; __autogen_up=; "
    "[ -z \"${{!:-}}\" ] || IFS=' ' read -r __autogen_kids < /proc/$$/task/$$/children || :; "
    "IFS=' ' read -r {launcher} || :; "
    'if [ -z "$__autogen_kids" ] && [ "$__autogen_up" = "$$" ]; then '
    "printf '%s\\n' \"$__autogen_code\" > /proc/$PPID/fd/$__autogen_status || :; fi; "
    "}}; "
)
_SET_TRAP = '[ "$__autogen_status" = - ] || trap __autogen_end EXIT; '
_BASH_BOOT = (
    _SHELL_END.format(launcher='-u "$__autogen_launcher" __autogen_up')
    # (tested first: a failed `exec` redirection would end a shell in POSIX mode)
    + "__autogen_launcher=0; [ -r /proc/$PPID/task/$PPID/children ] && "
    + "exec {__autogen_launcher}</proc/$PPID/task/$PPID/children; "
    + _BASH_HANDOVER
    + _SET_TRAP
    + 'BASH_ARGV0="$__autogen_block"; . "./$__autogen_block"'
)
_SH_BOOT = (
    _SHELL_END.format(launcher="__autogen_up < /proc/$PPID/task/$PPID/children")
    + _SH_HANDOVER
    + _SET_TRAP
    + '. "./$__autogen_block"'
)


def handover_message(lang: str, relative_path: str, status: Optional[int]) -> bytes:
    """What the spare of ``lang`` reads to run the file at ``relative_path`` (see the boot scripts above);
    ``status`` is the number of the launcher's status pipe in the spare, if any."""
    path = relative_path.encode("utf-8", "surrogateescape")
    if lang == "python":
        return path + b"\n"
    fd = b"-" if status is None else b"%d" % status
    if lang != "bash":
        return fd + b" " + path + b"\n"
    if path.isascii():
        return (b"%s %d " % (fd, len(path))).ljust(15) + b"\n" + path
    return (fd + b" - ").ljust(15) + b"\n" + path + b"\n"


def spare_argv(lang: str, program: Sequence[str]) -> List[str]:
    """The command of a spare for ``lang`` run by ``program`` (an interpreter taking ``-c CODE``); it reads
    the path of its file from standard input."""
    boot = {"python": _PYTHON_BOOT, "bash": _BASH_BOOT, "sh": _SH_BOOT, "shell": _SH_BOOT}.get(lang)
    if boot is not None:
        return [*program, "-c", boot]
    raise ValueError(f"no spare interpreter for {lang!r}; spares exist for {', '.join(SPARE_LANGUAGES)}")


@dataclass
class Spare:
    """One started, waiting interpreter and the write end of its hand-over pipe. Its environment is this
    process's (``environ``: as it was when the spare started) with ``env_changes`` on top."""

    lang: str
    program: List[str]
    cwd: str
    env_changes: Dict[str, str]
    launched: Launched
    handover: int
    used: bool = field(default=False)
    directory: Optional[tuple[int, int]] = None  # (device, inode) of ``cwd`` when the spare started
    environ: Dict[Any, Any] = field(default_factory=dict)

    @property
    def process(self) -> subprocess.Popen[bytes]:
        """The spare's process (its launcher on Linux)."""
        return self.launched.process

    @classmethod
    def start(
        cls, lang: str, program: Sequence[str], cwd: str, env_changes: Mapping[str, str], merge_stderr: bool = True
    ) -> Spare:
        """Start a spare in ``cwd`` with this process's environment and ``env_changes`` on top."""
        directory = _identity(cwd)
        environ = environ_state()
        env = {**os.environ, **env_changes}
        read_end, write_end = os.pipe()
        try:
            launched = launch(spare_argv(lang, program), cwd=cwd, env=env, stdin=read_end, merge_stderr=merge_stderr)
        except BaseException:
            os.close(write_end)
            raise
        finally:
            os.close(read_end)
        return cls(
            lang=lang,
            program=list(program),
            cwd=cwd,
            env_changes=dict(env_changes),
            launched=launched,
            handover=write_end,
            directory=directory,
            environ=environ,
        )

    def fits(self, lang: str, program: Sequence[str], cwd: str, env_changes: Mapping[str, str]) -> bool:
        """Whether this spare can run a ``lang`` block with ``program`` in ``cwd`` and ``env_changes`` as a
        fresh start would (this process's environment may have changed since the spare started)."""
        same = (self.lang, self.program, self.cwd, self.env_changes) == (lang, list(program), cwd, env_changes)
        if not same or self.used or not environ_unchanged(self.environ):
            return False
        # the directory may have been removed and made again since: the spare would sit in the old one
        return _identity(cwd) == self.directory and self.alive()

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, relative_path: str, timeout: Optional[float]) -> RunOutcome:
        """Hand the spare the file and wait for it (and its whole tree) to finish, or kill it on timeout."""
        self.used = True
        try:
            os.write(self.handover, handover_message(self.lang, relative_path, self.launched.child_status))
        except BrokenPipeError:
            pass  # the spare died meanwhile: its (empty) output and exit status say so
        finally:
            os.close(self.handover)
        return collect(self.launched, timeout)

    def discard(self, wait: bool = True) -> None:
        """Let an unused spare go: with its pipe closed it ends without running anything. Without ``wait``
        it is reaped by a background thread."""
        if self.used:
            return
        self.used = True
        try:
            os.close(self.handover)
        except OSError:
            pass
        if wait:
            self._reap()
        else:
            threading.Thread(target=self._reap, daemon=True).start()

    def _reap(self) -> None:
        try:
            self.process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.launched.reap()


def _identity(directory: str) -> Optional[tuple[int, int]]:
    try:
        st = os.stat(directory)
    except OSError:
        return None
    return st.st_dev, st.st_ino


@dataclass
class _Refill:
    """What the pool's worker does after a block: reap the used spare's launcher, start the next spare."""

    used: Spare
    lang: str
    program: List[str]
    cwd: str
    env_changes: Dict[str, str]


class SparePool:
    """Keeps at most one unused spare ready for an executor's next block (the language last run).
    With ``merge_stderr`` a block's standard error goes into the same pipe as its standard output.

    The next spare is started by one worker thread of the pool (started with the first block, ended by
    :meth:`close`): handing it the work costs the block a queue put, not a thread start. It first waits for
    the used spare's launcher to exit, which takes longer than the caller needs to take the block's result
    away, so the start does not compete with the caller's own work (and a block never gets its own spare)."""

    def __init__(self, merge_stderr: bool = True) -> None:
        self._merge_stderr = merge_stderr
        self._lock = threading.Lock()
        self._ready: Optional[Spare] = None
        self._settled = threading.Event()  # no refill under way
        self._settled.set()
        self._jobs: queue.SimpleQueue[Optional[_Refill]] = queue.SimpleQueue()
        self._queued = 0  # refills submitted and not done yet
        self._worker: Optional[threading.Thread] = None
        self._closed = False

    def run(
        self,
        lang: str,
        program: Sequence[str],
        relative_path: str,
        cwd: str,
        env_changes: Mapping[str, str],
        timeout: float,
    ) -> RunOutcome:
        """Run the file in a fresh process (with this process's environment and ``env_changes`` on top): the
        spare when it fits, else one started now. The next spare is started in the background once this
        block has ended (while the agent waits on the model), so it does not compete with the block for the
        machine."""
        if not self._settled.is_set():
            self._settled.wait()  # a spare being started is further along than one started now
        with self._lock:
            spare, self._ready = self._ready, None
        if spare is None or not spare.fits(lang, program, cwd, env_changes):
            if spare is not None:
                spare.discard(wait=False)
            spare = Spare.start(lang, program, cwd, env_changes, self._merge_stderr)
        try:
            return spare.run(relative_path, timeout)
        finally:
            self._submit(_Refill(spare, lang, spare.program, cwd, spare.env_changes))

    def wait_ready(self) -> Optional[Spare]:
        """The spare the next block would get once the refill under way (if any) is done."""
        self._settled.wait()
        with self._lock:
            return self._ready

    def _submit(self, job: _Refill) -> None:
        with self._lock:
            if self._closed:
                job.used.launched.reap()
                return
            self._queued += 1
            self._settled.clear()
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="autogen-spare-refill", daemon=True)
                self._worker.start()
            self._jobs.put(job)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                self._refill(job)
            finally:
                with self._lock:
                    self._queued -= 1
                    if not self._queued:
                        self._settled.set()

    def _refill(self, job: _Refill) -> None:
        job.used.launched.reap()  # its launcher exits right after the block's end
        spare: Optional[Spare] = None
        try:
            spare = Spare.start(job.lang, job.program, job.cwd, job.env_changes, self._merge_stderr)
        except OSError:
            pass  # the next block starts its own process (and reports why it cannot)
        old = None
        with self._lock:
            if spare is not None:
                old, self._ready = self._ready, spare
                if self._closed:
                    old, self._ready = spare, None
        if old is not None:
            old.discard(wait=False)

    def close(self) -> None:
        """Let the waiting spare go (it ends without running anything) and end the worker."""
        with self._lock:
            self._closed = True
            spare, self._ready = self._ready, None
            if self._worker is not None:
                self._jobs.put(None)
        if spare is not None:
            spare.discard()

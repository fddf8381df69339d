"""Blocks run by a spare interpreter started ahead behave as blocks run by a process started for them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Callable, Union

import pytest

from autogen.coding import CodeBlock, LocalCommandLineCodeExecutor
from autogen.coding._process import python_env
from autogen.coding._spare import Spare, SparePool, handover_message

pytestmark = pytest.mark.skipif(os.name != "posix", reason="spare interpreters are started on POSIX systems")

REPORT = """
import os, sys
print("argv", sys.argv)
print("file", __file__)
print("path0", sys.path[0])
print("name", __name__)
print("pid", os.getpid())
print("seen", "leftover" in globals())
leftover = 1
"""


def _run(executor: LocalCommandLineCodeExecutor, code: str, lang: str = "python") -> tuple[int, str]:
    result = executor.execute_code_blocks([CodeBlock(code=code, language=lang)])
    return result.exit_code, result.output


def _ready(executor: LocalCommandLineCodeExecutor) -> Spare:
    """Wait for the spare started after the last block and return it."""
    spare = executor._spares.wait_ready()
    assert spare is not None
    return spare


def test_python_block_sees_what_a_fresh_python_file_run_sees(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    code, first = _run(executor, "# filename: report.py\n" + REPORT)
    assert code == 0, first
    spare = _ready(executor)
    code, second = _run(executor, "# filename: report.py\n" + REPORT)
    assert code == 0, second
    cold = subprocess.run(
        [sys.executable, "report.py"], cwd=tmp_path, env=python_env(), capture_output=True, text=True, check=True
    ).stdout

    def without_pid(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("pid ")]

    assert without_pid(first) == without_pid(second) == without_pid(cold)
    assert "seen False" in second  # nothing of the previous block survives
    pids = [line for line in (first + second).splitlines() if line.startswith("pid ")]
    assert pids[0] != pids[1]  # a fresh process per block
    assert spare.used and spare.process.wait(timeout=10) == 0  # the second block was the spare's


def test_the_spare_runs_the_next_block(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    _run(executor, "print('warm')")
    spare = _ready(executor)
    assert spare.alive() and not spare.used
    code, out = _run(executor, "import os; print(os.getpid(), os.getppid())")
    assert code == 0
    assert spare.used and spare.process.wait(timeout=10) == 0  # its launcher ends right after the block
    # the block ran in the spare's process (under the launcher on Linux: the launcher's child)
    assert spare.process.pid in {int(pid) for pid in out.split()}


def test_errors_exit_codes_and_tracebacks_are_those_of_python_file(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    for _ in range(2):  # the first block starts a process now, the second gets the spare
        code, out = _run(executor, "# filename: boom.py\ndef f():\n    raise ValueError('boom')\nf()\n")
        cold = subprocess.run([sys.executable, "boom.py"], cwd=tmp_path, capture_output=True, text=True)
        assert (code, out) == (cold.returncode, cold.stderr) == (1, out)
        assert 'boom.py", line 4, in <module>' in out
        assert "<string>" not in out and out.rstrip().endswith("ValueError: boom")
    code, out = _run(executor, "x = (")
    assert code == 1 and "SyntaxError" in out and "<string>" not in out
    assert _run(executor, "import sys; print('bye'); sys.exit(3)") == (3, "bye\n")
    code, out = _run(executor, "input()")
    assert code == 1 and "EOFError" in out  # standard input is closed, as for any block


def test_shell_blocks(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    for _ in range(2):
        code, out = _run(executor, '# filename: s.sh\necho "$0 $(pwd)"\nread x || echo no-input\nexit 5', "bash")
        assert code == 5 and out.split() == ["s.sh", str(tmp_path.resolve()), "no-input"]
    for _ in range(2):
        assert _run(executor, "echo one; false; echo two", "sh") == (0, "one\ntwo\n")


def test_environment_changes_reach_the_next_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    assert _run(executor, "import os; print(os.environ.get('H24_SPARE_VAR'))") == (0, "None\n")
    _ready(executor)
    monkeypatch.setenv("H24_SPARE_VAR", "now set")
    assert _run(executor, "import os; print(os.environ.get('H24_SPARE_VAR'))") == (0, "now set\n")


def test_timeout_kills_a_block_run_by_a_spare(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=1, work_dir=tmp_path)
    _run(executor, "print(1)")
    _ready(executor)
    code, out = _run(executor, "import time\nprint('started', flush=True)\ntime.sleep(30)")
    assert code == 124 and out.startswith("started")


def test_closing_the_pool_ends_the_spare_without_running_anything(tmp_path: Path) -> None:
    pool = SparePool()
    (tmp_path / "mark.py").write_text("open('ran', 'w').write('yes')\n")
    outcome = pool.run("python", [sys.executable], "mark.py", str(tmp_path), python_env(), 10)
    assert outcome.exit_code == 0 and (tmp_path / "ran").exists()
    (tmp_path / "ran").unlink()
    spare = pool.wait_ready()
    assert spare is not None and spare.alive()
    pool.close()
    assert spare.process.returncode == 0
    assert not (tmp_path / "ran").exists()


def test_dropping_the_executor_ends_its_spare(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    _run(executor, "print(1)")
    process = _ready(executor).process
    del executor
    import gc

    gc.collect()
    assert process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    "lang, code", [("python", "print('handed over')"), ("bash", "echo handed over"), ("sh", "echo handed over")]
)
def test_a_forked_copy_of_the_parent_does_not_hold_the_block_back(tmp_path: Path, lang: str, code: str) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    _run(executor, "true" if lang != "python" else "pass", lang)
    _ready(executor)
    child = os.fork()  # holds a copy of the spare's hand-over pipe, as a multiprocessing worker would
    if child == 0:
        import time

        time.sleep(30)
        os._exit(0)
    try:
        assert _run(executor, code, lang) == (0, "handed over\n")
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)


def _pid_of_each_block(executor: LocalCommandLineCodeExecutor, count: int) -> list[tuple[int, Spare]]:
    """Run ``count`` bash blocks printing their shell's pid; each with the spare it got."""
    seen = []
    for _ in range(count):
        spare = _ready(executor)
        code, out = _run(executor, "echo $$", "bash")
        assert code == 0
        seen.append((int(out), spare))
    return seen


def test_each_block_gets_a_spare_of_its_own(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    _run(executor, "true", "bash")
    seen = _pid_of_each_block(executor, 3)
    assert len({pid for pid, _ in seen}) == 3  # a fresh shell per block
    assert len({id(spare) for _, spare in seen}) == 3
    for pid, spare in seen:
        assert spare.used and spare.process.wait(timeout=10) == 0
        assert spare.process.pid != pid  # the block ran under the spare's launcher (Linux) or as the spare
    assert _ready(executor) not in [spare for _, spare in seen]  # the next one is new too


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the subreaper launcher is Linux-only")
def test_background_processes_are_gone_when_the_block_returns(
    tmp_path: Path, process_alive: Callable[[int], bool]
) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    block = "sleep 300 &\necho $!\nsetsid sleep 300 > /dev/null 2>&1 < /dev/null &\necho $!\n"
    for _ in range(2):  # started on the spot, then by a spare
        code, out = _run(executor, block, "bash")
        assert code == 0
        pids = [int(pid) for pid in out.split()]
        assert len(pids) == 2
        assert not any(process_alive(pid) for pid in pids)  # no waiting: gone by the time the block returned


@pytest.mark.parametrize("shell", ["bash", "sh"])
@pytest.mark.parametrize(
    "code, expected",
    [
        ("exit 3", 3),
        ("true", 0),
        ("false", 1),
        ("kill -9 $$", -9),
        ("exec sh -c 'exit 7'", 7),
        ("sleep 300 & exit 4", 4),
        ("trap 'echo own trap' EXIT; exit 2", 2),
        ("sleep 0 & wait; exit 5", 5),  # a background job that ended with the block
        ("(sleep 300 &); exit 3", 3),  # a process left behind by a subshell, not the shell's own child
        ("exec 9>&-; exit 6", 6),
        ("set -eu; exit 5", 5),
        ("set -e; sleep 0 & wait; false", 1),
    ],
)
def test_exit_codes_of_shell_blocks_run_by_spares(tmp_path: Path, shell: str, code: str, expected: int) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    cold = subprocess.Popen([shell, "-c", code], cwd=tmp_path, start_new_session=True)
    try:
        assert cold.wait(timeout=20) == expected  # what a fresh bash reports
    finally:
        try:
            os.killpg(cold.pid, signal.SIGKILL)  # its background sleep, if any
        except (ProcessLookupError, PermissionError):
            pass
    for _ in range(2):
        assert _run(executor, code, shell)[0] == expected
        _ready(executor)


def test_a_block_holding_many_descriptors_gets_nothing_written_into_them(tmp_path: Path) -> None:
    """The shell reports its own end only through the launcher's status pipe, never a descriptor the block
    opened under the same number."""
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    _run(executor, "true", "bash")
    for _ in range(2):
        status = _ready(executor).launched.child_status
        # the block opens every number up to past the status pipe's (which depends on what the test process holds)
        last = max(200, (status or 0) + 5)
        code = f'for fd in $(seq 3 {last}); do eval "exec $fd>>fds.txt"; done; echo done; exit 6'
        assert _run(executor, code, "bash") == (6, "done\n")
        assert (tmp_path / "fds.txt").read_text() == ""


def test_shell_blocks_get_default_signal_handling(tmp_path: Path) -> None:
    """The launcher is a Python process (which ignores SIGPIPE): a block must not inherit that."""
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    cold = subprocess.run(["bash", "-c", "yes | head -1"], capture_output=True, text=True, timeout=20)
    for _ in range(2):
        assert _run(executor, "yes | head -1", "bash") == (0, cold.stdout + cold.stderr) == (0, "y\n")


@pytest.mark.parametrize("shell", ["bash", "sh"])
def test_shell_blocks_saved_under_names_that_are_not_ascii(tmp_path: Path, shell: str) -> None:
    """A bash spare reads an ASCII path in one piece and any other path as a line: both run the right file."""
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    for name in ("déjà vu.sh", "sub dir/ü.sh", "plain.sh", "déjà vu.sh"):
        code, out = _run(executor, f'# filename: {name}\necho "ran $(basename -- "$0")"\nexit 4', shell)
        expected = f"ran {Path(name).name}" if shell == "bash" else "ran " + shell  # sh keeps $0 as the shell
        assert (code, out.strip()) == (4, expected)


def test_shell_hand_over_messages() -> None:
    """bash gets a 16-character header then the path's bytes (read in one piece), sh and Python a line."""
    assert handover_message("python", "tmp_code_1.py", 7) == b"tmp_code_1.py\n"
    assert handover_message("sh", "a b.sh", 7) == b"7 a b.sh\n"
    assert handover_message("sh", "a.sh", None) == b"- a.sh\n"
    message = handover_message("bash", "dir/a b.sh", 12)
    assert message == b"12 10 " + b" " * 9 + b"\n" + b"dir/a b.sh"
    assert len(message.split(b"\n", 1)[0]) == 15
    assert handover_message("bash", "é.sh", None) == b"- - " + b" " * 11 + b"\n" + "é.sh".encode() + b"\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the launcher's status pipe is Linux-only")
def test_a_python_block_holds_the_descriptors_a_fresh_python_holds(tmp_path: Path) -> None:
    """The launcher's status pipe is not passed on to the block (nor to what the block starts)."""
    executor = LocalCommandLineCodeExecutor(timeout=20, work_dir=tmp_path)
    block = "# filename: fds.py\nimport os\nprint(sorted(int(fd) for fd in os.listdir('/proc/self/fd')))\n"
    for _ in range(2):
        code, out = _run(executor, block)
        cold = subprocess.run([sys.executable, "fds.py"], cwd=tmp_path, capture_output=True, text=True, check=True)
        assert (code, out) == (0, cold.stdout) == (0, "[0, 1, 2, 3]\n")  # 3: the directory being listed


@pytest.mark.parametrize("lang", ["bash", "python"])
def test_classic_executor_blocks_see_the_environment_as_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """A spare started before the environment changed is not used: set, changed and removed variables reach
    the next block of a classic ``{"work_dir": ...}`` executor as they would a process started then."""
    from autogen.coding.legacy import LegacyCodeExecutor

    executor = LegacyCodeExecutor(work_dir=str(tmp_path), timeout=20)
    show = (
        'echo "[${H24_ENV-unset}]"'
        if lang == "bash"
        else "import os; print(f\"[{os.environ.get('H24_ENV', 'unset')}]\")"
    )

    def seen() -> str:
        result = executor.execute_code_blocks([CodeBlock(code=show, language=lang)])
        assert result.exit_code == 0, result.output
        executor._spares.wait_ready()  # the next block gets a spare started before the change below
        return result.output.strip()

    monkeypatch.delenv("H24_ENV", raising=False)
    assert seen() == "[unset]"
    monkeypatch.setenv("H24_ENV", "one")
    assert seen() == "[one]"
    assert seen() == "[one]"  # unchanged: the spare is used
    monkeypatch.setenv("H24_ENV", "two")
    assert seen() == "[two]"
    monkeypatch.delenv("H24_ENV")
    assert seen() == "[unset]"
    executor._spares.close()


def test_environ_state_follows_every_change(monkeypatch: pytest.MonkeyPatch) -> None:
    from autogen.coding._process import environ_state, environ_unchanged

    monkeypatch.setenv("H24_ENV", "one")
    state = environ_state()
    assert environ_unchanged(state)
    monkeypatch.setenv("H24_ENV", "two")
    assert not environ_unchanged(state)
    monkeypatch.setenv("H24_ENV", "one")
    assert environ_unchanged(state)
    monkeypatch.delenv("H24_ENV")
    assert not environ_unchanged(state)


@pytest.mark.parametrize("lang", ["bash", "python"])
@pytest.mark.parametrize("classic", [False, True])
def test_output_larger_than_the_pipes_comes_whole(tmp_path: Path, lang: str, classic: bool) -> None:
    """A block writing more than its pipes hold (here 3 MB on each stream) is read from while it runs."""
    from autogen.coding.legacy import LegacyCodeExecutor

    executor: Union[LegacyCodeExecutor, LocalCommandLineCodeExecutor] = (
        LegacyCodeExecutor(work_dir=str(tmp_path), timeout=30)
        if classic
        else LocalCommandLineCodeExecutor(timeout=30, work_dir=tmp_path)
    )
    code = (
        "head -c 3000000 /dev/zero | tr '\\0' o; head -c 3000000 /dev/zero | tr '\\0' e >&2; exit 3"
        if lang == "bash"
        else "import sys\nsys.stdout.write('o' * 3000000)\nsys.stdout.flush()\nsys.stderr.write('e' * 3000000)\nsys.exit(3)"
    )
    for _ in range(2):
        result = executor.execute_code_blocks([CodeBlock(code=code, language=lang)])
        assert result.exit_code == 3
        assert sorted(set(result.output.strip())) == ["e", "o"]
        assert result.output.count("o") == 3000000 and result.output.count("e") == 3000000

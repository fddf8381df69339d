"""Jupyter executors: processes a timed-out block started (even in a new session) are killed, also when the
kernel did not stop and had to be restarted (the gateway executor reaching a kernel of a local server);
processes of earlier blocks are left alone; a kernel restarted after a timeout says its state was lost."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest

for _module in ("jupyter_client", "ipykernel", "requests", "websocket"):
    pytest.importorskip(_module, reason='needs the jupyter-executor extra: pip install "pyautogen[jupyter-executor]"')

import autogen.coding.jupyter._kernel_executor as _kernel_executor  # noqa: E402
from autogen.coding import CodeBlock  # noqa: E402
from autogen.coding.jupyter import EmbeddedIPythonCodeExecutor, JupyterCodeExecutor, LocalJupyterServer  # noqa: E402

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel subreaper is Linux-only"),
    # The test that first asks for the module's gateway must not pay for its start out of its own time: on a
    # busy machine that start alone took 35 s of the 120. It has a limit of its own (LocalJupyterServer fails
    # with the gateway's log after 60 s), and every wait inside the tests is bounded by the executors' limits.
    pytest.mark.timeout(func_only=True),
]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _spawn_block(tmp: Path, name: str, then_hang: bool) -> str:
    return (
        "import subprocess, time\n"
        # a grandchild in its own session whose parent exits at once: an orphan, as setsid leaves it
        "subprocess.run(['bash', '-c', 'setsid sleep 300 > /dev/null 2>&1 < /dev/null & echo $! > "
        f"{tmp / name}'])\n" + ("time.sleep(60)\n" if then_hang else "print('spawned')\n")
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("kernel_gateway", reason="needs jupyter_kernel_gateway")
    with LocalJupyterServer(log_file=str(tmp_path_factory.mktemp("gateway") / "gateway.log")) as srv:
        yield srv


def _embedded(tmp_path: Path, timeout: int) -> Any:
    return EmbeddedIPythonCodeExecutor(timeout=timeout, output_dir=tmp_path)


@pytest.fixture(params=["embedded", "server"])
def make_executor(request: pytest.FixtureRequest) -> Callable[[Path, int], Any]:
    if request.param == "embedded":
        return _embedded
    srv = request.getfixturevalue("server")
    return lambda tmp_path, timeout: JupyterCodeExecutor(srv, timeout=timeout, output_dir=tmp_path)


def test_setsid_child_of_a_timed_out_block_is_killed(make_executor: Any, tmp_path: Path) -> None:
    with make_executor(tmp_path, 3) as executor:
        earlier = executor.execute_code_blocks(
            [CodeBlock(code=_spawn_block(tmp_path, "early.pid", False), language="python")]
        )
        assert earlier.exit_code == 0
        early_pid = int((tmp_path / "early.pid").read_text())
        result = executor.execute_code_blocks(
            [CodeBlock(code=_spawn_block(tmp_path, "late.pid", True), language="python")]
        )
        assert result.exit_code == 124 and "interrupted" in result.output
        late_pid = int((tmp_path / "late.pid").read_text())
        assert not _alive(late_pid)  # killed (and reaped by the kernel) before the result came back
        assert _alive(early_pid)  # a process from an earlier, finished block is not the timed-out block's
        after = executor.execute_code_blocks([CodeBlock(code="print('kernel fine')", language="python")])
        assert after.output.strip() == "kernel fine"
    if _alive(early_pid):
        import os
        import signal

        os.kill(early_pid, signal.SIGKILL)


STUBBORN = """
import time
stubborn_started = True
while True:
    try:
        time.sleep(0.2)
    except KeyboardInterrupt:
        pass
"""


def test_kernel_restarted_after_timeout_says_state_lost(make_executor: Any, tmp_path: Path) -> None:
    with make_executor(tmp_path, 2) as executor:
        assert executor.execute_code_blocks([CodeBlock(code="kept = 1", language="python")]).exit_code == 0
        result = executor.execute_code_blocks([CodeBlock(code=STUBBORN, language="python")])
        assert result.exit_code == 124
        assert "restarted, state lost" in result.output and "interrupted." not in result.output
        after = executor.execute_code_blocks([CodeBlock(code="print(kept)", language="python")])
        assert after.exit_code == 1 and "NameError" in after.output


def _gone_within(pids: List[int], seconds: float) -> List[int]:
    """The pids still alive after waiting up to ``seconds`` for them to end (a bounded wait, not a timing check)."""
    deadline = time.monotonic() + seconds
    while (alive := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def _stubborn_spawner(tmp: Path) -> str:
    """A block that starts processes three ways (a child, a shell's background job, a new session), then
    ignores interrupts, so the kernel must be restarted."""
    return (
        "import os, subprocess\n"
        f"open({str(tmp / 'popen.pid')!r}, 'w').write(str(subprocess.Popen(['sleep', '1000']).pid))\n"
        f"os.system('sleep 1000 & echo $! > {tmp / 'system.pid'}')\n"
        "subprocess.run(['bash', '-c', 'setsid sleep 1000 > /dev/null 2>&1 < /dev/null & echo $! > "
        f"{tmp / 'setsid.pid'}'])\n" + STUBBORN
    )


def test_processes_of_a_block_that_hung_the_kernel_are_killed_with_its_restart(
    make_executor: Any, tmp_path: Path
) -> None:
    started: List[int] = []
    try:
        with make_executor(tmp_path, 3) as executor:
            result = executor.execute_code_blocks([CodeBlock(code=_stubborn_spawner(tmp_path), language="python")])
            assert result.exit_code == 124 and "restarted, state lost" in result.output
            started = [int((tmp_path / f"{how}.pid").read_text()) for how in ("popen", "system", "setsid")]
            assert _gone_within(started, 30) == []
            after = executor.execute_code_blocks([CodeBlock(code="print('kernel fine')", language="python")])
            assert after.output.strip() == "kernel fine"
    finally:
        for pid in started:
            if _alive(pid):
                import os
                import signal

                os.kill(pid, signal.SIGKILL)


def test_kernel_that_cannot_be_set_up_after_a_restart_raises_instead_of_restarting_again(
    make_executor: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restarted kernel that does not run the set-up cell either ends the run with an error: it is not
    restarted again and again (an agent would hang there for ever)."""
    restarts: List[int] = []
    with make_executor(tmp_path, 2) as executor:
        restart = executor.restart
        monkeypatch.setattr(executor, "restart", lambda: restarts.append(1) or restart())
        monkeypatch.setattr(_kernel_executor, "setup_cell", lambda: STUBBORN)  # the next set-up cell hangs
        monkeypatch.setattr(_kernel_executor, "_HOUSEKEEPING_TIMEOUT", 2.0)
        with pytest.raises(RuntimeError, match="did not run AutoGen's set-up cell within 2 s"):
            executor.execute_code_blocks([CodeBlock(code=STUBBORN, language="python")])
        assert restarts == [1]

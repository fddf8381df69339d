"""Processes a block starts in a new session (setsid / start_new_session) do not survive the block."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from autogen.code_utils import execute_code
from autogen.coding import CodeBlock, LocalCommandLineCodeExecutor
from autogen.coding.factory import CodeExecutorFactory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the subreaper launcher is Linux-only")

# a shell block: a setsid child that would outlive everything, then the block hangs past its time limit
SHELL_BLOCK = """
setsid sleep 300 > /dev/null 2>&1 < /dev/null &
echo $! > setsid_child.pid
sleep 100
"""

# a Python block whose detached child keeps its stdout: the block itself ends at once
PYTHON_BLOCK = """
import subprocess
child = subprocess.Popen(["sleep", "300"], start_new_session=True)
open("detached_child.pid", "w").write(str(child.pid))
print("started", child.pid)
"""


def _gone(pid_file: Path) -> bool:
    """True once the process named in ``pid_file`` no longer runs (a zombie counts as gone)."""
    pid = int(pid_file.read_text().strip())
    for _ in range(100):
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    os.kill(pid, 9)  # do not leave it behind, then fail
    return False


def test_local_executor_kills_setsid_child_on_timeout(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=2, work_dir=tmp_path)
    result = executor.execute_code_blocks([CodeBlock(code=SHELL_BLOCK, language="bash")])
    assert result.exit_code == 124 and "Timeout" in result.output
    assert _gone(tmp_path / "setsid_child.pid")


def test_local_executor_ends_detached_child_with_the_block(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=30, work_dir=tmp_path)
    result = executor.execute_code_blocks([CodeBlock(code=PYTHON_BLOCK, language="python")])
    assert result.exit_code == 0 and "started" in result.output  # not held until the timeout by the child's pipe
    assert _gone(tmp_path / "detached_child.pid")


def test_legacy_execute_code_kills_setsid_child_on_timeout(tmp_path: Path) -> None:
    exit_code, logs, _ = execute_code(SHELL_BLOCK, lang="bash", timeout=2, work_dir=str(tmp_path), use_docker=False)
    assert exit_code != 0 and "Timeout" in logs
    assert _gone(tmp_path / "setsid_child.pid")


def test_classic_code_execution_config_kills_setsid_child(tmp_path: Path) -> None:
    executor = CodeExecutorFactory.create({"work_dir": str(tmp_path), "use_docker": False, "timeout": 2})
    result = executor.execute_code_blocks([CodeBlock(code=SHELL_BLOCK, language="bash")])
    assert result.exit_code != 0
    assert _gone(tmp_path / "setsid_child.pid")


def test_missing_interpreter_still_says_so(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(timeout=5, work_dir=tmp_path)
    executor._command = lambda lang: ["no-such-interpreter-xyz"]  # type: ignore[method-assign]
    result = executor.execute_code_blocks([CodeBlock(code="print(1)", language="python")])
    assert result.exit_code == 1 and "Cannot run python code" in result.output

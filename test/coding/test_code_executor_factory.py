"""CodeExecutorFactory / executor_from_config: both shapes of code_execution_config."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from autogen import code_utils
from autogen.coding import (
    CodeBlock,
    CodeExecutor,
    CodeExecutorFactory,
    CodeResult,
    DockerNotRunningError,
    LegacyCodeExecutor,
    LocalCommandLineCodeExecutor,
    MarkdownCodeExtractor,
    executor_from_config,
)
from autogen.exception_utils import ConfigError


def _no_docker_probe() -> bool:
    raise AssertionError("Docker must not be probed for this config")


class EchoExecutor:
    """A user-written executor: anything with the three members of the protocol."""

    @property
    def code_extractor(self) -> MarkdownCodeExtractor:
        return MarkdownCodeExtractor()

    def execute_code_blocks(self, code_blocks: list[CodeBlock]) -> CodeResult:
        return CodeResult(exit_code=0, output="".join(b.code for b in code_blocks))

    def restart(self) -> None:
        pass


def test_instance_is_returned_as_is() -> None:
    executor = EchoExecutor()
    assert isinstance(executor, CodeExecutor)
    assert CodeExecutorFactory.create({"executor": executor}) is executor


def test_commandline_local_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_utils, "is_docker_running", _no_docker_probe)
    executor = CodeExecutorFactory.create(
        {
            "executor": "commandline-local",
            "commandline-local": {"work_dir": str(tmp_path), "timeout": 5},
            "last_n_messages": 2,
        }
    )
    assert isinstance(executor, LocalCommandLineCodeExecutor)
    assert executor.timeout == 5 and executor.work_dir == tmp_path


def test_unknown_executor_and_bad_configs() -> None:
    with pytest.raises(ConfigError, match="Unknown code executor fortran") as info:
        CodeExecutorFactory.create({"executor": "fortran"})  # type: ignore[typeddict-item]
    assert isinstance(info.value, ValueError)
    assert "commandline-local" in str(info.value)
    with pytest.raises(ConfigError):
        CodeExecutorFactory.create({"executor": 42})  # type: ignore[typeddict-item]
    with pytest.raises(ConfigError):
        CodeExecutorFactory.create("commandline-local")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        CodeExecutorFactory.create({"executor": "commandline-local", "commandline-local": "nope"})  # type: ignore[typeddict-item]


# --------------------------------------------------------------------------------------- classic dict ----


def test_classic_local_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_utils, "is_docker_running", _no_docker_probe)
    executor = executor_from_config(
        {"work_dir": str(tmp_path), "use_docker": False, "timeout": 7, "last_n_messages": 3}
    )
    assert isinstance(executor, LegacyCodeExecutor)
    assert not executor.use_docker and executor.timeout == 7 and executor.work_dir == tmp_path
    result = executor.execute_code_blocks(
        [CodeBlock(code="print('hello')", language="python"), CodeBlock(code="echo there", language="sh")]
    )
    assert (result.exit_code, result.output) == (0, "\nhello\n\nthere\n")
    assert list(tmp_path.iterdir()) == []  # temporary files removed, as classic


def test_classic_work_dir_removed_between_blocks_is_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_utils, "is_docker_running", _no_docker_probe)
    work_dir = tmp_path / "work"
    executor = executor_from_config({"work_dir": str(work_dir), "use_docker": False})
    block = [CodeBlock(code="echo $0; pwd", language="bash")]
    first = executor.execute_code_blocks(block)
    assert executor._spares.wait_ready() is not None  # a shell waits in the directory for the next block
    work_dir.rmdir()  # the temporary file is gone, so is the directory
    again = executor.execute_code_blocks(block)
    assert first.exit_code == again.exit_code == 0
    assert first.output.split() == again.output.split()
    assert first.output.split()[0].startswith("tmp_code_") and first.output.split()[1] == str(work_dir.resolve())
    assert list(work_dir.iterdir()) == []


def test_classic_config_behaviour(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_utils, "is_docker_running", _no_docker_probe)
    executor = executor_from_config({"work_dir": str(tmp_path), "use_docker": False, "timeout": 1})
    # a block without language gets one guessed
    assert executor.execute_code_blocks([CodeBlock(code="print(1 + 1)", language="")]).output == "\n2\n"
    # filename comments are kept
    kept = executor.execute_code_blocks([CodeBlock(code="# filename: keep.py\nprint('k')", language="python")])
    assert kept.output == "\nk\n" and (tmp_path / "keep.py").exists()
    # unknown language
    unknown = executor.execute_code_blocks([CodeBlock(code="SELECT 1;", language="sql")])
    assert (unknown.exit_code, unknown.output) == (1, "\nunknown language sql")
    # failure stops the run and shows output plus error
    failed = executor.execute_code_blocks(
        [CodeBlock(code="print('x')\n1/0", language="python"), CodeBlock(code="print('never')", language="python")]
    )
    assert failed.exit_code == 1 and "x\n" in failed.output and "ZeroDivisionError" in failed.output
    assert "never" not in failed.output and str(tmp_path) not in failed.output
    # timeout
    slow = executor.execute_code_blocks([CodeBlock(code="import time; time.sleep(20)", language="python")])
    assert slow.exit_code == 1 and slow.output.endswith("Timeout")  # classic: execute_code gave 1
    # escaping file names are refused
    escaped = executor.execute_code_blocks([CodeBlock(code="# filename: ../e.py\nprint(1)", language="python")])
    assert escaped.exit_code == 1 and "outside the working directory" in escaped.output
    assert not (tmp_path.parent / "e.py").exists()


def test_classic_default_work_dir_is_the_classic_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_utils, "is_docker_running", _no_docker_probe)
    executor = executor_from_config({"use_docker": False})
    assert isinstance(executor, LegacyCodeExecutor)
    assert str(executor.work_dir) == code_utils.WORKING_DIR


def test_classic_docker_default_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOGEN_USE_DOCKER", raising=False)
    # inside a container, the default runs code here without asking Docker
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: True)
    monkeypatch.setattr(code_utils, "is_docker_running", _no_docker_probe)
    assert not executor_from_config({"work_dir": str(tmp_path)}).use_docker  # type: ignore[attr-defined]
    # env var off: no probe either
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "no")
    assert not executor_from_config({"work_dir": str(tmp_path), "use_docker": None}).use_docker  # type: ignore[attr-defined]
    # default outside a container: Docker, probed exactly once
    monkeypatch.delenv("AUTOGEN_USE_DOCKER")
    probes: list[int] = []

    def probe() -> bool:
        probes.append(1)
        return False

    monkeypatch.setattr(code_utils, "is_docker_running", probe)
    with pytest.raises(DockerNotRunningError) as info:
        executor_from_config({"work_dir": str(tmp_path)})
    assert probes == [1]
    assert '"use_docker": False' in str(info.value)
    # explicitly asked inside a container without a daemon: classic fallback to running here
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: True)
    assert not executor_from_config({"work_dir": str(tmp_path), "use_docker": True}).use_docker  # type: ignore[attr-defined]


@pytest.mark.docker
def test_classic_docker_config_runs_in_one_container(
    tmp_path: Path, docker_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docker

    # As in the classic package, a process inside a container runs code locally; act as a host here.
    monkeypatch.setattr("autogen.code_utils.in_docker_container", lambda: False)

    executor = executor_from_config({"work_dir": str(tmp_path), "use_docker": ["autogen-missing:x", "python:3-slim"]})
    assert isinstance(executor, LegacyCodeExecutor) and executor.use_docker
    try:
        first = executor.execute_code_blocks(
            [CodeBlock(code="import socket; print(socket.gethostname())", language="python")]
        )
        second = executor.execute_code_blocks([CodeBlock(code="hostname; pwd", language="sh")])
        assert first.exit_code == 0 and second.exit_code == 0, (first, second)
        hostname = first.output.strip()
        assert hostname != socket.gethostname()
        assert second.output == f"\n{hostname}\n/workspace\n"  # the same container for every block
        assert executor.image == "python:3-slim"
        assert list(tmp_path.iterdir()) == []
    finally:
        executor.stop()
    with pytest.raises(docker.errors.NotFound):
        docker_client.containers.get(hostname)

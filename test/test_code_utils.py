"""The classic helpers of autogen.code_utils."""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from autogen import code_utils
from autogen.code_utils import (
    CODE_BLOCK_PATTERN,
    DEFAULT_MODEL,
    FAST_MODEL,
    PYTHON_VARIANTS,
    TIMEOUT_MSG,
    UNKNOWN,
    WORKING_DIR,
    check_can_use_docker_or_throw,
    content_str,
    decide_use_docker,
    execute_code,
    extract_code,
    get_powershell_command,
    in_docker_container,
    infer_lang,
)
from autogen.coding.errors import DockerNotRunningError


def _no_docker_probe() -> bool:
    raise AssertionError("Docker must not be probed here")


# ------------------------------------------------------------------------------------------- constants ----


def test_constants() -> None:
    assert DEFAULT_MODEL == "gpt-4" and FAST_MODEL == "gpt-3.5-turbo"
    assert UNKNOWN == "unknown" and TIMEOUT_MSG == "Timeout"
    assert PYTHON_VARIANTS == ["python", "Python", "py"]
    assert WORKING_DIR.endswith("extensions")
    assert isinstance(CODE_BLOCK_PATTERN, str)


# -------------------------------------------------------------------------------------------- extract ----


def test_extract_code_blocks() -> None:
    text = (
        "Here is the plan.\n```python\nprint('hello')\nprint('world')\n```\nThen run:\n```sh\nls -la\n```\n"
        "And one without language:\n```\nx = 1\n```"
    )
    assert extract_code(text) == [
        ("python", "print('hello')\nprint('world')"),
        ("sh", "ls -la"),
        ("", "x = 1"),
    ]


def test_extract_code_without_blocks_returns_the_text_as_unknown() -> None:
    assert extract_code("no code here") == [(UNKNOWN, "no code here")]
    assert extract_code("") == [(UNKNOWN, "")]
    assert extract_code(None) == [(UNKNOWN, "")]


def test_extract_code_variants() -> None:
    # windows line ends, spaces after the fence, indented closing fence
    assert extract_code("```python \r\nprint(1)\r\n  ```") == [("python", "print(1)")]
    # multimodal content
    content: list[dict[str, Any]] = [
        {"type": "text", "text": "look:\n```python\nprint(2)\n```"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
    ]
    assert extract_code(content) == [("python", "print(2)")]
    # a custom pattern
    assert extract_code("<code>a=1</code>", pattern=r"<code>()(.*?)</code>") == [("", "a=1")]


def test_extract_single_line_code() -> None:
    assert extract_code("`print('hello world')`", detect_single_line_code=True) == [("", "print('hello world')")]
    assert extract_code("```python\nprint('a')\nprint('b')\n```", detect_single_line_code=True) == [
        ("python", "print('a')\nprint('b')")
    ]
    assert extract_code("run `ls` then\n```sh\necho hi\n```", detect_single_line_code=True) == [
        ("", "ls"),
        ("sh", "echo hi"),
    ]
    assert extract_code("nothing", detect_single_line_code=True) == []


def test_infer_lang() -> None:
    assert infer_lang("print('hello')") == "python"
    assert infer_lang("pip install autogen") == "sh"
    assert infer_lang("python script.py") == "sh"
    assert infer_lang("python3 script.py") == "sh"
    assert infer_lang("this is : not code {") == UNKNOWN


def test_content_str() -> None:
    assert content_str(None) == ""
    assert content_str("plain") == "plain"
    parts: list[dict[str, Any]] = [
        {"type": "text", "text": "hello "},
        {"type": "image_url", "image_url": {"url": "http://x/y.png"}},
        {"type": "text", "text": " world"},
    ]
    assert content_str(parts) == "hello <image> world"
    with pytest.raises(TypeError):
        content_str(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        content_str(["not a dict"])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        content_str([{"type": "audio", "data": ""}])


# ------------------------------------------------------------------------------------- docker choice ----


def test_in_docker_container_reads_dockerenv() -> None:
    assert in_docker_container() == os.path.exists("/.dockerenv")


@pytest.mark.parametrize("value", ["False", "false", "0", "no", "NO", " f "])
def test_decide_use_docker_env_false(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", value)
    assert decide_use_docker(None) is False


@pytest.mark.parametrize("value", ["True", "true", "1", "yes", "t"])
def test_decide_use_docker_env_true(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", value)
    assert decide_use_docker(None) is True


def test_decide_use_docker_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOGEN_USE_DOCKER", raising=False)
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)
    assert decide_use_docker(None) is True  # Docker is the default
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: True)
    assert decide_use_docker(None) is True  # also inside a container (classic); the code then runs right here
    # explicit values are kept as they are
    for value in (True, False, "python:3-slim", ["a", "b"]):
        assert decide_use_docker(value) == value
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "None")
    assert decide_use_docker(None) is None
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "maybe")
    with pytest.raises(ValueError, match="AUTOGEN_USE_DOCKER"):
        decide_use_docker(None)


def test_check_can_use_docker_or_throw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_utils, "is_docker_running", _no_docker_probe)
    check_can_use_docker_or_throw(False)  # no probe
    check_can_use_docker_or_throw(None)

    monkeypatch.setattr(code_utils, "is_docker_running", lambda: False)
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)
    with pytest.raises(RuntimeError) as info:
        check_can_use_docker_or_throw(True)
    assert isinstance(info.value, DockerNotRunningError)
    message = str(info.value)
    assert "docker is not running" in message
    assert "Make sure Docker is running" in message
    assert '"use_docker": False' in message
    assert "AUTOGEN_USE_DOCKER" in message and "0/False/no" in message

    monkeypatch.setattr(code_utils, "in_docker_container", lambda: True)
    check_can_use_docker_or_throw(True)  # inside a container code runs here instead

    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)
    monkeypatch.setattr(code_utils, "is_docker_running", lambda: True)
    check_can_use_docker_or_throw("python:3-slim")


def test_is_docker_running_false_with_bad_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/nothing.sock")
    assert code_utils.is_docker_running() is False


def test_get_powershell_command() -> None:
    if shutil.which("pwsh") or shutil.which("powershell"):
        assert get_powershell_command() in ("pwsh", "powershell")
    else:
        with pytest.raises(FileNotFoundError, match="PowerShell"):
            get_powershell_command()


# ---------------------------------------------------------------------------------------- execute ----


@pytest.fixture
def no_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_utils, "is_docker_running", _no_docker_probe)


def test_execute_code_locally(tmp_path: Path, no_docker: None) -> None:
    exit_code, logs, image = execute_code("print('hello world')", work_dir=str(tmp_path), use_docker=False)
    assert (exit_code, logs, image) == (0, "hello world\n", None)
    assert list(tmp_path.iterdir()) == []  # the temporary code file is removed


def test_execute_code_with_filename(tmp_path: Path, no_docker: None) -> None:
    exit_code, logs, _ = execute_code(
        "print('saved')", filename="tmp/codetest.py", work_dir=str(tmp_path), use_docker=False
    )
    assert (exit_code, logs) == (0, "saved\n")
    assert (tmp_path / "tmp" / "codetest.py").read_text() == "print('saved')"
    # run the existing file again without code
    exit_code, logs, _ = execute_code(filename="tmp/codetest.py", work_dir=str(tmp_path), use_docker=False)
    assert (exit_code, logs) == (0, "saved\n")


def test_execute_code_error_names_the_relative_file(tmp_path: Path, no_docker: None) -> None:
    exit_code, logs, _ = execute_code(
        "with open('tmp/codetest.py', 'r') as f: a = f.read()",
        filename="tmp2/codetest.py",
        work_dir=str(tmp_path),
        use_docker=False,
    )
    assert exit_code != 0
    assert 'File "tmp2/codetest.py"' in logs and "FileNotFoundError" in logs
    assert str(tmp_path) not in logs


def test_execute_code_shell_and_unknown_language(tmp_path: Path, no_docker: None) -> None:
    assert execute_code("echo from sh", lang="sh", work_dir=str(tmp_path), use_docker=False)[:2] == (0, "from sh\n")
    with pytest.raises(NotImplementedError):
        execute_code("x", lang="cobol", work_dir=str(tmp_path), use_docker=False)


def test_execute_code_timeout(tmp_path: Path, no_docker: None) -> None:
    started = time.monotonic()
    exit_code, logs, _ = execute_code(
        "import time; time.sleep(30)", timeout=1, work_dir=str(tmp_path), use_docker=False
    )
    assert time.monotonic() - started < 10
    assert exit_code == 1 and logs == TIMEOUT_MSG  # classic: 1, not the executors' 124


def test_execute_code_needs_code_or_filename() -> None:
    with pytest.raises(AssertionError):
        execute_code()


def test_execute_code_refuses_escaping_filename(tmp_path: Path, no_docker: None) -> None:
    work = tmp_path / "work"
    exit_code, logs, _ = execute_code("print(1)", filename="../out.py", work_dir=str(work), use_docker=False)
    assert exit_code == 1 and "outside the working directory" in logs
    assert not (tmp_path / "out.py").exists()


def test_execute_code_default_follows_the_docker_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_docker: None
) -> None:
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "False")
    assert execute_code("print(1)", work_dir=str(tmp_path))[:2] == (0, "1\n")
    monkeypatch.delenv("AUTOGEN_USE_DOCKER")
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: True)
    assert execute_code("print(2)", work_dir=str(tmp_path))[:2] == (0, "2\n")


def test_execute_code_docker_asked_but_not_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)
    monkeypatch.setattr(code_utils, "is_docker_running", lambda: False)
    with pytest.raises(DockerNotRunningError, match="AUTOGEN_USE_DOCKER"):
        execute_code("print(1)", work_dir=str(tmp_path), use_docker=True)


@pytest.mark.docker
def test_execute_code_in_docker(tmp_path: Path, docker_daemon: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # As in the classic package, a process inside a container runs code locally; act as a host here.
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)
    code = "import socket, os\nprint(socket.gethostname())\nopen('made.txt', 'w').write(os.getcwd())"
    exit_code, logs, image = execute_code(code, work_dir=str(tmp_path), use_docker="python:3-slim")
    assert exit_code == 0, logs
    assert image == "python:3-slim"
    assert logs.strip() and logs.strip() != socket.gethostname()
    assert (tmp_path / "made.txt").read_text() == "/workspace"
    exit_code, logs, _ = execute_code(
        "import time; time.sleep(30)", timeout=1, work_dir=str(tmp_path), use_docker="python:3-slim"
    )
    assert exit_code == 1 and logs.endswith(TIMEOUT_MSG)


@pytest.fixture
def docker_daemon() -> None:
    if not code_utils.is_docker_running():
        pytest.skip("no Docker daemon answers; run scripts/setup_docker.sh")


@pytest.mark.docker
def test_an_agent_running_code_in_docker_reports_errors_like_classic(
    llm_server: Any, llm_config: dict[str, Any], tmp_path: Path, docker_daemon: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # classic execute_code cut "/workspace/<generated file>" out of a failed run's logs in Docker, as it cut the
    # work dir (and the generated file's name) out of a local one; a named file keeps its relative name
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)
    from autogen import AssistantAgent, UserProxyAgent

    llm_server.script(
        "```python\ndef f():\n    raise ValueError('boom')\nf()\n```",
        "```python\n# filename: named.py\nraise ValueError('named')\n```",
        "TERMINATE",
    )
    assistant = AssistantAgent("assistant", llm_config=llm_config)
    user = UserProxyAgent(
        "user",
        human_input_mode="NEVER",
        code_execution_config={"work_dir": str(tmp_path), "use_docker": "python:3-slim"},
    )
    user.initiate_chat(assistant, message="Run.", max_turns=3)
    temporary, named = [m["content"] for m in user.chat_messages[assistant] if m["role"] == "assistant"][1:]
    assert temporary.startswith("exitcode: 1 (execution failed)\nCode output: \nTraceback")
    assert 'File "", line 3, in <module>' in temporary and 'File "", line 2, in f' in temporary
    assert "/workspace" not in temporary and "tmp_code_" not in temporary
    assert 'File "named.py", line 2, in <module>' in named and "/workspace" not in named

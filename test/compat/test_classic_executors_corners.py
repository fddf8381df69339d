"""Executor corners as 0.2-era code uses them, pinned to what classic 0.2.35 did (or documented where we differ).

The side-by-side scenarios behind these tests are exec_venv, exec_docker_bind, exec_jupyter_edges and exec_agents in
scripts/classic_diff/scenarios.py (the "s8exec" group). Real parts only: a real venv, the real Docker daemon with the
locally built python:3-slim image, real IPython kernels, and the real openai SDK against the local model server.
"""

from __future__ import annotations

import base64
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from autogen import AssistantAgent, UserProxyAgent
from autogen.code_utils import create_virtual_env
from autogen.coding import CodeBlock, IPythonCodeResult, LocalCommandLineCodeExecutor
from autogen.coding.func_with_reqs import with_requirements

# a 1x1 PNG
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
SHOW_PNG = f"import base64\nfrom IPython.display import Image, display\ndisplay(Image(data=base64.b64decode('{PNG}')))"


def _needs_jupyter() -> None:
    pytest.importorskip(
        "jupyter_client", reason='needs the jupyter-executor extra: pip install "pyautogen[jupyter-executor]"'
    )
    pytest.importorskip(
        "ipykernel", reason='needs the jupyter-executor extra: pip install "pyautogen[jupyter-executor]"'
    )


@pytest.fixture(scope="module")
def docker_client() -> Iterator[Any]:
    """The real Docker daemon; skipped only when none answers."""
    docker = pytest.importorskip("docker")
    try:
        client = docker.from_env(timeout=10)
        client.ping()
    except Exception as exc:
        pytest.skip(f"no Docker daemon answers ({exc}); run scripts/setup_docker.sh")
    yield client
    client.close()


def _container_statuses(client: Any, name: str) -> list[str]:
    return [c.status for c in client.containers.list(all=True, filters={"name": f"^{name}$"})]


# --------------------------------------------------------------------- LocalCommandLineCodeExecutor in a virtual env
def first_numbers(n: int) -> list:
    """The first n numbers."""
    return list(range(n))


def docker_version() -> str:
    """The docker SDK's version, from the functions module's own imports."""
    return str(docker.__version__)  # type: ignore[name-defined]  # noqa: F821


def test_functions_run_inside_the_virtual_env_and_a_missing_import_names_itself(tmp_path: Path) -> None:
    venv_dir = tmp_path / "venv"
    ctx = create_virtual_env(str(venv_dir), with_pip=False)
    ex = LocalCommandLineCodeExecutor(virtual_env_context=ctx, work_dir=tmp_path / "work", functions=[first_numbers])
    assert ex.format_functions_for_prompt().endswith(
        'def first_numbers(n: int) -> list:\n    """The first n numbers."""\n    ...'
    )
    code = "import sys\nfrom functions import first_numbers\nprint(sys.prefix)\nprint(first_numbers(3))"
    result = ex.execute_code_blocks([CodeBlock(code=code, language="python")])
    assert (result.exit_code, result.output) == (0, f"{venv_dir}\n[0, 1, 2]\n")
    shell = ex.execute_code_blocks([CodeBlock(code="command -v python", language="sh")])
    assert shell.output.strip() == str(Path(ctx.bin_path) / "python")

    # docker is installed beside autogen but not in the new venv: the module fails to import there, and the
    # output starts with classic's sentence (classic raised ValueError with it; see docs/compatibility.md)
    needs = with_requirements(global_imports=["docker"])(docker_version)
    missing = LocalCommandLineCodeExecutor(virtual_env_context=ctx, work_dir=tmp_path / "miss", functions=[needs])
    result = missing.execute_code_blocks([CodeBlock(code="print('never')", language="python")])
    assert result.exit_code == 1
    assert result.output.startswith("Functions failed to load:")
    assert result.output.rstrip().endswith("ModuleNotFoundError: No module named 'docker'")
    assert "never" not in result.output


# --------------------------------------------------------------------- DockerCommandLineCodeExecutor with bind_dir
def test_docker_mounts_bind_dir_and_saves_code_in_work_dir(tmp_path: Path, docker_client: Any) -> None:
    from autogen.coding import DockerCommandLineCodeExecutor

    host = tmp_path / "host_bind"  # what the daemon mounts
    host.mkdir()
    seen = tmp_path / "seen_here"  # the same folder as this process sees it (as from inside a container)
    seen.symlink_to(host)
    name = f"s8exec-bind-{uuid.uuid4().hex[:8]}"
    ex = DockerCommandLineCodeExecutor(work_dir=seen, bind_dir=str(host), container_name=name, timeout=20)
    try:
        assert (ex.work_dir, ex.bind_dir) == (seen, host)
        mounts = docker_client.containers.get(name).attrs["Mounts"]
        assert [(m["Source"], m["Destination"]) for m in mounts] == [(str(host.resolve()), "/workspace")]
        result = ex.execute_code_blocks(
            [CodeBlock(code="open('made.txt', 'w').write('x')\nprint('wrote')", language="python")]
        )
        assert (result.exit_code, result.output) == (0, "wrote\n")
        assert (host / "made.txt").read_text() == "x"
        assert result.code_file is not None and Path(result.code_file).read_text().startswith("open(")
        ex.restart()
        again = ex.execute_code_blocks([CodeBlock(code="import os; print(os.path.exists('made.txt'))", language="py")])
        assert (again.exit_code, again.output) == (0, "True\n")
    finally:
        ex.stop()
    assert _container_statuses(docker_client, name) == []

    # two unrelated folders: the container does not see the file saved in work_dir, as in classic
    apart_name = f"s8exec-apart-{uuid.uuid4().hex[:8]}"
    apart = DockerCommandLineCodeExecutor(work_dir=tmp_path / "apart", bind_dir=host, container_name=apart_name)
    try:
        result = apart.execute_code_blocks([CodeBlock(code="print('unreachable')", language="python")])
    finally:
        apart.stop()
    assert result.exit_code == 2
    assert "python: can't open file '/workspace/tmp_code_" in result.output


def test_docker_without_auto_remove_keeps_the_stopped_container_and_restart_revives_it(
    tmp_path: Path, docker_client: Any
) -> None:
    from autogen.coding import DockerCommandLineCodeExecutor

    name = f"s8exec-keep-{uuid.uuid4().hex[:8]}"
    ex = DockerCommandLineCodeExecutor(work_dir=tmp_path, container_name=name, auto_remove=False, stop_container=False)
    try:
        assert ex.container_name == name
        assert ex.execute_code_blocks([CodeBlock(code="echo kept", language="sh")]).output == "kept\n"
        ex.stop()
        assert _container_statuses(docker_client, name) == ["exited"]
        # classic: restart() brings the kept container back and blocks run again (ours raised "has been stopped"
        # and left the restarted container running, as stop() thought it was already stopped)
        ex.restart()
        assert ex.execute_code_blocks([CodeBlock(code="print('back')", language="python")]).output == "back\n"
        ex.stop()
        assert _container_statuses(docker_client, name) == ["exited"]
    finally:
        for c in docker_client.containers.list(all=True, filters={"name": f"^{name}$"}):
            c.remove(force=True)


# --------------------------------------------------------------------- the Jupyter executors on edge inputs
@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    _needs_jupyter()
    from autogen.coding.jupyter import EmbeddedIPythonCodeExecutor

    ex = EmbeddedIPythonCodeExecutor(output_dir=str(tmp_path_factory.mktemp("emb")), timeout=60)
    yield ex
    ex.stop()


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    _needs_jupyter()
    pytest.importorskip("kernel_gateway", reason="needs jupyter-kernel-gateway for LocalJupyterServer")
    from autogen.coding.jupyter import LocalJupyterServer

    with LocalJupyterServer(log_file=str(tmp_path_factory.mktemp("jlog") / "gateway.log")) as server:
        yield server


@pytest.fixture(scope="module")
def jupyter(jupyter_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from autogen.coding.jupyter import JupyterCodeExecutor

    ex = JupyterCodeExecutor(jupyter_server, output_dir=tmp_path_factory.mktemp("jup"), timeout=60)
    yield ex
    ex.stop()


@pytest.mark.parametrize("which", ["embedded", "jupyter"])
def test_jupyter_executors_give_an_empty_success_for_no_blocks(which: str, request: pytest.FixtureRequest) -> None:
    # classic's Jupyter executors returned an empty success here (the command-line ones raise ValueError)
    ex = request.getfixturevalue(which)
    result = ex.execute_code_blocks([])
    assert isinstance(result, IPythonCodeResult)
    assert (result.exit_code, result.output, result.output_files) == (0, "", [])


@pytest.mark.parametrize("which", ["embedded", "jupyter"])
def test_a_displayed_image_is_saved_as_a_png(which: str, request: pytest.FixtureRequest) -> None:
    ex = request.getfixturevalue(which)
    result = ex.execute_code_blocks([CodeBlock(code="print('before')\n" + SHOW_PNG, language="python")])
    assert result.exit_code == 0
    [saved] = result.output_files
    assert Path(saved).is_absolute() and Path(saved).parent == Path(ex.output_dir).resolve()
    assert Path(saved).read_bytes() == base64.b64decode(PNG)
    assert result.output == f"before\nImage data saved to {saved}\n"


def test_embedded_timeout_and_output_dir_can_be_assigned(embedded: Any, tmp_path: Path) -> None:
    # classic's EmbeddedIPythonCodeExecutor was a pydantic model: its fields could be assigned
    # (AttributeError "property ... has no setter" before)
    old_dir, old_timeout = embedded.output_dir, embedded.timeout
    try:
        embedded.output_dir = str(tmp_path / "plots")
        result = embedded.execute_code_blocks([CodeBlock(code=SHOW_PNG, language="python")])
        assert [Path(f).parent for f in result.output_files] == [(tmp_path / "plots").resolve()]
        embedded.timeout = 1
        slow = embedded.execute_code_blocks([CodeBlock(code="import time\ntime.sleep(30)", language="python")])
        assert slow.exit_code != 0 and "Timeout" in slow.output
        with pytest.raises(ValueError, match="Timeout must be greater than or equal to 1."):
            embedded.timeout = 0
        assert embedded.timeout == 1
    finally:
        embedded.output_dir, embedded.timeout = old_dir, old_timeout
    assert embedded.execute_code_blocks([CodeBlock(code="print('alive')", language="python")]).output == "alive\n"


@pytest.mark.parametrize("which", ["embedded", "jupyter"])
def test_restart_after_stop_says_to_create_a_new_executor(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # an AssertionError without a message (JupyterCodeExecutor) or jupyter_client's "Cannot restart the kernel"
    # (embedded) before
    from autogen.coding.jupyter import EmbeddedIPythonCodeExecutor, JupyterCodeExecutor

    if which == "jupyter":
        ex: Any = JupyterCodeExecutor(request.getfixturevalue("jupyter_server"), output_dir=tmp_path)
    else:
        _needs_jupyter()
        ex = EmbeddedIPythonCodeExecutor(output_dir=tmp_path)
    ex.stop()
    message = f"The kernel has been stopped; create a new {type(ex).__name__}."
    with pytest.raises(RuntimeError, match=message):
        ex.restart()
    with pytest.raises(RuntimeError, match=message):
        ex.execute_code_blocks([CodeBlock(code="print(1)", language="python")])


# --------------------------------------------------------------------- UserProxyAgent with each executor
def _chat(llm_server: Any, llm_config: dict[str, Any], executor: Any) -> list[str]:
    llm_server.script(
        "```\nprint('no language given')\n```",
        "```python\nx = 2\nprint(x * 21)\n```\n```python\nraise ValueError('boom')\n```",
        "```cobol\nDISPLAY 'hi'\n```",
        "TERMINATE",
    )
    user = UserProxyAgent(
        "user_proxy",
        human_input_mode="NEVER",
        max_consecutive_auto_reply=5,
        code_execution_config={"executor": executor},
        is_termination_msg=lambda m: (m.get("content") or "").strip() == "TERMINATE",
    )
    assistant = AssistantAgent("assistant", llm_config=llm_config)
    chat = user.initiate_chat(assistant, message="Run some code.")
    return [str(m["content"]) for m in chat.chat_history if m["name"] == "user_proxy"][1:]


def _assert_classic_banners(printed: str) -> None:
    assert "\n>>>>>>>> EXECUTING CODE BLOCK (inferred language is python)...\n" in printed
    assert "\n>>>>>>>> EXECUTING 2 CODE BLOCKS (inferred languages are [python, python])...\n" in printed
    assert "\n>>>>>>>> EXECUTING CODE BLOCK (inferred language is cobol)...\n" in printed


def test_user_proxy_with_the_docker_executor(
    llm_server: Any, llm_config: dict[str, Any], docker_client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from autogen.coding import DockerCommandLineCodeExecutor

    name = f"s8exec-agent-{uuid.uuid4().hex[:8]}"
    with DockerCommandLineCodeExecutor(work_dir=tmp_path, container_name=name) as ex:
        replies = _chat(llm_server, llm_config, ex)
    _assert_classic_banners(capsys.readouterr().out)
    assert replies[0] == "exitcode: 0 (execution succeeded)\nCode output: no language given\n"
    assert replies[1].startswith(
        "exitcode: 1 (execution failed)\nCode output: 42\nTraceback (most recent call last):\n"
    )
    assert replies[1].endswith("ValueError: boom\n")
    assert replies[2].startswith("exitcode: 1 (execution failed)\nCode output: unknown language cobol")


def test_user_proxy_with_the_embedded_ipython_executor(
    llm_server: Any, llm_config: dict[str, Any], embedded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = _chat(llm_server, llm_config, embedded)
    _assert_classic_banners(capsys.readouterr().out)
    assert replies[0] == "exitcode: 0 (execution succeeded)\nCode output: no language given\n"
    # the output of the block before the failing one is kept (classic dropped it; docs/compatibility.md)
    assert replies[1].startswith("exitcode: 1 (execution failed)\nCode output: 42\nERROR: ValueError: boom\n")
    # a Python kernel runs an unknown language as Python, as in classic
    assert replies[2].startswith("exitcode: 1 (execution failed)\nCode output: ERROR: SyntaxError: invalid syntax")

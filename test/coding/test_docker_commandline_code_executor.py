"""DockerCommandLineCodeExecutor against the real daemon and the locally built python:3-slim image."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from autogen.coding import (
    CodeBlock,
    CodeExecutor,
    CodeExecutorFactory,
    DockerCommandLineCodeExecutor,
    DockerImageNotFoundError,
    DockerNotRunningError,
)

IMAGE = "python:3-slim"


def _container_gone(client: Any, container_id: str, wait: float = 10.0) -> bool:
    import docker

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            client.containers.get(container_id)
        except docker.errors.NotFound:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def module_executor(
    docker_client: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DockerCommandLineCodeExecutor]:
    with DockerCommandLineCodeExecutor(image=IMAGE, work_dir=tmp_path_factory.mktemp("docker_work"), timeout=3) as ex:
        yield ex


@pytest.mark.docker
def test_python_and_shell_blocks_run_in_the_container(module_executor: DockerCommandLineCodeExecutor) -> None:
    assert isinstance(module_executor, CodeExecutor)
    result = module_executor.execute_code_blocks(
        [
            CodeBlock(code="import os, socket\nprint(os.getcwd(), socket.gethostname())", language="python"),
            CodeBlock(code="echo shell says hi; echo err >&2", language="sh"),
            CodeBlock(code="echo $BASH_VERSION | cut -d. -f1", language="bash"),
        ]
    )
    assert result.exit_code == 0, result.output
    first, second, third, fourth = result.output.splitlines()
    cwd, hostname = first.split()
    assert cwd == "/workspace"
    assert hostname != socket.gethostname()
    assert module_executor.container_id.startswith(hostname)
    assert {second, third} == {"shell says hi", "err"}  # two streams: their relative order is not kept
    assert fourth.isdigit()


@pytest.mark.docker
def test_filename_comment_file_appears_in_work_dir(module_executor: DockerCommandLineCodeExecutor) -> None:
    code = "# filename: out/made_in_container.py\nopen('out/written.txt', 'w').write('from the container')"
    result = module_executor.execute_code_blocks([CodeBlock(code=code, language="python")])
    assert result.exit_code == 0, result.output
    work_dir = module_executor.work_dir
    assert (work_dir / "out" / "made_in_container.py").read_text() == code
    assert (work_dir / "out" / "written.txt").read_text() == "from the container"


@pytest.mark.docker
def test_filename_escaping_work_dir_is_refused(module_executor: DockerCommandLineCodeExecutor) -> None:
    result = module_executor.execute_code_blocks(
        [CodeBlock(code="# filename: ../escaped.py\nprint('no')", language="python")]
    )
    assert result.exit_code == 1 and "outside the working directory" in result.output
    assert not (module_executor.work_dir.parent / "escaped.py").exists()


@pytest.mark.docker
def test_failure_stops_the_run(module_executor: DockerCommandLineCodeExecutor) -> None:
    result = module_executor.execute_code_blocks(
        [
            CodeBlock(code="print('one')", language="python"),
            CodeBlock(code="exit 7", language="sh"),
            CodeBlock(code="print('three')", language="python"),
        ]
    )
    assert result.exit_code == 7 and "one" in result.output and "three" not in result.output


@pytest.mark.docker
@pytest.mark.parametrize("language", ["python", "sh"])
def test_timeout_kills_block_and_its_children(module_executor: DockerCommandLineCodeExecutor, language: str) -> None:
    if language == "python":
        code = (
            "import subprocess, time\nchild = subprocess.Popen(['sleep', '300'])\n"
            "open('child.pid', 'w').write(str(child.pid))\nprint('started', flush=True)\ntime.sleep(300)\n"
        )
    else:
        code = "sleep 300 &\necho $! > child.pid\necho started\nwait\n"
    started = time.monotonic()
    result = module_executor.execute_code_blocks([CodeBlock(code=code, language=language)])
    assert time.monotonic() - started < 15
    assert result.exit_code == 124 and "Timeout" in result.output and "started" in result.output
    check = textwrap.dedent(
        """
        import time
        pid = open('child.pid').read().strip()
        for _ in range(50):
            try:
                state = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0]
            except FileNotFoundError:
                state = 'gone'
            if state in ('gone', 'Z', 'X'):
                break
            time.sleep(0.1)
        print(state)
        """
    )
    after = module_executor.execute_code_blocks([CodeBlock(code=check, language="python")])
    assert after.exit_code == 0 and after.output.strip() in ("gone", "Z", "X"), after.output


@pytest.mark.docker
def test_state_of_the_container_persists_and_restart(module_executor: DockerCommandLineCodeExecutor) -> None:
    module_executor.execute_code_blocks([CodeBlock(code="echo kept > /tmp/marker", language="sh")])
    result = module_executor.execute_code_blocks([CodeBlock(code="cat /tmp/marker", language="sh")])
    assert result.output == "kept\n"
    module_executor.restart()
    result = module_executor.execute_code_blocks([CodeBlock(code="cat /tmp/marker", language="sh")])
    assert result.output == "kept\n"


@pytest.mark.docker
def test_container_is_gone_after_close(docker_client: Any, tmp_path: Path) -> None:
    with DockerCommandLineCodeExecutor(image=IMAGE, work_dir=tmp_path, container_name="autogen-test-close") as ex:
        assert ex.container_name == "autogen-test-close"
        container_id = ex.container_id
        assert docker_client.containers.get(container_id).status == "running"
        assert ex.execute_code_blocks([CodeBlock(code="print(1)", language="python")]).exit_code == 0
    assert _container_gone(docker_client, container_id)
    ex.stop()  # idempotent


@pytest.mark.docker
def test_container_is_stopped_at_interpreter_exit(docker_client: Any, tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        from autogen.coding import DockerCommandLineCodeExecutor
        ex = DockerCommandLineCodeExecutor(image={IMAGE!r}, work_dir={str(tmp_path)!r})
        print(ex.container_id)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    container_id = done.stdout.strip()
    assert container_id
    assert _container_gone(docker_client, container_id)


@pytest.mark.docker
def test_without_auto_remove_the_container_is_only_stopped(docker_client: Any, tmp_path: Path) -> None:
    ex = DockerCommandLineCodeExecutor(image=IMAGE, work_dir=tmp_path, auto_remove=False)
    container = docker_client.containers.get(ex.container_id)
    try:
        ex.stop()
        container.reload()
        assert container.status == "exited"
    finally:
        container.remove(force=True)


@pytest.mark.docker
def test_factory_builds_docker_executor(docker_client: Any, tmp_path: Path) -> None:
    executor = CodeExecutorFactory.create(
        {"executor": "docker", "docker": {"image": IMAGE, "work_dir": str(tmp_path), "timeout": 5}}
    )
    assert isinstance(executor, DockerCommandLineCodeExecutor)
    try:
        assert executor.execute_code_blocks([CodeBlock(code="print(6*7)", language="python")]).output == "42\n"
    finally:
        executor.stop()


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = b"hello from the host"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.docker
def test_host_network_reaches_host_loopback(docker_client: Any, tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        with DockerCommandLineCodeExecutor(image=IMAGE, work_dir=tmp_path, network_mode="host") as ex:
            code = f"import urllib.request\nprint(urllib.request.urlopen('http://127.0.0.1:{port}/', timeout=10).read().decode())"
            result = ex.execute_code_blocks([CodeBlock(code=code, language="python")])
        assert (result.exit_code, result.output) == (0, "hello from the host\n")
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.docker
def test_missing_image_says_what_to_do(docker_client: Any, tmp_path: Path) -> None:
    with pytest.raises(DockerImageNotFoundError) as info:
        DockerCommandLineCodeExecutor(image="autogen-test-no-such-image:never", work_dir=tmp_path)
    message = str(info.value)
    assert "autogen-test-no-such-image:never" in message
    assert "docker pull autogen-test-no-such-image:never" in message
    assert "LocalCommandLineCodeExecutor" in message


def test_missing_daemon_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker-here.sock")
    started = time.monotonic()
    with pytest.raises(DockerNotRunningError) as info:
        DockerCommandLineCodeExecutor(work_dir=tmp_path)
    assert time.monotonic() - started < 10
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert "docker is not running" in message
    assert "no-docker-here.sock" in message
    assert '"use_docker": False' in message and "AUTOGEN_USE_DOCKER" in message


@pytest.mark.docker
def test_an_empty_list_of_blocks_raises_the_classic_value_error(module_executor: DockerCommandLineCodeExecutor) -> None:
    with pytest.raises(ValueError, match=r"^No code blocks to execute\."):
        module_executor.execute_code_blocks([])
    assert module_executor.execute_code_blocks([CodeBlock(code="print('still runs')", language="python")]).output == (
        "still runs\n"
    )

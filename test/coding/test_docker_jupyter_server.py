"""DockerJupyterServer: a Jupyter kernel gateway in a real Docker container (the locally built
autogen-jupyterkernelgateway image), driven by JupyterCodeExecutor over HTTP and websockets."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

for _module in ("requests", "websocket"):
    pytest.importorskip(_module, reason='needs the jupyter-executor extra: pip install "pyautogen[jupyter-executor]"')

from autogen import AssistantAgent, UserProxyAgent  # noqa: E402
from autogen.coding import CodeBlock  # noqa: E402
from autogen.coding.jupyter import DockerJupyterServer, JupyterCodeExecutor, JupyterConnectable  # noqa: E402
from autogen.coding.jupyter.docker_jupyter_server import DEFAULT_IMAGE  # noqa: E402

# The first run may build the image (about 90 s) inside the fixture: allow for it.
pytestmark = [pytest.mark.docker, pytest.mark.timeout(600)]

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


@pytest.fixture(scope="module")
def server(docker_client: Any) -> Iterator[DockerJupyterServer]:
    # Built on first use when absent (scripts/setup_docker.sh builds it ahead of time).
    with DockerJupyterServer(container_name="autogen-test-jupyter-gateway") as srv:
        yield srv


def test_gateway_runs_in_a_container(server: DockerJupyterServer, docker_client: Any) -> None:
    assert isinstance(server, JupyterConnectable)
    info = server.connection_info
    assert (info.host, info.use_https) == ("127.0.0.1", False) and info.token
    container = docker_client.containers.get(server.container_id)
    assert container.status == "running" and container.image.tags == [f"{DEFAULT_IMAGE}:latest"]
    assert container.ports["8888/tcp"][0]["HostIp"] == "127.0.0.1"  # published on loopback only
    client = server.get_client()
    assert "python3" in client.list_kernel_specs()["kernelspecs"]
    client.close()


def test_executor_keeps_state_saves_images_and_times_out(server: DockerJupyterServer, tmp_path: Path) -> None:
    with JupyterCodeExecutor(server, output_dir=tmp_path, timeout=3) as executor:
        result = executor.execute_code_blocks(
            [CodeBlock(code="x = 20", language="python"), CodeBlock(code="x * 2 + 2", language="python")]
        )
        assert (result.exit_code, result.output) == (0, "42\n")
        inside = executor.execute_code_blocks(
            [CodeBlock(code="import os; print(os.path.exists('/.dockerenv'))", language="python")]
        )
        assert inside.output == "True\n"  # the kernel runs in the container

        code = (
            f"import base64\nfrom IPython.display import Image, display\ndisplay(Image(data=base64.b64decode({PNG!r})))"
        )
        image = executor.execute_code_blocks([CodeBlock(code=code, language="python")])
        assert image.exit_code == 0 and len(image.output_files) == 1
        assert Path(image.output_files[0]).read_bytes() == base64.b64decode(PNG)  # saved on the host

        slow = executor.execute_code_blocks([CodeBlock(code="import time; time.sleep(60)", language="python")])
        assert slow.exit_code == 124 and "Timeout" in slow.output
        assert executor.execute_code_blocks([CodeBlock(code="print(x)", language="python")]).output == "20\n"


def test_agent_runs_code_in_the_container(
    server: DockerJupyterServer, llm_server: Any, llm_config: dict, tmp_path: Path
) -> None:
    executor = JupyterCodeExecutor(server, output_dir=tmp_path)
    proxy = UserProxyAgent(
        "proxy", human_input_mode="NEVER", max_consecutive_auto_reply=1, code_execution_config={"executor": executor}
    )
    assistant = AssistantAgent("assistant", llm_config=llm_config)
    llm_server.script("```python\nimport platform\nprint('kernel on', platform.system())\n```", "TERMINATE")
    proxy.initiate_chat(assistant, message="Where does the kernel run?")
    executor.stop()
    assert "kernel on Linux" in llm_server.chat_requests()[1]["messages"][-1]["content"]


def test_custom_image_must_exist(docker_client: Any) -> None:
    with pytest.raises(ValueError, match="Custom image no-such-image:nope does not exist"):
        DockerJupyterServer(custom_image_name="no-such-image:nope")


def test_stop_removes_the_container(docker_client: Any) -> None:
    import docker

    srv = DockerJupyterServer(token="fixed-token")
    assert srv.connection_info.token == "fixed-token"
    container_id = srv.container_id
    srv.stop()
    srv.stop()  # a second stop does nothing
    with pytest.raises(docker.errors.NotFound):
        for _ in range(50):  # auto_remove happens shortly after the stop
            docker_client.containers.get(container_id)
            time.sleep(0.1)

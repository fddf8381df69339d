"""JupyterCodeExecutor on a real LocalJupyterServer (jupyter kernel gateway) over HTTP and websockets."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Iterator, List, Optional

import pytest

for _module in ("jupyter_client", "ipykernel", "requests", "websocket"):
    pytest.importorskip(_module, reason='needs the jupyter-executor extra: pip install "pyautogen[jupyter-executor]"')
pytest.importorskip("kernel_gateway", reason="needs jupyter_kernel_gateway: pip install jupyter_kernel_gateway")

from autogen.coding import CodeBlock, CodeExecutor, CodeExecutorFactory  # noqa: E402
from autogen.coding.jupyter import (  # noqa: E402
    JupyterClient,
    JupyterCodeExecutor,
    JupyterConnectable,
    JupyterConnectionInfo,
    JupyterKernelClient,
    LocalJupyterServer,
)

# the module's gateway start has a limit of its own; it does not count against the test that first asks for it
pytestmark = pytest.mark.timeout(func_only=True)

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalJupyterServer]:
    log = tmp_path_factory.mktemp("gateway") / "gateway.log"
    with LocalJupyterServer(log_file=str(log)) as srv:
        yield srv


def test_server_connection_info(server: LocalJupyterServer) -> None:
    assert isinstance(server, JupyterConnectable)
    info = server.connection_info
    assert info == JupyterConnectionInfo(host="127.0.0.1", use_https=False, port=server.port, token=server.token)
    client = JupyterClient(info)
    assert "python3" in client.list_kernel_specs()["kernelspecs"]
    client.close()
    classic = server.get_client()  # the classic accessor: a client of the same gateway
    assert isinstance(classic, JupyterClient) and "python3" in classic.list_kernel_specs()["kernelspecs"]
    classic.close()


def test_executor_keeps_state_saves_images_and_times_out(server: LocalJupyterServer, tmp_path: Path) -> None:
    with JupyterCodeExecutor(server, output_dir=tmp_path, timeout=3) as executor:
        assert isinstance(executor, CodeExecutor)
        result = executor.execute_code_blocks(
            [CodeBlock(code="x = 20", language="python"), CodeBlock(code="x * 2 + 2", language="python")]
        )
        assert (result.exit_code, result.output) == (0, "42\n")

        code = (
            f"import base64\nfrom IPython.display import Image, display\ndisplay(Image(data=base64.b64decode({PNG!r})))"
        )
        image = executor.execute_code_blocks([CodeBlock(code=code, language="python")])
        assert image.exit_code == 0 and len(image.output_files) == 1
        assert Path(image.output_files[0]).read_bytes() == base64.b64decode(PNG)

        error = executor.execute_code_blocks([CodeBlock(code="undefined_name", language="python")])
        assert error.exit_code == 1 and "NameError" in error.output

        slow = executor.execute_code_blocks([CodeBlock(code="import time; time.sleep(60)", language="python")])
        assert slow.exit_code == 124 and "Timeout" in slow.output
        assert executor.execute_code_blocks([CodeBlock(code="print(x)", language="python")]).output == "20\n"

        executor.restart()
        gone = executor.execute_code_blocks([CodeBlock(code="print(x)", language="python")])
        assert gone.exit_code == 1 and "NameError" in gone.output


def test_messages_with_binary_buffers_are_read(server: LocalJupyterServer, tmp_path: Path) -> None:
    # a comm (as widgets open) publishes a message with buffers: the server sends it as a binary frame
    code = "from comm import create_comm\nc = create_comm(target_name='t', data={'a': 1}, buffers=[b'abc'])\nprint('opened')"
    with JupyterCodeExecutor(server, output_dir=tmp_path, timeout=20) as executor:
        opened = executor.execute_code_blocks([CodeBlock(code=code, language="python")])
        assert (opened.exit_code, opened.output) == (0, "opened\n")
        after = executor.execute_code_blocks([CodeBlock(code="print(6 * 7)", language="python")])
        assert (after.exit_code, after.output) == (0, "42\n")


def test_connection_info_works_as_server_argument(server: LocalJupyterServer, tmp_path: Path) -> None:
    with JupyterCodeExecutor(server.connection_info, output_dir=tmp_path) as executor:
        assert executor.execute_code_blocks([CodeBlock(code="print('ok')", language="python")]).output == "ok\n"
    with pytest.raises(ValueError, match="not installed"):
        JupyterCodeExecutor(server, kernel_name="no-such-kernel", output_dir=tmp_path)


def test_factory_starts_and_stops_its_own_server(tmp_path: Path) -> None:
    executor = CodeExecutorFactory.create({"executor": "jupyter-local", "jupyter-local": {"output_dir": str(tmp_path)}})
    assert isinstance(executor, JupyterCodeExecutor)
    owned = executor._owned[0]
    pid = owned._process.pid
    try:
        assert executor.execute_code_blocks([CodeBlock(code="print(1 + 1)", language="python")]).output == "2\n"
    finally:
        executor.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


class _LateIopubKernel:
    """A fake websocket to a kernel whose iopub subscription is in place only from request ``subscribed_from`` on
    (as a server that opened the websocket without checking iopub, after restarting a busy kernel): shell replies
    come back for every request, iopub status messages only for later ones."""

    def __init__(self, subscribed_from: Optional[int]) -> None:
        self.subscribed_from = subscribed_from
        self.requests: List[str] = []
        self.inbox: List[str] = []

    def send(self, raw: str) -> None:
        msg = json.loads(raw)
        assert msg["header"]["msg_type"] == "kernel_info_request" and msg["channel"] == "shell"
        self.requests.append(msg["header"]["msg_id"])
        parent = {"msg_id": msg["header"]["msg_id"]}
        if self.subscribed_from is not None and len(self.requests) >= self.subscribed_from:
            self.inbox.append(json.dumps({"channel": "iopub", "msg_type": "status", "parent_header": parent}))
        self.inbox.append(json.dumps({"channel": "shell", "msg_type": "kernel_info_reply", "parent_header": parent}))

    def settimeout(self, timeout: float) -> None:
        pass

    def recv(self) -> str:
        if not self.inbox:
            import websocket

            raise websocket.WebSocketTimeoutException("nothing to read")
        return self.inbox.pop(0)


def test_wait_for_ready_needs_iopub_as_well_as_a_shell_reply() -> None:
    late = _LateIopubKernel(subscribed_from=3)
    assert JupyterKernelClient(late).wait_for_ready(timeout_seconds=30)
    assert len(late.requests) == 3  # the first two were answered on shell only: not ready yet

    never = _LateIopubKernel(subscribed_from=None)
    assert not JupyterKernelClient(never).wait_for_ready(timeout_seconds=1.2)
    assert len(never.requests) >= 2  # it kept asking until its time was up

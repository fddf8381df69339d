"""JupyterCodeExecutor on a real LocalJupyterServer (jupyter kernel gateway) over HTTP and websockets."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Iterator

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
    LocalJupyterServer,
)

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

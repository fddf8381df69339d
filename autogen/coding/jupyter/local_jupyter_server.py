"""Start a Jupyter kernel gateway on this machine, for :class:`JupyterCodeExecutor`.

Needs ``jupyter_kernel_gateway`` (``pip install jupyter_kernel_gateway``) besides the ``jupyter-executor`` extra.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Optional, Union

from .._lifecycle import StopOnExit
from ._extras import require
from .base import JupyterConnectionInfo

if TYPE_CHECKING:
    from .jupyter_client import JupyterClient

__all__ = ("LocalJupyterServer",)

_START_TIMEOUT = 60.0
_STOP_GRACE = 10.0


def _free_port(ip: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((ip, 0))
        return int(sock.getsockname()[1])


class LocalJupyterServer(StopOnExit):
    """A ``jupyter kernelgateway`` child process listening on ``ip``:``port`` (a free port when None).

    Its log goes to ``log_file`` (rotated when larger than ``log_max_bytes`` at start, keeping
    ``log_backup_count`` old files). Stopped by :meth:`stop`, on ``with`` exit, or at interpreter exit.
    """

    class GenerateToken:
        """Sentinel: generate a random token."""

    def __init__(
        self,
        ip: str = "127.0.0.1",
        port: Optional[int] = None,
        token: Union[str, GenerateToken] = GenerateToken(),
        log_file: str = "jupyter_gateway.log",
        log_level: str = "INFO",
        log_max_bytes: int = 1048576,
        log_backup_count: int = 3,
    ) -> None:
        require("requests", "LocalJupyterServer")
        require("websocket", "LocalJupyterServer")
        if importlib.util.find_spec("kernel_gateway") is None:
            raise ValueError(
                "Jupyter gateway server is not installed. Please install it with `pip install jupyter_kernel_gateway`."
            )
        self.ip = ip
        self.port = port if port is not None else _free_port(ip)
        self.token = secrets.token_hex(32) if isinstance(token, LocalJupyterServer.GenerateToken) else token
        self.log_file = log_file
        _rotate(Path(log_file), log_max_bytes, log_backup_count)
        self._log: IO[bytes] = open(log_file, "ab")  # noqa: SIM115 - closed in stop()
        argv = [
            sys.executable,
            "-m",
            "kernel_gateway",
            f"--KernelGatewayApp.ip={ip}",
            f"--KernelGatewayApp.port={self.port}",
            f"--KernelGatewayApp.auth_token={self.token}",
            "--KernelGatewayApp.port_retries=0",
            "--JupyterApp.answer_yes=true",
            f"--Application.log_level={log_level}",
            "--JupyterWebsocketPersonality.list_kernels=true",
        ]
        self._process: Optional[subprocess.Popen[bytes]] = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        atexit.register(self.stop)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    @property
    def connection_info(self) -> JupyterConnectionInfo:
        return JupyterConnectionInfo(host=self.ip, use_https=False, port=self.port, token=self.token)

    def get_client(self) -> JupyterClient:
        """A REST/websocket client of this gateway (the classic accessor)."""
        from .jupyter_client import JupyterClient

        return JupyterClient(self.connection_info)

    def _wait_until_ready(self) -> None:
        requests = require("requests", "LocalJupyterServer")
        url = f"http://{self.ip}:{self.port}/api/kernelspecs"
        headers = {"Authorization": f"token {self.token}"} if self.token else {}
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"The Jupyter kernel gateway exited with code {self._process.returncode} while starting. "
                    f"Last lines of {self.log_file}:\n{_tail(self.log_file)}"
                )
            try:
                if requests.get(url, headers=headers, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"The Jupyter kernel gateway did not answer within {_START_TIMEOUT:g} s. "
            f"Last lines of {self.log_file}:\n{_tail(self.log_file)}"
        )

    def stop(self) -> None:
        """Stop the gateway (it shuts its kernels down first). Safe to call more than once."""
        atexit.unregister(self.stop)
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=_STOP_GRACE)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        if not self._log.closed:
            self._log.close()


def _rotate(path: Path, max_bytes: int, backups: int) -> None:
    if max_bytes <= 0 or not path.exists() or path.stat().st_size <= max_bytes:
        return
    for index in range(backups - 1, 0, -1):
        older = path.with_name(f"{path.name}.{index}")
        if older.exists():
            older.replace(path.with_name(f"{path.name}.{index + 1}"))
    if backups > 0:
        path.replace(path.with_name(f"{path.name}.1"))
    else:
        path.unlink()


def _tail(path: str, lines: int = 20) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "<no log>"

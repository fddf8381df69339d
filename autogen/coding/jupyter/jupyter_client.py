"""A small client of the Jupyter REST + websocket kernel API (jupyter kernel gateway or jupyter server).

Needs ``requests`` and ``websocket-client`` (the ``jupyter-executor`` extra).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set

from .._lifecycle import StopOnExit
from ._extras import require
from ._output import INTERRUPT_GRACE, DataItem, KernelOutput
from .base import JupyterConnectionInfo

__all__ = ("JupyterClient", "JupyterKernelClient", "ExecutionResult")

_HTTP_TIMEOUT = 30.0
_READY_POLL = 0.5  # seconds between kernel_info requests while waiting for a kernel


@dataclass
class ExecutionResult:
    """Outcome of one execution request."""

    is_ok: bool
    output: str
    data_items: List[DataItem] = field(default_factory=list)


class JupyterClient:
    """Lists kernel specs, starts/stops/restarts kernels, and opens a :class:`JupyterKernelClient` on one."""

    def __init__(self, connection_info: JupyterConnectionInfo) -> None:
        requests = require("requests", "JupyterClient")
        self._info = connection_info
        self._session = requests.Session()
        if connection_info.token:
            self._session.headers["Authorization"] = f"token {connection_info.token}"

    def _url(self, path: str, websocket: bool = False) -> str:
        scheme = ("wss" if websocket else "https") if self._info.use_https else ("ws" if websocket else "http")
        port = f":{self._info.port}" if self._info.port else ""
        return f"{scheme}://{self._info.host}{port}{path}"

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._session.request(method, self._url(path), timeout=_HTTP_TIMEOUT, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def list_kernel_specs(self) -> Dict[str, Any]:
        return dict(self._request("GET", "/api/kernelspecs"))

    def list_kernels(self) -> List[Dict[str, Any]]:
        return list(self._request("GET", "/api/kernels"))

    def start_kernel(self, kernel_spec_name: str) -> str:
        """Start a kernel and return its id."""
        return str(self._request("POST", "/api/kernels", json={"name": kernel_spec_name})["id"])

    def delete_kernel(self, kernel_id: str) -> None:
        self._request("DELETE", f"/api/kernels/{kernel_id}")

    def restart_kernel(self, kernel_id: str) -> None:
        self._request("POST", f"/api/kernels/{kernel_id}/restart")

    def interrupt_kernel(self, kernel_id: str) -> None:
        self._request("POST", f"/api/kernels/{kernel_id}/interrupt")

    def get_kernel_client(self, kernel_id: str) -> JupyterKernelClient:
        websocket = require("websocket", "JupyterClient")
        headers = [f"{k}: {v}" for k, v in self._session.headers.items() if k == "Authorization"]
        connection = websocket.create_connection(
            self._url(f"/api/kernels/{kernel_id}/channels", websocket=True), header=headers, timeout=_HTTP_TIMEOUT
        )
        return JupyterKernelClient(connection, interrupt=lambda: self.interrupt_kernel(kernel_id))

    def close(self) -> None:
        self._session.close()


class JupyterKernelClient(StopOnExit):
    """Executes code on one kernel over its websocket channels."""

    def __init__(self, websocket: Any, interrupt: Optional[Any] = None) -> None:
        self._websocket = websocket
        self._interrupt = interrupt
        self._session_id = uuid.uuid4().hex

    def _send(self, msg_type: str, content: Dict[str, Any], channel: str = "shell") -> str:
        msg_id = uuid.uuid4().hex
        message = {
            "header": {
                "msg_id": msg_id,
                "msg_type": msg_type,
                "username": "autogen",
                "session": self._session_id,
                "date": "",
                "version": "5.3",
            },
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": channel,
            "buffers": [],
        }
        self._websocket.send(json.dumps(message))
        return msg_id

    def _receive(self, timeout: float) -> Optional[Dict[str, Any]]:
        websocket = require("websocket", "JupyterKernelClient")
        self._websocket.settimeout(max(timeout, 0.001))
        try:
            raw = self._websocket.recv()
        except websocket.WebSocketTimeoutException:
            return None
        if isinstance(raw, bytes):
            return _binary_message(raw)
        return dict(json.loads(raw))

    def wait_for_ready(self, timeout_seconds: Optional[float] = None) -> bool:
        """Whether the kernel answered within ``timeout_seconds`` (default 60) on both the shell and the iopub channel.

        A kernel_info request goes out every half second until one was answered on shell and one's status came
        back on iopub. A shell reply alone is not enough: a server may open the websocket before its iopub
        subscription to a (re)started kernel is in place (jupyter_server does not check it for a kernel it
        believes busy, as after the restart of a stuck one), and what the kernel publishes before that is lost,
        so a block's end would never be seen."""
        deadline = time.monotonic() + (timeout_seconds if timeout_seconds is not None else 60.0)
        requests: Set[str] = set()
        replied = published = False
        next_request = time.monotonic()
        while not (replied and published):
            now = time.monotonic()
            if now >= deadline:
                return False
            if now >= next_request:
                requests.add(self._send("kernel_info_request", {}))
                next_request = now + _READY_POLL
            msg = self._receive(min(next_request, deadline) - now)
            if msg is None or (msg.get("parent_header") or {}).get("msg_id") not in requests:
                continue
            if msg.get("channel") == "iopub":
                published = True
            elif msg.get("msg_type") == "kernel_info_reply":
                replied = True
        return True

    def run(self, code: str, timeout_seconds: float, silent: bool = False) -> KernelOutput:
        """Execute ``code`` and collect what it published (interrupting it after ``timeout_seconds``).

        ``run.done`` stays False when the kernel did not stop on the interrupt either."""
        msg_id = self._send(
            "execute_request",
            {
                "code": code,
                "silent": silent,
                "store_history": not silent,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        run = KernelOutput(msg_id)
        deadline = time.monotonic() + timeout_seconds
        while not run.done:
            remaining = deadline - time.monotonic()
            msg = self._receive(remaining) if remaining > 0 else None
            if msg is None:
                run.timed_out = True
                run.done = self._drain_after_interrupt(msg_id)
                break
            if msg.get("channel", "iopub") == "iopub":
                run.feed(msg)
        return run

    def _drain_after_interrupt(self, msg_id: str) -> bool:
        """Interrupt the kernel and wait for it to be idle again; False if it did not stop."""
        if self._interrupt is None:
            return False
        self._interrupt()
        ending = KernelOutput(msg_id)
        deadline = time.monotonic() + INTERRUPT_GRACE
        while not ending.done and (remaining := deadline - time.monotonic()) > 0:
            msg = self._receive(remaining)
            if msg is None:
                break
            if msg.get("channel", "iopub") == "iopub":
                ending.feed(msg)
        return ending.done

    def execute(self, code: str, timeout_seconds: Optional[float] = None) -> ExecutionResult:
        """Classic interface: run ``code``; ``output`` is its text (or the error), ``data_items`` its rich data."""
        run = self.run(code, timeout_seconds if timeout_seconds is not None else 60.0)
        if run.timed_out:
            return ExecutionResult(is_ok=False, output="ERROR: Timeout waiting for output from code block.")
        if run.error is not None:
            return ExecutionResult(is_ok=False, output=f"ERROR: {run.error}", data_items=run.data_items)
        return ExecutionResult(is_ok=True, output=run.text, data_items=run.data_items)

    def stop(self) -> None:
        self._websocket.close()


def _binary_message(frame: bytes) -> Dict[str, Any]:
    """A message that carries binary buffers (comms, widgets), as the server frames it without a subprotocol:
    a big-endian uint32 count of parts, that many uint32 offsets, then the parts; the first part is the JSON
    message, the others its buffers."""
    if len(frame) < 8:
        return dict(json.loads(frame.decode("utf-8", errors="replace")))
    count = int.from_bytes(frame[:4], "big")
    if count < 1 or len(frame) < 4 * (count + 1):
        return dict(json.loads(frame.decode("utf-8", errors="replace")))
    offsets = [int.from_bytes(frame[4 * (i + 1) : 4 * (i + 2)], "big") for i in range(count)]
    parts = [frame[start:stop] for start, stop in zip(offsets, [*offsets[1:], len(frame)])]
    message = dict(json.loads(parts[0].decode("utf-8")))
    message["buffers"] = parts[1:]
    return message

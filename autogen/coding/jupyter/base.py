"""How to reach a Jupyter server: connection details, and the protocol of things that have them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Protocol, runtime_checkable

__all__ = ("JupyterConnectionInfo", "JupyterConnectable")


@dataclass
class JupyterConnectionInfo:
    """Where a Jupyter (kernel gateway or jupyter server) REST/websocket API answers."""

    host: str
    """Host name or IP address, without scheme."""
    use_https: bool
    """Whether to use https/wss instead of http/ws."""
    port: Optional[int] = None
    """Port, or None for the scheme's default."""
    token: Optional[str] = None
    """Authentication token, or None when the server needs none."""


@runtime_checkable
class JupyterConnectable(Protocol):
    """Anything that can say how to connect to its Jupyter server (e.g. :class:`LocalJupyterServer`)."""

    @property
    def connection_info(self) -> JupyterConnectionInfo: ...

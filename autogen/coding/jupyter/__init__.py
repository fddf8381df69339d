"""Jupyter-based executors (the ``jupyter-executor`` extra: ``pip install "pyautogen[jupyter-executor]"``).

Names resolve lazily, so importing this package needs none of the optional packages.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import JupyterConnectable, JupyterConnectionInfo
    from .docker_jupyter_server import DockerJupyterServer
    from .embedded_ipython_code_executor import EmbeddedIPythonCodeExecutor
    from .jupyter_client import JupyterClient, JupyterKernelClient
    from .jupyter_code_executor import JupyterCodeExecutor
    from .local_jupyter_server import LocalJupyterServer

_EXPORTS: dict[str, str] = {
    "JupyterConnectable": "base",
    "JupyterConnectionInfo": "base",
    "JupyterClient": "jupyter_client",
    "JupyterKernelClient": "jupyter_client",
    "LocalJupyterServer": "local_jupyter_server",
    "DockerJupyterServer": "docker_jupyter_server",
    "JupyterCodeExecutor": "jupyter_code_executor",
    "EmbeddedIPythonCodeExecutor": "embedded_ipython_code_executor",
}

__all__ = [
    "JupyterConnectable",
    "JupyterConnectionInfo",
    "JupyterClient",
    "JupyterKernelClient",
    "LocalJupyterServer",
    "DockerJupyterServer",
    "JupyterCodeExecutor",
    "EmbeddedIPythonCodeExecutor",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

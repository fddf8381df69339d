"""Import the optional Jupyter packages with an error that says how to install them."""

from __future__ import annotations

from types import ModuleType

from ..._optional import import_optional
from ..errors import MissingExtraError

__all__ = ("require",)

# module -> the pip package (of the jupyter-executor extra) that brings it
_PACKAGES = {"jupyter_client": "jupyter-client", "websocket": "websocket-client"}


def require(module: str, what: str) -> ModuleType:
    """Import ``module`` for ``what`` or raise :class:`MissingExtraError` naming the jupyter-executor extra."""
    root = module.split(".")[0]
    package = _PACKAGES.get(root, root)
    return import_optional(module, package=package, extra="jupyter-executor", feature=what, error=MissingExtraError)

"""Import the optional Jupyter packages with an error that says how to install them."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import MissingExtraError

__all__ = ("require",)


def require(module: str, what: str) -> ModuleType:
    """Import ``module`` for ``what`` or raise :class:`MissingExtraError` naming the jupyter-executor extra."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(what, "jupyter-executor", module.split(".")[0]) from exc

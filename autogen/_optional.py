"""Optional packages: import them where they are used, and say which extra brings them when they are missing.

This is the one place that turns a missing optional package into an error naming the ``pyautogen`` extra. Layers
with their own error hierarchy (code execution, retrieval) subclass :class:`MissingExtraError` and pass their
class as ``error=``, so ``except CodeExecutionError`` / ``except RetrievalError`` / ``except ImportError`` all catch it.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Iterable, Tuple, Type

from .exception_utils import AutoGenError

__all__ = ["MissingExtraError", "import_optional", "require_installed"]


class MissingExtraError(AutoGenError, ImportError):
    """An optional package is not installed; the message names the ``pyautogen`` extra that brings it."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(
            f'{feature} needs the "{package}" package, which is not installed. '
            f'Install it with: pip install "pyautogen[{extra}]"'
        )
        self.package = package
        self.extra = extra
        self.feature = feature


def import_optional(
    module: str, *, package: str, extra: str, feature: str, error: Type[MissingExtraError] = MissingExtraError
) -> ModuleType:
    """Import ``module`` or raise ``error`` (a :class:`MissingExtraError`) naming ``package`` and the ``extra``.

    A package that is installed but fails on one of its own imports shows that real error instead.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = getattr(exc, "name", None)
        root = module.split(".")[0]
        if missing is not None and missing != root and not missing.startswith(root + "."):
            raise  # the package is there but one of its own dependencies is broken: show the real error
        raise error(package, extra, feature) from exc


def require_installed(
    modules: Iterable[Tuple[str, str]], *, extra: str, feature: str, error: Type[MissingExtraError] = MissingExtraError
) -> None:
    """Fail early, without importing them, when one of ``modules`` (``(module, package)`` pairs) is not installed."""
    for module, package in modules:
        if importlib.util.find_spec(module) is None:
            raise error(package, extra, feature)

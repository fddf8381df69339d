"""Optional packages: import them where they are used, and say which extra brings them when they are missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from .exception_utils import AutoGenError

__all__ = ["MissingExtraError", "import_optional"]


class MissingExtraError(AutoGenError, ImportError):
    """An optional package is not installed; the message names the ``pyautogen`` extra that brings it."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(
            f'{feature} needs the "{package}" package, which is not installed. '
            f'Install it with: pip install "pyautogen[{extra}]"'
        )
        self.package = package
        self.extra = extra


def import_optional(module: str, *, package: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``package`` and the ``extra`` to install.

    A package that is installed but fails on one of its own imports shows that real error instead.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = getattr(exc, "name", None)
        root = module.split(".")[0]
        if missing is not None and missing != root and not missing.startswith(root + "."):
            raise
        raise MissingExtraError(package, extra, feature) from exc

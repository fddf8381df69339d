"""Errors of retrieval, vector stores and teachability, and the lazy import of optional packages."""

from __future__ import annotations

import importlib
from types import ModuleType

from ....exception_utils import AutoGenError, ConfigError

__all__ = [
    "CollectionExistsError",
    "CollectionNotFoundError",
    "ConfigError",
    "EmbeddingModelNotFoundError",
    "MissingExtraError",
    "RetrievalError",
    "import_extra",
]


class RetrievalError(AutoGenError):
    """Base class of the errors raised by retrieval and vector stores."""


class MissingExtraError(RetrievalError, ImportError):
    """An optional package is not installed; the message names the extra that brings it."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(
            f'{feature} needs the "{package}" package, which is not installed. '
            f'Install it with: pip install "pyautogen[{extra}]"'
        )
        self.package = package
        self.extra = extra


class EmbeddingModelNotFoundError(RetrievalError, RuntimeError):
    """No embedding model could be loaded (nothing is ever downloaded for the default one)."""


class CollectionNotFoundError(RetrievalError, KeyError):
    """A vector-store collection that was expected to exist does not."""

    def __str__(self) -> str:  # KeyError would show the message quoted
        return str(self.args[0]) if self.args else ""


class CollectionExistsError(RetrievalError, ValueError):
    """A collection was to be created, but one of that name exists (and neither reuse nor overwrite was asked)."""


def import_extra(module: str, *, package: str, extra: str, feature: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtraError` naming ``package`` and the ``extra`` to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = getattr(exc, "name", None)
        root = module.split(".")[0]
        if missing is not None and missing != root and not missing.startswith(root + "."):
            raise  # the package is there but one of its own dependencies is broken: show the real error
        raise MissingExtraError(package, extra, feature) from exc

"""Errors of retrieval, vector stores and teachability, and the lazy import of optional packages."""

from __future__ import annotations

from types import ModuleType

from .... import _optional
from ....exception_utils import AutoGenError, ConfigError

__all__ = [
    "CollectionExistsError",
    "CollectionNotFoundError",
    "ConfigError",
    "DocumentPathNotFoundError",
    "EmbeddingModelNotFoundError",
    "MissingExtraError",
    "RetrievalError",
    "import_extra",
]


class RetrievalError(AutoGenError):
    """Base class of the errors raised by retrieval and vector stores."""


class MissingExtraError(RetrievalError, _optional.MissingExtraError):
    """An optional package of retrieval is not installed; the message names the extra that brings it."""


class EmbeddingModelNotFoundError(RetrievalError, RuntimeError):
    """No embedding model could be loaded (nothing is ever downloaded for the default one)."""


class CollectionNotFoundError(RetrievalError, KeyError, ValueError):
    """A vector-store collection that was expected to exist does not. A ValueError too: classic's stores raised
    that (code written for them catches it around ``get_collection``)."""

    def __str__(self) -> str:  # KeyError would show the message quoted
        return str(self.args[0]) if self.args else ""


class CollectionExistsError(RetrievalError, ValueError):
    """A collection was to be created, but one of that name exists (and neither reuse nor overwrite was asked)."""


class DocumentPathNotFoundError(RetrievalError, FileNotFoundError, ValueError):
    """A document path (``docs_path``, ``dir_path``) is neither a file, a folder nor a URL. A ValueError too, as
    classic's "Directory ... does not exist." was."""


def import_extra(module: str, *, package: str, extra: str, feature: str) -> ModuleType:
    """Import ``module``, or raise the retrieval :class:`MissingExtraError` naming ``package`` and the ``extra``."""
    return _optional.import_optional(module, package=package, extra=extra, feature=feature, error=MissingExtraError)

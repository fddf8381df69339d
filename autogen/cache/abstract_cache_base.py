"""The protocol every cache back end implements."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Optional, Protocol, Type, runtime_checkable

__all__ = ["AbstractCache"]


@runtime_checkable
class AbstractCache(Protocol):
    """A key-value store for LLM responses.

    Keys are strings; values are any picklable object. A cache is a context manager:
    leaving the ``with`` block calls ``close()``.
    """

    def get(self, key: str, default: Optional[Any] = None) -> Optional[Any]:
        """The value stored under ``key``, or ``default`` when there is none."""
        ...

    def set(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key``."""
        ...

    def close(self) -> None:
        """Release the resources (connections, file handles) the cache holds."""
        ...

    def __enter__(self) -> AbstractCache: ...

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None: ...

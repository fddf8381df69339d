"""Context-manager plumbing shared by the cache back ends."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Optional, Type, TypeVar

_T = TypeVar("_T", bound="CacheBase")


class CacheBase:
    """Gives a back end ``with`` support on top of its ``close()``."""

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._repr_fields().items())
        return f"{type(self).__name__}({fields})"

    def _repr_fields(self) -> dict[str, Any]:
        return {}

    def holds_classic_keys(self) -> bool:
        """Whether entries written by classic AutoGen 0.2 (keyed by the request's JSON, so starting with "{") may be
        here; the LLM layer looks those up only then, as building a classic key means encoding the whole request."""
        return True

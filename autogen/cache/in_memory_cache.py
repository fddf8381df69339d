"""A process-local cache held in a dict: fast, and gone when the process ends."""

from __future__ import annotations

import threading
from typing import Any, Optional, Union

from ._base import CacheBase

__all__ = ["InMemoryCache"]


class InMemoryCache(CacheBase):
    """Keys live in a dict under the prefix of ``seed``, so several seeds can share one instance's API."""

    def __init__(self, seed: Union[str, int] = ""):
        self._seed = str(seed)
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _prefixed_key(self, key: str) -> str:
        return f"{self._seed}_{key}" if self._seed else key

    def get(self, key: str, default: Optional[Any] = None) -> Optional[Any]:
        with self._lock:
            return self._cache.get(self._prefixed_key(key), default)

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._cache[self._prefixed_key(key)] = value

    def close(self) -> None:
        """Nothing to release: the data stays until the object is dropped."""

    def holds_classic_keys(self) -> bool:
        return False  # nothing outlives the process, so classic code never wrote here

    def _repr_fields(self) -> dict[str, Any]:
        return {"seed": self._seed}

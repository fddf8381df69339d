"""A ``CheckpointStore`` on Redis: one key holds the latest checkpoint, readable from every machine of a cluster.

Needs the ``redis`` extra (``pip install "pyautogen[redis]"``); the client is made at first use, so a store is cheap
to create and travels to other processes (a Ray worker) as its URL and key.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from .._optional import import_optional
from ..formats.document import dumps, loads

__all__ = ["RedisStore"]


class RedisStore:
    """The checkpoint of one chat under ``key`` in the Redis server at ``url`` (``redis://host:port/db``).

    ``ttl`` (seconds) lets Redis drop a checkpoint nobody saved for that long (None: kept until deleted).
    """

    def __init__(self, url: str, key: str, ttl: Optional[int] = None) -> None:
        if not isinstance(url, str) or "://" not in url:
            raise ValueError(f"RedisStore needs a Redis URL such as 'redis://localhost:6379/0', got {url!r}.")
        if not key:
            raise ValueError("RedisStore needs a non-empty key (one key per chat).")
        self.url = url
        self.key = key
        self.ttl = ttl
        self._client: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            redis = import_optional("redis", package="redis", extra="redis", feature="RedisStore")
            self._client = redis.Redis.from_url(self.url)
        return self._client

    def load(self) -> Optional[Dict[str, Any]]:
        raw = self._redis().get(self.key)
        return None if raw is None else loads(raw)

    def save(self, state: Dict[str, Any]) -> None:
        self._redis().set(self.key, dumps(state), ex=self.ttl)

    def delete(self) -> None:
        """Forget the checkpoint (e.g. once the chat's result is stored elsewhere)."""
        self._redis().delete(self.key)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __getstate__(self) -> Dict[str, Any]:
        return {"url": self.url, "key": self.key, "ttl": self.ttl}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__init__(state["url"], state["key"], state.get("ttl"))  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"RedisStore({self.url!r}, {self.key!r})"

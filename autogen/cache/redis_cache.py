"""A cache in Redis, shared by every process that points at the same server."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any, Optional, Union

from .._optional import import_optional
from ._base import CacheBase

if TYPE_CHECKING:
    import redis

__all__ = ["RedisCache"]


def __getattr__(name: str) -> Any:
    # Classic module attribute (tests patch ``autogen.cache.redis_cache.redis.Redis.from_url``), imported on use.
    if name == "redis":
        return _import_redis()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _import_redis() -> Any:
    return import_optional("redis", package="redis", extra="redis", feature="RedisCache")


_classic_seeds: dict[tuple[str, str], bool] = {}  # (redis_url, seed) -> whether a classic key was there


class RedisCache(CacheBase):
    """Values are pickled and stored under ``autogen:<seed>:<key>``."""

    def __init__(self, seed: Union[str, int], redis_url: str):
        redis_module = _import_redis()
        self.seed = str(seed)
        self.redis_url = redis_url
        self.cache: redis.Redis = redis_module.Redis.from_url(redis_url)

    def _prefixed_key(self, key: str) -> str:
        return f"autogen:{self.seed}:{key}"

    def get(self, key: str, default: Optional[Any] = None) -> Optional[Any]:
        raw = self.cache.get(self._prefixed_key(key))
        if raw is None:
            return default
        return pickle.loads(raw)  # type: ignore[arg-type]

    def set(self, key: str, value: Any) -> None:
        self.cache.set(self._prefixed_key(key), pickle.dumps(value))

    def close(self) -> None:
        self.cache.close()

    def holds_classic_keys(self) -> bool:
        """Looked up once per server, database and seed and process (one SCAN): our keys are hex digests."""
        where = (self.redis_url, self.seed)
        found = _classic_seeds.get(where)
        if found is None:
            found = next(self.cache.scan_iter(match=self._prefixed_key("{*"), count=1000), None) is not None
            _classic_seeds[where] = found
        return found

    def _repr_fields(self) -> dict[str, Any]:
        return {"seed": self.seed, "redis_url": self.redis_url}

"""``Cache``: the user-facing handle on a cache back end (disk, Redis or in memory)."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Optional, Type, Union

from .abstract_cache_base import AbstractCache
from .cache_factory import CacheFactory

__all__ = ["Cache"]


class Cache:
    """A cache for LLM responses, selected by its configuration.

    Use one of the constructors and pass it to ``create(cache=...)`` or ``initiate_chat(cache=...)``::

        with Cache.disk(cache_seed=7) as cache:
            agent.initiate_chat(other, message="hi", cache=cache)
    """

    ALLOWED_CONFIG_KEYS = ("cache_seed", "redis_url", "cache_path_root", "cosmos_db_config", "in_memory")

    @staticmethod
    def redis(cache_seed: Union[str, int] = 42, redis_url: str = "redis://localhost:6379/0") -> Cache:
        """A cache in the Redis server at ``redis_url`` (needs ``pip install "pyautogen[redis]"``)."""
        return Cache({"cache_seed": cache_seed, "redis_url": redis_url})

    @staticmethod
    def disk(cache_seed: Union[str, int] = 42, cache_path_root: str = ".cache") -> Cache:
        """A cache in the directory ``<cache_path_root>/<cache_seed>``."""
        return Cache({"cache_seed": cache_seed, "cache_path_root": cache_path_root})

    @staticmethod
    def cosmos_db(
        connection_string: Optional[str] = None,
        container_id: Optional[str] = None,
        cache_seed: Union[str, int] = 42,
        client: Optional[Any] = None,
    ) -> Cache:
        """The classic Azure Cosmos DB cache: not part of this package, so this raises ValueError naming the
        caches there are (``Cache.redis`` for a cache shared between processes and machines)."""
        config = {"connection_string": connection_string, "container_id": container_id, "client": client}
        return Cache({"cache_seed": cache_seed, "cosmos_db_config": {"database_id": "autogen_cache", **config}})

    @staticmethod
    def in_memory(cache_seed: Union[str, int] = 42) -> Cache:
        """A cache in this process's memory."""
        return Cache({"cache_seed": cache_seed, "in_memory": True})

    def __init__(self, config: dict[str, Any]):
        unknown = sorted(set(config) - set(self.ALLOWED_CONFIG_KEYS))
        if unknown:
            raise ValueError(f"Invalid config key: {', '.join(unknown)}; allowed: {list(self.ALLOWED_CONFIG_KEYS)}")
        self.config = dict(config)
        # the seed is a string everywhere (directory names, Redis key prefixes)
        self.config["cache_seed"] = str(self.config.get("cache_seed", 42))
        self.cache: AbstractCache = CacheFactory.cache_factory(
            seed=self.config["cache_seed"],
            redis_url=self.config.get("redis_url"),
            cache_path_root=self.config.get("cache_path_root") or ".cache",
            cosmosdb_config=self.config.get("cosmos_db_config"),
            in_memory=bool(self.config.get("in_memory", False)),
        )

    def __enter__(self) -> Cache:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()

    def get(self, key: str, default: Optional[Any] = None) -> Optional[Any]:
        return self.cache.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.cache.set(key, value)

    def close(self) -> None:
        self.cache.close()

    def holds_classic_keys(self) -> bool:
        """See ``CacheBase.holds_classic_keys``; True for a back end that cannot tell."""
        probe = getattr(self.cache, "holds_classic_keys", None)
        return True if probe is None else bool(probe())

    def __repr__(self) -> str:
        return f"Cache({self.cache!r})"

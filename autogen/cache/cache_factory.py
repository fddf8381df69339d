"""Pick a cache back end from plain settings."""

from __future__ import annotations

import os
from typing import Any, Dict, Optional, Union

from .abstract_cache_base import AbstractCache

__all__ = ["CacheFactory"]


class CacheFactory:
    @staticmethod
    def cache_factory(
        seed: Union[str, int],
        redis_url: Optional[str] = None,
        cache_path_root: str = ".cache",
        cosmosdb_config: Optional[Dict[str, Any]] = None,
        *,
        in_memory: bool = False,
    ) -> AbstractCache:
        """A cache for ``seed``: Redis when ``redis_url`` is given, in memory when asked, else on disk.

        The disk cache lives in ``<cache_path_root>/<seed>``. ``cosmosdb_config`` (the classic Azure Cosmos DB
        back end) is not supported: passing one raises ValueError.
        """
        if cosmosdb_config:
            raise ValueError(
                "Invalid cache config: the Azure Cosmos DB cache (cosmosdb_config) is not part of this package; "
                "use redis_url=... for a shared cache, or the disk cache."
            )
        if redis_url:
            from .redis_cache import RedisCache

            return RedisCache(seed, redis_url)
        if in_memory:
            from .in_memory_cache import InMemoryCache

            return InMemoryCache(seed)
        from .disk_cache import DiskCache

        return DiskCache(os.path.join(cache_path_root or ".cache", str(seed)))

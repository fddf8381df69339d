"""Pick a cache back end from plain settings."""

from __future__ import annotations

import os
from typing import Optional, Union

from .abstract_cache_base import AbstractCache

__all__ = ["CacheFactory"]


class CacheFactory:
    @staticmethod
    def cache_factory(
        seed: Union[str, int],
        redis_url: Optional[str] = None,
        cache_path_root: str = ".cache",
        in_memory: bool = False,
    ) -> AbstractCache:
        """A cache for ``seed``: Redis when ``redis_url`` is given, in memory when asked, else on disk.

        The disk cache lives in ``<cache_path_root>/<seed>``.
        """
        if redis_url:
            from .redis_cache import RedisCache

            return RedisCache(seed, redis_url)
        if in_memory:
            from .in_memory_cache import InMemoryCache

            return InMemoryCache(seed)
        from .disk_cache import DiskCache

        return DiskCache(os.path.join(cache_path_root or ".cache", str(seed)))

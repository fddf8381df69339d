"""Caches for LLM responses: the ``AbstractCache`` protocol and disk, Redis and in-memory back ends.

Back ends import their libraries (diskcache, redis) only when instantiated.
"""

from __future__ import annotations

from .abstract_cache_base import AbstractCache
from .cache import Cache

__all__ = ["AbstractCache", "Cache"]

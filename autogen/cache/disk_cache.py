"""A cache on disk, backed by ``diskcache`` (SQLite).

Opening a diskcache database costs milliseconds (schema checks, pragmas), so opened
databases are kept in a process-level pool keyed by their absolute path: every
``DiskCache`` on the same directory shares one ``diskcache.Cache``. ``close()`` releases
the SQLite connection of the calling thread; diskcache reconnects on the next use.
The pool keeps the ``MAX_OPEN`` databases used last open (each holds a few descriptors per
thread that used it); an older one is closed and reconnects if it is used again.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Optional, Union

from ._base import CacheBase

if TYPE_CHECKING:
    import diskcache

__all__ = ["DiskCache", "clear_disk_cache_pool"]


def __getattr__(name: str) -> Any:
    # Classic module attribute (tests patch ``autogen.cache.disk_cache.diskcache.Cache``), imported on first use.
    if name == "diskcache":
        import diskcache

        return diskcache
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


MAX_OPEN = 8  # about 3 descriptors each per thread: well inside macOS's default limit of 256
_pool: OrderedDict[str, diskcache.Cache] = OrderedDict()
_pool_lock = threading.Lock()


def _open(directory: str) -> diskcache.Cache:
    path = os.path.abspath(directory)
    with _pool_lock:
        cache = _pool.get(path)
        if cache is not None:
            _pool.move_to_end(path)
            return cache
        import diskcache

        cache = diskcache.Cache(directory)
        _pool[path] = cache
        while len(_pool) > MAX_OPEN:
            _pool.popitem(last=False)[1].close()
        return cache


_classic_folders: dict[str, bool] = {}  # absolute path -> whether it held a classic key when first asked


def clear_disk_cache_pool() -> None:
    """Close and forget every pooled database (for tests, or before deleting cache directories)."""
    with _pool_lock:
        for cache in _pool.values():
            cache.close()
        _pool.clear()
        _classic_folders.clear()


class DiskCache(CacheBase):
    """A cache stored in the directory ``seed`` (a path; classic AutoGen passes ``<cache_path_root>/<seed>``)."""

    def __init__(self, seed: Union[str, int]):
        self._directory = str(seed)
        self.cache = _open(self._directory)

    def get(self, key: str, default: Optional[Any] = None) -> Optional[Any]:
        return self.cache.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.cache.set(key, value)

    def close(self) -> None:
        self.cache.close()

    def holds_classic_keys(self) -> bool:
        """Looked up once per folder and process (a walk over its keys): our keys are hex digests."""
        path = os.path.abspath(self._directory)
        found = _classic_folders.get(path)
        if found is None:
            found = any(isinstance(k, str) and k.startswith("{") for k in self.cache.iterkeys())
            _classic_folders[path] = found
        return found

    def _repr_fields(self) -> dict[str, Any]:
        return {"directory": self._directory}

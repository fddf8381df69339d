"""The cache back ends and the Cache handle: disk (pooled), in memory, Redis (a real server)."""

from __future__ import annotations

import builtins
import os
import pickle
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from autogen.cache import AbstractCache, Cache
from autogen.cache.cache_factory import CacheFactory
from autogen.cache.disk_cache import DiskCache
from autogen.cache.in_memory_cache import InMemoryCache
from autogen.cache.redis_cache import RedisCache


def exercise(cache: Any) -> None:
    assert cache.get("missing") is None
    assert cache.get("missing", "fallback") == "fallback"
    cache.set("k", {"answer": [1, 2, 3]})
    assert cache.get("k") == {"answer": [1, 2, 3]}
    cache.set("k", "replaced")
    assert cache.get("k") == "replaced"


def test_disk_cache(tmp_path: Path) -> None:
    with DiskCache(tmp_path / "c") as cache:
        exercise(cache)
    # data survives close and a new handle
    assert DiskCache(tmp_path / "c").get("k") == "replaced"
    assert (tmp_path / "c" / "cache.db").exists()


def test_disk_caches_share_one_open_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import diskcache

    opened: list[str] = []
    original = diskcache.Cache.__init__

    def counting_init(self: Any, directory: Any = None, *args: Any, **kwargs: Any) -> None:
        opened.append(str(directory))
        original(self, directory, *args, **kwargs)

    monkeypatch.setattr(diskcache.Cache, "__init__", counting_init)
    first = DiskCache(tmp_path / "pooled")
    for _ in range(5):
        DiskCache(str(tmp_path / "pooled")).set("x", 1)
    first.close()
    assert DiskCache(tmp_path / "pooled").get("x") == 1  # reconnects after close
    assert len(opened) == 1


def test_the_pool_keeps_only_the_databases_used_last_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many cache seeds in one process (a sweep over seeds) do not run it out of file descriptors."""
    from autogen.cache import disk_cache

    disk_cache.clear_disk_cache_pool()
    monkeypatch.setattr(disk_cache, "MAX_OPEN", 3)

    def descriptors() -> int:
        return len(list(Path("/proc/self/fd").iterdir())) if Path("/proc/self/fd").is_dir() else 0

    caches = []
    for seed in range(3):
        caches.append(DiskCache(tmp_path / str(seed)))
        caches[-1].set("seed", seed)
    with_three = descriptors()
    for seed in range(3, 12):
        caches.append(DiskCache(tmp_path / str(seed)))
        caches[-1].set("seed", seed)
    assert len(disk_cache._pool) == 3
    assert list(disk_cache._pool) == [os.path.abspath(tmp_path / str(s)) for s in (9, 10, 11)]
    assert descriptors() <= with_three  # the older databases were closed as newer ones opened
    assert caches[0].get("seed") == 0  # a closed one reconnects when it is used again
    assert DiskCache(tmp_path / "1").get("seed") == 1
    disk_cache.clear_disk_cache_pool()


def test_in_memory_cache_seeds_are_separate() -> None:
    exercise(InMemoryCache(seed=1))
    a, b = InMemoryCache(seed="a"), InMemoryCache(seed="b")
    a.set("k", 1)
    assert b.get("k") is None


@pytest.mark.redis
def test_redis_cache(redis_url: str) -> None:
    seed = uuid.uuid4().hex
    with RedisCache(seed, redis_url) as cache:
        exercise(cache)
        raw = cache.cache.get(f"autogen:{seed}:k")
        assert pickle.loads(raw) == "replaced"  # stored pickled under the classic prefix
    assert RedisCache(seed, redis_url).get("k") == "replaced"
    assert RedisCache(uuid.uuid4().hex, redis_url).get("k") is None


def test_redis_missing_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_redis(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "redis":
            raise ImportError("No module named 'redis'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "redis", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_redis)
    with pytest.raises(ImportError, match=r'pip install "pyautogen\[redis\]"'):
        RedisCache(1, "redis://localhost:1/0")


def test_cache_constructors(tmp_path: Path) -> None:
    disk = Cache.disk(cache_seed=7, cache_path_root=str(tmp_path / "root"))
    assert isinstance(disk.cache, DiskCache)
    with disk as cache:
        exercise(cache)
    assert (tmp_path / "root" / "7").is_dir()
    memory = Cache.in_memory(cache_seed=3)
    assert isinstance(memory.cache, InMemoryCache)
    exercise(memory)
    assert isinstance(Cache.disk(), Cache) and Cache.disk().config["cache_seed"] == "42"
    with pytest.raises(ValueError, match="Invalid config key"):
        Cache({"cache_seed": 1, "colour": "blue"})
    assert isinstance(Cache.in_memory(), AbstractCache)  # structural protocol


@pytest.mark.redis
def test_cache_redis_constructor(redis_url: str) -> None:
    cache = Cache.redis(cache_seed=uuid.uuid4().hex, redis_url=redis_url)
    assert isinstance(cache.cache, RedisCache)
    with cache:
        exercise(cache)


def test_cache_factory(tmp_path: Path) -> None:
    disk = CacheFactory.cache_factory("s", cache_path_root=str(tmp_path))
    assert isinstance(disk, DiskCache)
    disk.set("a", 1)
    assert (tmp_path / "s").is_dir()
    assert isinstance(CacheFactory.cache_factory("s", in_memory=True), InMemoryCache)


def test_the_classic_cosmos_db_cache_names_the_caches_there_are() -> None:
    # classic code reaches the Cosmos DB cache by the constructor and by the config key; both say what to use
    for make in (
        lambda: Cache.cosmos_db(connection_string="AccountEndpoint=x", container_id="c", cache_seed=7),
        lambda: Cache({"cache_seed": 7, "cosmos_db_config": {"connection_string": "x", "container_id": "c"}}),
    ):
        with pytest.raises(ValueError, match=r"Cosmos DB.*redis_url"):
            make()
    with pytest.raises(ValueError, match="Invalid config key: cosmos"):
        Cache({"cosmos": {}})

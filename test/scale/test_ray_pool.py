"""The packing Ray back end on a real local cluster: many chats per worker, streamed specs and outcomes, a killed
worker's chats retried on another from their checkpoints (Redis and a directory), a Redis LLM cache shared by the
workers."""

from __future__ import annotations

import os
import pickle
import signal
from collections import Counter
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from chat_factories import two_agents
from gates import Gate
from llm_server import LLMServer, last_user_content

from autogen.scale import ChatSpec, RayChatPool, RetryPolicy, WorkerLostError, iter_chats, run_chats
from autogen.state import FileStore, RedisStore

pytestmark = pytest.mark.timeout(600)


def spec(server: LLMServer, i: int, turns: int = 1, topic: str = "question", **extra: Any) -> ChatSpec:
    return ChatSpec(
        two_agents,
        message=f"{topic} {i}",
        chat_kwargs={"max_turns": turns},
        factory_args={"base_url": server.base_url},
        chat_id=f"chat-{i}",
        **extra,
    )


@pytest.fixture(scope="module")
def pool(ray_cluster: Any) -> Iterator[RayChatPool]:
    """Two workers, 30 chats each, on half the test cluster's 2 CPUs (the other half is for the kill test's pool)."""
    with RayChatPool(workers=2, chats_per_worker=30, ray_options={"num_cpus": 0.5}) as chat_pool:
        assert chat_pool.wait_ready(timeout=300) == 2
        yield chat_pool


def test_one_worker_runs_many_chats_at_once(llm_server: LLMServer, pool: RayChatPool) -> None:
    # 40 chats wait on the model together, or the gate never opens: two workers, one chat each, would not do it
    gate = Gate(hold="question", count=40)
    llm_server.responder = gate
    batch = run_chats([spec(llm_server, i) for i in range(40)], backend="ray", ray_pool=pool, progress=False)
    assert [o.ok for o in batch] == [True] * 40, [o.error for o in batch.failures]
    per_worker = Counter(o.worker for o in batch)
    assert sorted(per_worker) == sorted(w.where["worker"] for w in pool.workers)
    assert all(count > 1 for count in per_worker.values())
    assert {o.node for o in batch} == {w.where["node"] for w in pool.workers}


def test_max_concurrency_bounds_the_chats_in_flight(llm_server: LLMServer, pool: RayChatPool) -> None:
    # one chat at a time: a gate that needs two waiting requests never fills, each chat fails on its own
    gate = Gate(hold="question 0", count=2, timeout=5)
    llm_server.responder = gate
    seen = []
    batch = run_chats(
        [spec(llm_server, 0), spec(llm_server, 0)],
        backend="ray",
        ray_pool=pool,
        max_concurrency=1,
        progress=lambda p: seen.append(p.done),
    )
    assert seen == [1, 2]
    assert [o.error is not None for o in batch] == [True, True]  # they ran one at a time: neither filled the gate
    assert all("the gate never filled (1 of 2 waited)" in (o.error or "") for o in batch)


def test_iter_chats_reads_specs_lazily_and_keeps_spec_order(llm_server: LLMServer, pool: RayChatPool) -> None:
    pulled: List[int] = []

    def specs() -> Iterator[ChatSpec]:
        for i in range(60):
            pulled.append(i)
            yield spec(llm_server, i)

    stream = iter_chats(specs(), ray_pool=pool, max_concurrency=5, progress=False)
    first = next(stream)
    assert first.index == 0 and first.result.summary == "echo: question 0"
    assert len(pulled) <= 11  # back-pressure: 5 in flight and a window of twice that, not all 60 specs
    rest = list(stream)
    assert [o.index for o in rest] == list(range(1, 60))
    assert all(o.ok and o.result.summary == f"echo: question {o.index}" for o in rest)

    unordered = list(iter_chats((spec(llm_server, i) for i in range(30)), ordered=False, ray_pool=pool))
    assert sorted(o.index for o in unordered) == list(range(30))

    # a stream closed early cancels what it still runs and leaves the pool's workers free for the next batch
    stopped = iter_chats((spec(llm_server, i) for i in range(30)), ray_pool=pool, max_concurrency=6)
    assert next(stopped).index == 0
    stopped.close()
    assert [w.in_flight for w in pool.workers] == [0, 0]
    assert [o.ok for o in run_chats([spec(llm_server, 1)], backend="ray", ray_pool=pool, progress=False)] == [True]


def test_iter_chats_refuses_bad_input(pool: RayChatPool) -> None:
    with pytest.raises(ValueError, match="Ray back end only"):
        iter_chats([], backend="local")  # type: ignore[arg-type]
    stream = iter_chats(["not a spec"], ray_pool=pool)  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"chat_specs\[0\] must be a ChatSpec"):
        next(stream)


@pytest.mark.redis
def test_a_killed_worker_loses_no_chat(llm_server: LLMServer, ray_cluster: Any, redis_url: str, tmp_path: Path) -> None:
    with RayChatPool(workers=2, chats_per_worker=10, ray_options={"num_cpus": 0.5}) as own:
        assert own.wait_ready(timeout=300) == 2
        victim = own.workers[0].where

        def kill_victim() -> None:
            os.kill(victim["pid"], signal.SIGKILL)

        # every chat gets its first answer (checkpointed), then asks its second question; once all 10 wait on it,
        # the first worker is killed: its chats go on in the other worker, from their checkpoints
        gate = Gate(hold="thanks", count=10, on_full=kill_victim)
        llm_server.responder = gate
        stores = [
            RedisStore(redis_url, f"h20-test-chat-{i}") if i % 2 else FileStore(tmp_path / f"chat-{i}.json")
            for i in range(10)
        ]
        for store in stores:
            if isinstance(store, RedisStore):
                store.delete()
        # questions of this test's own: a chat an earlier test cancelled may still reach the shared server late
        specs = [spec(llm_server, i, turns=2, topic="kill-test question", checkpoint=stores[i]) for i in range(10)]
        batch = run_chats(specs, backend="ray", ray_pool=own, retry=RetryPolicy(max_attempts=2), progress=False)

        assert [o.ok for o in batch] == [True] * 10, [o.error for o in batch.failures]
        retried = [o for o in batch if o.attempts == 2]
        assert retried and len(retried) < 10
        assert all(o.worker != victim["worker"] for o in retried)
        for o in batch:
            assert [m["content"] for m in o.result.chat_history] == [
                f"kill-test question {o.index}",
                f"echo: kill-test question {o.index}",
                "thanks",
                "echo: thanks",
            ]
        # no chat started over: each first question was asked once; the retried ones asked "thanks" again
        firsts = Counter(last_user_content(b) for b in llm_server.chat_requests())
        assert all(firsts[f"kill-test question {i}"] == 1 for i in range(10)), firsts
        assert firsts["thanks"] == 10 + len(retried)
        assert all(store.load()["status"] == "finished" for store in stores)

        # without a retry left, a lost worker's chats fail and say so
        assert own.wait_ready(timeout=300) == 2  # the lost worker was replaced
        victim = own.workers[0].where
        llm_server.responder = Gate(hold="thanks", count=4, on_full=kill_victim)
        plain = [spec(llm_server, i, turns=2) for i in range(4)]
        lost = run_chats(plain, backend="ray", ray_pool=own, progress=False)
        failed = lost.failures
        assert failed and all(o.error_type == f"{WorkerLostError.__module__}.WorkerLostError" for o in failed)
        assert all(o.worker == victim["worker"] and o.attempts == 1 for o in failed)


@pytest.mark.redis
def test_workers_share_the_redis_llm_cache(llm_server: LLMServer, pool: RayChatPool, redis_url: str) -> None:
    cache = {"redis_url": redis_url, "cache_seed": f"h20-shared-{os.getpid()}"}
    specs = [spec(llm_server, i % 8, cache=cache) for i in range(8)]
    first = run_chats(specs, backend="ray", ray_pool=pool, progress=False)
    assert all(o.ok for o in first) and len(llm_server.chat_requests()) == 8
    again = run_chats(list(reversed(specs)), backend="ray", ray_pool=pool, progress=False)  # other workers now
    assert all(o.ok for o in again)
    assert len(llm_server.chat_requests()) == 8  # every answer came from Redis, whichever worker asked
    assert len({o.worker for o in again}) == 2
    assert all(o.cost["usage_excluding_cached_inference"]["total_cost"] == 0 for o in again)


@pytest.mark.redis
def test_redis_store(redis_url: str) -> None:
    store = RedisStore(redis_url, f"h20-store-{os.getpid()}", ttl=60)
    store.delete()
    assert store.load() is None
    store.save({"kind": "autogen.chat", "version": 1, "turns": 2})
    copy = pickle.loads(pickle.dumps(store))  # travels to a worker as its URL and key
    assert copy.load() == {"kind": "autogen.chat", "version": 1, "turns": 2}
    copy.close()
    store.delete()
    with pytest.raises(ValueError, match="needs a Redis URL"):
        RedisStore("localhost:6379", "k")

"""run_chats on both back ends against the local server: all results back, a failing chat reported, retries,
progress, a Redis cache shared with Ray workers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest
from chat_factories import two_agents
from llm_server import LLMServer, last_user_content

from autogen.scale import ChatSpec, Progress, RetryPolicy, a_run_chats, run_chats

FAILING = 17


def specs(server: LLMServer, count: int = 50) -> List[ChatSpec]:
    return [
        ChatSpec(
            two_agents,
            message=f"question {i}",
            chat_kwargs={"max_turns": 2},
            factory_args={"base_url": server.base_url, "fail": i == FAILING},
            chat_id=f"chat-{i}",
        )
        for i in range(count)
    ]


def check_batch(batch: Any, count: int = 50) -> None:
    assert len(batch) == count
    assert [o.index for o in batch] == list(range(count))
    failed = batch.failures
    assert [o.chat_id for o in failed] == [f"chat-{FAILING}"]
    assert failed[0].error == "RuntimeError: deliberately failing chat"
    assert "deliberately failing chat" in failed[0].traceback
    assert batch.results[FAILING] is None
    for i, outcome in enumerate(batch):
        if i == FAILING:
            continue
        assert outcome.ok and outcome.attempts == 1
        assert outcome.result.chat_id == f"chat-{i}"
        assert [m["content"] for m in outcome.result.chat_history] == [
            f"question {i}",
            f"echo: question {i}",
            "thanks",
            "echo: thanks",
        ]
    per_chat = batch[0].cost["usage_excluding_cached_inference"]["gpt-4"]["completion_tokens"]
    assert batch.usage["usage_excluding_cached_inference"]["gpt-4"]["completion_tokens"] >= per_chat * (count - 1)
    assert batch.total_cost > 0


def test_local_backend_runs_50_chats(llm_server: LLMServer) -> None:
    seen: List[Progress] = []
    batch = run_chats(specs(llm_server), backend="local", max_concurrency=20, progress=seen.append)
    check_batch(batch)
    assert [p.done for p in seen] == list(range(1, 51))
    assert seen[-1].failed == 1 and seen[-1].total == 50
    with pytest.raises(RuntimeError, match="1 of 50 chats failed:\n  chat 'chat-17'"):
        batch.raise_on_failure()


async def test_a_run_chats_on_the_running_loop(llm_server: LLMServer) -> None:
    llm_server.responder = lambda body: {"content": "echo: " + last_user_content(body), "delay": 0.2}
    start = asyncio.get_running_loop().time()
    batch = await a_run_chats(specs(llm_server, 20), progress=False)
    assert asyncio.get_running_loop().time() - start < 4.0  # 20 chats x 2 calls x 0.2 s = 8 s one after another
    check_batch(batch, 20)


def test_retries_build_new_agents_and_continue_from_the_checkpoint(llm_server: LLMServer, tmp_path: Path) -> None:
    calls: Dict[str, int] = {"n": 0}

    def flaky(body: Dict[str, Any]) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:  # the second request of the chat fails, once
            return {"status": 400, "content": "flaky"}
        return "echo: " + last_user_content(body)

    llm_server.responder = flaky
    spec = ChatSpec(
        two_agents,
        message="hello",
        chat_kwargs={"max_turns": 2},
        factory_args={"base_url": llm_server.base_url},
        checkpoint=str(tmp_path / "chat.json"),
    )
    batch = run_chats([spec], retry=RetryPolicy(max_attempts=2, backoff=0.01), progress=False)
    outcome = batch[0]
    assert outcome.ok and outcome.attempts == 2
    assert [m["content"] for m in outcome.result.chat_history] == ["hello", "echo: hello", "thanks", "echo: thanks"]
    # the retry went on from the checkpoint: the first answer was not asked for again
    assert [last_user_content(b) for b in llm_server.chat_requests()] == ["hello", "thanks", "thanks"]

    no_retry = run_chats([spec], retry=RetryPolicy(max_attempts=3, retry_on=(KeyError,)), progress=False)
    assert no_retry[0].ok  # finished already: the checkpoint gives the result back


def test_a_dict_is_a_spec_too(llm_server: LLMServer) -> None:
    spec = {"factory": two_agents, "message": "hi", "factory_args": {"base_url": llm_server.base_url}}
    batch = run_chats([{**spec, "chat_kwargs": {"max_turns": 1}}], progress=False)
    assert batch[0].ok and batch[0].result.summary == "echo: hi"


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="Unknown backend 'dask'"):
        run_chats([], backend="dask")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="has no 'factory'"):
        run_chats([{"message": "hi"}])
    with pytest.raises(TypeError, match="must be a ChatSpec"):
        run_chats(["hi"])  # type: ignore[list-item]
    batch = run_chats([ChatSpec("no_such_module:factory", message="x")], progress=False)
    assert batch[0].error_type == "builtins.ModuleNotFoundError"


@pytest.mark.timeout(400)  # the first Ray test starts the cluster: seconds, more on a loaded machine
def test_ray_backend_runs_50_chats(llm_server: LLMServer, ray_cluster: Any) -> None:
    seen: List[int] = []
    batch = run_chats(specs(llm_server), backend="ray", progress=lambda p: seen.append(p.done))
    check_batch(batch)
    assert seen == list(range(1, 51))


@pytest.mark.redis
@pytest.mark.timeout(400)
def test_ray_worker_hits_the_shared_redis_cache(llm_server: LLMServer, ray_cluster: Any, redis_url: str) -> None:
    spec = ChatSpec(
        two_agents,
        message="cached question",
        chat_kwargs={"max_turns": 1},
        factory_args={"base_url": llm_server.base_url},
        cache={"redis_url": redis_url, "cache_seed": "ray-test"},
    )
    here = run_chats([spec], progress=False)  # this process fills the cache
    assert here[0].ok and len(llm_server.chat_requests()) == 1
    there = run_chats([spec], backend="ray", progress=False)  # a Ray worker (another process) reads it
    assert there[0].ok, there[0].error
    assert len(llm_server.chat_requests()) == 1
    assert there[0].result.chat_history == here[0].result.chat_history
    usage = there[0].cost
    assert usage["usage_excluding_cached_inference"]["total_cost"] == 0  # served from the cache: nothing paid
    assert usage["usage_including_cached_inference"]["total_cost"] > 0

"""a_create: the same logic as create, over the async openai client, truly concurrent."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from autogen.oai.client import OpenAIWrapper
from autogen.oai.openai_client import OpenAIClient


async def test_a_create_matches_create(llm_server: Any) -> None:
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    response = await wrapper.a_create(messages=[{"role": "user", "content": "hi"}], temperature=0)
    assert wrapper.extract_text_or_completion_object(response) == ["echo: hi"]
    assert response.cost > 0 and response.config_id == 0
    assert wrapper.actual_usage_summary["gpt-4"]["total_tokens"] == response.usage.total_tokens  # type: ignore[index]


async def test_a_create_uses_the_async_client(llm_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def blocking(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the sync path must not be used by a_create")

    monkeypatch.setattr(OpenAIClient, "create", blocking)
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    response = await wrapper.a_create(messages=[{"role": "user", "content": "hi"}])
    assert response.choices[0].message.content == "echo: hi"


async def test_many_concurrent_chats_overlap(llm_server: Any) -> None:
    delay, n = 0.4, 100
    # the test server listens with socketserver's default backlog of 5; 100 simultaneous connects
    # overflow it and stall in TCP retransmission, so widen it here (asked the lead to set it in the server)
    llm_server._httpd.socket.listen(1024)

    in_flight, peak, lock = [0], [0], threading.Lock()

    def slow_echo(body: dict[str, Any]) -> Any:
        # the server answers each request in a thread of its own: count how many are being answered at once
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(delay)
        with lock:
            in_flight[0] -= 1
        return "done " + body["messages"][-1]["content"]

    llm_server.responder = slow_echo
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    responses = await asyncio.gather(
        *(wrapper.a_create(messages=[{"role": "user", "content": str(i)}]) for i in range(n))
    )
    assert [r.choices[0].message.content for r in responses] == [f"done {i}" for i in range(n)]
    # one after another, one request would be in the server at a time; concurrent calls overlap there
    assert peak[0] >= 10, f"at most {peak[0]} of {n} calls were in the server at once: not concurrent"
    assert wrapper.total_usage_summary["gpt-4"]["prompt_tokens"] == sum(  # type: ignore[index]
        r.usage.prompt_tokens for r in responses
    )


def test_async_clients_are_shared_per_loop_and_closed_with_it(llm_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from autogen.oai import client_pool, direct

    # the SDK's async client sends only what the direct path does not (see test_direct_http.py)
    monkeypatch.setenv("AUTOGEN_DIRECT_HTTP", "0")
    direct.clear_routes()
    first = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    second = OpenAIWrapper(config_list=llm_server.config_list(timeout=30), cache_seed=None)
    seen: list[Any] = []

    async def chat() -> None:
        await first.a_create(messages=[{"role": "user", "content": "a"}])
        await second.a_create(messages=[{"role": "user", "content": "b"}])
        pool = client_pool._async_pools[asyncio.get_running_loop()]
        seen.extend(pool.clients.values())

    for _ in range(3):
        asyncio.run(chat())
    assert len(seen) == 3  # one client per loop, shared by both wrappers
    assert client_pool._async_pools == {}  # each loop's clients were released at its shutdown
    assert all(client.is_closed() for client in seen)
    direct.clear_routes()


def test_direct_sessions_are_per_loop_and_closed_with_it(llm_server: Any) -> None:
    from autogen.oai import client_pool

    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    sessions: list[Any] = []

    async def chat() -> None:
        for content in ("a", "b", "c"):
            await wrapper.a_create(messages=[{"role": "user", "content": content}])
        session = client_pool._async_pools[asyncio.get_running_loop()].session
        assert session is not None and not session.closed
        sessions.append(session)

    for _ in range(3):
        asyncio.run(chat())
    assert len({id(session) for session in sessions}) == 3  # one aiohttp session per loop
    assert client_pool._async_pools == {}
    assert all(session.closed for session in sessions)  # closed at each loop's shutdown
    assert len(llm_server.chat_requests()) == 9

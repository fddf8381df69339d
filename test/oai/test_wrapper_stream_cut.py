"""A stream cut mid-answer (no finish_reason, no [DONE]) is an error: retried, then the next config; never cached."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from helpers import ScriptedIO

from autogen.cache import Cache
from autogen.io.base import IOStream
from autogen.oai.client import OpenAIWrapper
from autogen.oai.errors import IncompleteStreamError, InvalidResponseError

USER = [{"role": "user", "content": "Tell me a long story"}]
TEXT = "Once upon a time there was a stream that was cut in the middle of its answer."
CUT = {"content": TEXT, "cut_stream": True}


def test_cut_stream_is_an_error_and_is_never_cached(llm_server: Any) -> None:
    cache = Cache.disk(cache_seed=7, cache_path_root=".cache")
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(max_retries=1))
    llm_server.script(CUT, CUT)
    with IOStream.set_default(ScriptedIO()), pytest.raises(IncompleteStreamError, match="finish_reason") as info:
        wrapper.create(messages=USER, stream=True, cache=cache)
    assert isinstance(info.value, InvalidResponseError)
    assert len(llm_server.chat_requests()) == 2  # sent, then retried once (max_retries=1)
    # the endpoint recovers: the cut answer was not stored, so the full one is fetched ...
    llm_server.script(TEXT)
    with IOStream.set_default(ScriptedIO()):
        response = wrapper.create(messages=USER, stream=True, cache=cache)
    assert response.choices[0].message.content == TEXT
    assert response.choices[0].finish_reason == "stop"
    assert len(llm_server.chat_requests()) == 3
    # ... and that complete answer is what the cache replays now
    with IOStream.set_default(ScriptedIO()):
        again = wrapper.create(messages=USER, stream=True, cache=cache)
    assert again.choices[0].message.content == TEXT
    assert len(llm_server.chat_requests()) == 3


def test_cut_stream_is_retried_on_the_same_config(llm_server: Any) -> None:
    llm_server.script(CUT, TEXT)
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    with IOStream.set_default(ScriptedIO()):
        response = wrapper.create(messages=USER, stream=True)
    assert response.choices[0].message.content == TEXT
    assert len(llm_server.chat_requests()) == 2


def test_cut_stream_falls_back_to_the_next_config(llm_server: Any) -> None:
    config_list = llm_server.config_list(model="first") + llm_server.config_list(model="second")
    llm_server.script(CUT, "from the second config")
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    with IOStream.set_default(ScriptedIO()):
        response = wrapper.create(messages=USER, stream=True)
    assert response.choices[0].message.content == "from the second config"
    assert response.config_id == 1
    assert [b["model"] for b in llm_server.chat_requests()] == ["first", "second"]


def test_cut_stream_async_is_an_error_and_not_cached(llm_server: Any) -> None:
    cache = Cache.in_memory(cache_seed=3)
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(max_retries=0))
    llm_server.script(CUT, TEXT)

    async def run() -> tuple[BaseException, Any]:
        with IOStream.set_default(ScriptedIO()):
            try:
                await wrapper.a_create(messages=USER, stream=True, cache=cache)
            except IncompleteStreamError as err:
                error = err
            return error, await wrapper.a_create(messages=USER, stream=True, cache=cache)

    error, response = asyncio.run(run())
    assert "cut" in str(error)
    assert response.choices[0].message.content == TEXT
    assert len(llm_server.chat_requests()) == 2


def test_connection_lost_mid_stream_is_a_cut_stream(llm_server: Any) -> None:
    llm_server.script({"content": TEXT, "cut_stream": "connection"}, TEXT)
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(max_retries=0), cache_seed=None)
    with IOStream.set_default(ScriptedIO()), pytest.raises(IncompleteStreamError, match="broke off"):
        wrapper.create(messages=USER, stream=True)
    with IOStream.set_default(ScriptedIO()):
        assert wrapper.create(messages=USER, stream=True).choices[0].message.content == TEXT


def test_collector_names_unfinished_choices() -> None:
    from types import SimpleNamespace as NS

    from autogen.oai.streaming import StreamCollector

    def choice(index: int, content: str, finish: Any = None) -> Any:
        delta = NS(role=None, content=content, tool_calls=None, function_call=None, refusal=None)
        return NS(index=index, delta=delta, finish_reason=finish)

    collector = StreamCollector()
    collector.add(NS(id="c", model="m", created=1, usage=None, choices=[choice(0, "a", "stop"), choice(1, "b")]))
    assert collector.incomplete_choices() == [1]
    assert collector.completion_dict()["choices"][1]["finish_reason"] is None

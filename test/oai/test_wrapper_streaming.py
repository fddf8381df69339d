"""stream=True: tokens go to the IOStream as they arrive; the result is a complete ChatCompletion."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import ScriptedIO

from autogen.io.base import IOStream
from autogen.oai.client import OpenAIWrapper
from autogen.oai.errors import InvalidResponseError

USER = [{"role": "user", "content": "Tell me"}]
TEXT = "The quick brown fox jumps over the lazy dog."


def test_stream_content_is_printed_and_returned(llm_server: Any) -> None:
    llm_server.script({"content": TEXT, "usage": {"prompt_tokens": 11, "completion_tokens": 9}})
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    io = ScriptedIO()
    with IOStream.set_default(io):
        response = wrapper.create(messages=USER, stream=True)
    assert response.choices[0].message.content == TEXT
    assert response.choices[0].finish_reason == "stop"
    # printed piece by piece (the server sends 4-character chunks) in green, then classic's colour reset and an
    # empty line (test/compat/test_classic_wrapper.py)
    pieces = [p for p in io.printed if p.strip() and "\033[" not in p]
    assert len(pieces) > 5 and "".join(pieces) == TEXT
    assert io.output == "\033[32m" + TEXT + "\033[0m\n\n"
    # usage came from the final usage chunk the wrapper asked for
    [body] = llm_server.chat_requests()
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert (response.usage.prompt_tokens, response.usage.completion_tokens, response.usage.total_tokens) == (11, 9, 20)
    assert response.cost == (11 * 0.03 + 9 * 0.06) / 1000
    assert wrapper.total_usage_summary["gpt-4"]["total_tokens"] == 20  # type: ignore[index]


def test_stream_reassembles_tool_calls(llm_server: Any) -> None:
    calls = [
        {"name": "search", "arguments": {"query": "weather in Paris", "limit": 3}, "id": "call_a"},
        {"name": "lookup", "arguments": {"id": 42}, "id": "call_b"},
    ]
    llm_server.script({"content": None, "tool_calls": calls})
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    with IOStream.set_default(ScriptedIO()):
        response = wrapper.create(messages=USER, stream=True, tools=[{"type": "function", "function": {"name": "x"}}])
    [message] = wrapper.extract_text_or_completion_object(response)
    assert not isinstance(message, str)
    got = [(c.id, c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls]
    assert got == [(c["id"], c["name"], c["arguments"]) for c in calls]
    assert response.choices[0].finish_reason == "tool_calls"


def test_stream_function_call(llm_server: Any) -> None:
    llm_server.script({"content": None, "function_call": {"name": "f", "arguments": {"a": 1}}})
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    with IOStream.set_default(ScriptedIO()):
        response = wrapper.create(messages=USER, stream=True)
    call = response.choices[0].message.function_call
    assert call.name == "f" and json.loads(call.arguments) == {"a": 1}


def test_stream_without_usage_chunk_estimates_tokens(llm_server: Any) -> None:
    """Endpoints that cannot send a usage chunk (old Azure api-versions) get a tokenizer estimate."""
    config = llm_server.config_list(api_type="azure", api_version="2024-02-01", base_url=llm_server.url)
    llm_server.script({"content": TEXT})
    wrapper = OpenAIWrapper(config_list=config, cache_seed=None)
    with IOStream.set_default(ScriptedIO()):
        response = wrapper.create(messages=USER, stream=True)
    assert "stream_options" not in llm_server.chat_requests()[0]
    assert response.choices[0].message.content == TEXT
    assert 5 <= response.usage.completion_tokens <= 15
    assert response.usage.prompt_tokens > 0
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens


async def test_async_stream(llm_server: Any) -> None:
    llm_server.script({"content": TEXT, "tool_calls": [{"name": "f", "arguments": "{}", "id": "c1"}]})
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    io = ScriptedIO()
    with IOStream.set_default(io):
        response = await wrapper.a_create(messages=USER, stream=True)
    assert response.choices[0].message.content == TEXT
    assert response.choices[0].message.tool_calls[0].function.name == "f"
    assert TEXT in io.output
    assert response.usage.total_tokens > 0


def test_broken_stream_is_a_clear_error(llm_server: Any) -> None:
    llm_server.script({"raw": "this is not an event stream"})
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    with IOStream.set_default(ScriptedIO()), pytest.raises(InvalidResponseError, match="without any completion chunk"):
        wrapper.create(messages=USER, stream=True)

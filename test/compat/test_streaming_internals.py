"""Classic streaming helpers that plugins call, fed with real chunks from the openai SDK over HTTP."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Dict, Optional

import openai
import pytest

from autogen.oai.client import OpenAIClient, OpenAIWrapper


def stream(llm_server: Any, reply: Any) -> list:
    llm_server.script(reply)
    client = openai.OpenAI(api_key="test", base_url=llm_server.base_url)
    return list(
        client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "go"}], stream=True)
    )


def test_tool_calls_rebuilt_from_streamed_chunks(llm_server: Any) -> None:
    chunks = stream(
        llm_server,
        {
            "tool_calls": [
                {"id": "call_a", "name": "add", "arguments": {"a": 1, "b": 2}},
                {"id": "call_b", "name": "mul", "arguments": {"a": 3, "b": 4}},
            ]
        },
    )
    calls: Dict[int, Optional[Dict[str, Any]]] = {}
    tokens = 0
    for chunk in chunks:
        for choice in chunk.choices:
            for delta in choice.delta.tool_calls or []:
                calls[delta.index], tokens = OpenAIClient._update_tool_calls_from_chunk(
                    delta, calls.get(delta.index), tokens
                )
    assert calls == {
        0: {
            "index": 0,
            "id": "call_a",
            "type": "function",
            "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
        },
        1: {
            "index": 1,
            "id": "call_b",
            "type": "function",
            "function": {"name": "mul", "arguments": '{"a": 3, "b": 4}'},
        },
    }
    assert tokens > 0


def test_function_call_rebuilt_from_streamed_chunks(llm_server: Any) -> None:
    chunks = stream(llm_server, {"function_call": {"name": "lookup", "arguments": {"q": "autogen"}}})
    call: Optional[Dict[str, Any]] = None
    tokens = 0
    for chunk in chunks:
        for choice in chunk.choices:
            if choice.delta.function_call is not None:
                call, tokens = OpenAIWrapper._update_function_call_from_chunk(choice.delta.function_call, call, tokens)
    assert call == {"name": "lookup", "arguments": '{"q": "autogen"}'} and tokens == 2


def test_classic_rules_of_the_helpers() -> None:
    d: Dict[str, Any] = {}
    assert OpenAIClient._update_dict_from_chunk(SimpleNamespace(name="ab"), d, "name") == 1
    assert OpenAIClient._update_dict_from_chunk(SimpleNamespace(name="cd"), d, "name") == 1
    assert OpenAIClient._update_dict_from_chunk(SimpleNamespace(index=3), d, "index") == 1
    assert OpenAIClient._update_dict_from_chunk(SimpleNamespace(other=None), d, "other") == 0
    assert d == {"name": "abcd", "index": 3}
    with pytest.raises(NotImplementedError, match="list or dict"):
        OpenAIClient._update_dict_from_chunk(SimpleNamespace(name=["x"]), {}, "name")
    with pytest.raises(NotImplementedError, match="Tool call type retrieval is currently not supported"):
        OpenAIClient._update_tool_calls_from_chunk(SimpleNamespace(type="retrieval"), None, 0)
    with pytest.raises(RuntimeError, match="Function call is not found"):
        OpenAIClient._update_function_call_from_chunk(None, None, 0)

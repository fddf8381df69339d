"""The test server itself, checked through the real openai SDK."""

from __future__ import annotations

import json

import openai
import pytest


def client(server, **kw):
    return openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0, **kw)


def test_echo_and_script(llm_server) -> None:
    c = client(llm_server)
    r = c.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "hello"}])
    assert r.choices[0].message.content == "echo: hello"
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    llm_server.script("first", {"tool_calls": [{"name": "f", "arguments": {"x": 1}}]})
    assert (
        c.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "?"}]).choices[0].message.content
        == "first"
    )
    r = c.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "?"}])
    assert r.choices[0].message.tool_calls[0].function.arguments == '{"x": 1}'
    assert r.choices[0].finish_reason == "tool_calls"
    assert len(llm_server.chat_requests()) == 3


def test_stream_with_usage(llm_server) -> None:
    llm_server.script({"content": "streamed text", "tool_calls": [{"name": "g", "arguments": '{"a": "b"}'}]})
    stream = client(llm_server).chat.completions.create(
        model="gpt-4", messages=[{"role": "user", "content": "x"}], stream=True, stream_options={"include_usage": True}
    )
    text, args, usage = "", "", None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            for call in choice.delta.tool_calls or []:
                args += call.function.arguments or ""
    assert text == "streamed text"
    assert args == '{"a": "b"}'
    assert usage is not None and usage.total_tokens > 0


def test_failures(llm_server) -> None:
    c = client(llm_server)
    llm_server.script({"status": 429}, {"status": 500}, {"raw": "not json"})
    with pytest.raises(openai.RateLimitError):
        c.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.InternalServerError):
        c.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "x"}])
    # the SDK itself surfaces a malformed body as a bare JSON error; OpenAIWrapper must turn it into a clear one
    with pytest.raises(json.JSONDecodeError):
        c.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "x"}])
    llm_server.script({"delay": 1.0, "content": "late"})
    with pytest.raises(openai.APITimeoutError):
        client(llm_server, timeout=0.2).chat.completions.create(
            model="gpt-4", messages=[{"role": "user", "content": "x"}]
        )


def test_azure_route(llm_server) -> None:
    c = openai.AzureOpenAI(azure_endpoint=llm_server.url, api_key="k", api_version="2024-02-01", max_retries=0)
    r = c.chat.completions.create(model="gpt-35-turbo", messages=[{"role": "user", "content": "az"}])
    assert r.choices[0].message.content == "echo: az"
    req = llm_server.requests[-1]
    assert req.path == "/openai/deployments/gpt-35-turbo/chat/completions"
    assert req.query["api-version"] == ["2024-02-01"]

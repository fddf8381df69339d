"""AnthropicClient through the real ``anthropic`` SDK against a strict local Messages API server."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import anthropic
import httpx
import pytest
from anthropic_server import AnthropicServer
from provider_scenarios import run_chat, run_tool_chat

from autogen import OpenAIWrapper
from autogen.exception_utils import ConfigError
from autogen.oai.anthropic import AnthropicClient
from autogen.oai.errors import ProviderAPIError, ProviderTimeoutError

SERVER_CLASS = AnthropicServer
MODEL = "claude-3-5-sonnet-20240620"


def configs(server: AnthropicServer, **extra: Any) -> list[dict[str, Any]]:
    return [{"model": MODEL, "api_type": "anthropic", "api_key": "sk-ant-test", "base_url": server.url, **extra}]


def post(server: AnthropicServer, body: dict[str, Any]) -> httpx.Response:
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    return httpx.post(server.url + "/v1/messages", json={"model": MODEL, "max_tokens": 10, **body}, headers=headers)


def test_the_server_is_as_strict_as_the_messages_api(provider_server: AnthropicServer) -> None:
    user = {"role": "user", "content": "hi"}
    cases = {
        "system": [{"role": "system", "content": "be brief"}, user],
        "alternate": [user, user],
        "first message": [{"role": "assistant", "content": "hello"}, user],
        "corresponding `tool_use`": [
            user,
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "4"}]},
        ],
    }
    for expected, messages in cases.items():
        response = post(provider_server, {"messages": messages})
        assert response.status_code == 400 and expected in response.json()["error"]["message"], expected
    assert post(provider_server, {"messages": [user], "temprature": 1}).status_code == 400
    assert post(provider_server, {"messages": [user]}).status_code == 200


def test_two_agent_chat(provider_server: AnthropicServer) -> None:
    provider_server.script("Hello! How can I help?", "Still here.")
    result = run_chat(configs(provider_server, temperature=0.3, top_k=5, max_tokens=200))
    assert [m["content"] for m in result.chat_history] == ["Hi there", "Hello! How can I help?", "", "Still here."]
    first, second = provider_server.bodies("/v1/messages")
    assert first["system"] == "You are a helpful assistant."
    assert first["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Hi there"}]}]
    assert (first["model"], first["max_tokens"], first["temperature"], first["top_k"]) == (MODEL, 200, 0.3, 5)
    # the user agent's empty reply is dropped, and the turns still alternate
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    assert second["messages"][-1]["content"] == [{"type": "text", "text": "Please continue."}]
    assert result.cost["usage_including_cached_inference"]["total_cost"] > 0


def test_tool_round_trip(provider_server: AnthropicServer) -> None:
    provider_server.script(
        {"content": "Let me add.", "tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 40}, "id": "toolu_7"}]},
        "It is 42. TERMINATE",
    )
    result = run_tool_chat(configs(provider_server))
    call = result.chat_history[1]["tool_calls"][0]
    assert call["id"] == "toolu_7" and call["function"]["name"] == "add"
    assert result.chat_history[2]["content"] == "42"
    assert result.chat_history[-1]["content"] == "It is 42. TERMINATE"
    first, second = provider_server.bodies("/v1/messages")
    assert first["tools"][0]["name"] == "add" and first["tools"][0]["input_schema"]["required"] == ["a", "b"]
    assistant_turn, result_turn = second["messages"][1:]
    assert assistant_turn["content"] == [
        {"type": "text", "text": "Let me add."},
        {"type": "tool_use", "id": "toolu_7", "name": "add", "input": {"a": 2, "b": 40}},
    ]
    assert result_turn == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "toolu_7", "content": "42"}],
    }


def test_untidy_history_is_made_acceptable(provider_server: AnthropicServer) -> None:
    """Group-chat style history: names, a system message late, two user turns, a tool result without its call."""
    provider_server.script("fine")
    messages = [
        {"role": "system", "content": "Rule one."},
        {"role": "user", "content": "Plan it.", "name": "planner"},
        {"role": "user", "content": "Write it.", "name": "writer"},
        {"role": "system", "content": "Rule two."},
        {"role": "tool", "tool_call_id": "call_lost", "content": "old result"},
        {"role": "assistant", "content": "Done."},
    ]
    OpenAIWrapper(config_list=configs(provider_server), cache_seed=None).create(messages=messages)
    (body,) = provider_server.bodies("/v1/messages")
    assert body["system"] == "Rule one.\n\nRule two."
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "planner: Plan it."},
                {"type": "text", "text": "writer: Write it."},
                {"type": "text", "text": "(result of tool call_lost: old result)"},
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "Done."}]},
        {"role": "user", "content": [{"type": "text", "text": "Please continue."}]},
    ]


def test_usage_cost_and_price_override(provider_server: AnthropicServer) -> None:
    provider_server.script({"content": "ok", "prompt_tokens": 1000, "completion_tokens": 100}, "again")
    wrapper = OpenAIWrapper(config_list=configs(provider_server), cache_seed=None)
    response = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert AnthropicClient.get_usage(response) == {
        "prompt_tokens": 1000,
        "completion_tokens": 100,
        "total_tokens": 1100,
        "cost": pytest.approx(0.003 + 0.0015),
        "model": MODEL,
    }
    assert wrapper.actual_usage_summary["total_cost"] == pytest.approx(0.0045)
    priced = OpenAIWrapper(config_list=configs(provider_server, price=[1, 2]), cache_seed=None)
    again = priced.create(messages=[{"role": "user", "content": "hi"}])
    usage = again.usage
    assert again.cost == pytest.approx((usage.prompt_tokens * 1 + usage.completion_tokens * 2) / 1000)


def test_errors_are_clear(provider_server: AnthropicServer, monkeypatch: pytest.MonkeyPatch) -> None:
    provider_server.fail(400, "max_tokens: 999999 > 8192, which is the maximum allowed")
    wrapper = OpenAIWrapper(config_list=configs(provider_server), cache_seed=None)
    with pytest.raises(ProviderAPIError, match=r"HTTP 400.*invalid_request_error: max_tokens") as info:
        wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 400 and info.value.provider == "Anthropic"
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        OpenAIWrapper(config_list=[{"model": MODEL, "api_type": "anthropic"}])


def test_sdk_environment_variables(provider_server: AnthropicServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", provider_server.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-env")
    provider_server.script("via env", "via env, async")
    wrapper = OpenAIWrapper(config_list=[{"model": MODEL, "api_type": "anthropic"}], cache_seed=None)
    assert wrapper.create(messages=[{"role": "user", "content": "a"}]).choices[0].message.content == "via env"
    response = asyncio.run(wrapper.a_create(messages=[{"role": "user", "content": "b"}]))
    assert response.choices[0].message.content == "via env, async"
    # (this SDK version sends an environment key as a bearer token, an explicit one as x-api-key)
    keys = {
        r.headers.get("x-api-key") or r.headers["authorization"].removeprefix("Bearer ")
        for r in provider_server.requests
    }
    assert keys == {"sk-ant-env"}


def test_claude_on_bedrock(provider_server: AnthropicServer) -> None:
    provider_server.script({"content": "from Bedrock", "prompt_tokens": 1000, "completion_tokens": 0})
    model = "anthropic.claude-3-haiku-20240307-v1:0"
    config = {
        "model": model,
        "api_type": "anthropic",
        "aws_access_key": "AKIDEXAMPLE",
        "aws_secret_key": "secret",
        "aws_region": "us-west-2",
        "base_url": provider_server.url,
    }
    wrapper = OpenAIWrapper(config_list=[config], cache_seed=None)
    response = wrapper.create(messages=[{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"}])
    assert response.choices[0].message.content == "from Bedrock"
    assert response.cost == pytest.approx(0.00025)
    (request,) = provider_server.requests
    assert request.path == "/model/anthropic.claude-3-haiku-20240307-v1:0/invoke"
    assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-west-2/bedrock/" in request.headers["authorization"]
    assert "model" not in request.body and request.body["system"] == "sys"


def test_timeout_is_a_timeout_error(provider_server: AnthropicServer) -> None:
    def slow(request: Any) -> str:
        time.sleep(1.5)
        return "too late"

    provider_server.responder = slow
    wrapper = OpenAIWrapper(config_list=configs(provider_server, timeout=0.2, max_retries=0), cache_seed=None)
    with pytest.raises(TimeoutError, match="OpenAI API call timed out. .* setting the 'timeout' value") as info:
        wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert isinstance(info.value, ProviderTimeoutError)
    assert isinstance(info.value, anthropic.APITimeoutError)  # the SDK's own, which classic let through


def test_linked_image_and_tool_choice(provider_server: AnthropicServer) -> None:
    """Claude fetches linked images itself; a named function choice becomes {"type": "tool", "name": ...}."""
    url = "https://example.com/cat.png"
    content = [{"type": "text", "text": "What is it?"}, {"type": "image_url", "image_url": {"url": url}}]
    tools = [{"type": "function", "function": {"name": "describe", "parameters": {"type": "object", "properties": {}}}}]
    choice = {"type": "function", "function": {"name": "describe"}}
    config_list = configs(provider_server, stop="END", base_url=provider_server.url + "/v1")  # a gateway's form
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    wrapper.create(messages=[{"role": "user", "content": content}], tools=tools, tool_choice=choice)
    (body,) = provider_server.bodies("/v1/messages")
    assert body["messages"][0]["content"][1] == {"type": "image", "source": {"type": "url", "url": url}}
    assert body["tool_choice"] == {"type": "tool", "name": "describe"}
    assert body["stop_sequences"] == ["END"]

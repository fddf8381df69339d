"""The classic helpers of autogen.oai.anthropic / cohere / groq, end to end through each provider's real SDK against
its strict local server: what they produce is what the provider takes, and what the clients send goes through them."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import anthropic
import pytest
from anthropic_server import AnthropicServer
from chat_completions_server import CohereServer, GroqServer

from autogen import OpenAIWrapper
from autogen.oai.anthropic import AnthropicClient, oai_messages_to_anthropic_messages
from autogen.oai.cohere import CohereError, CohereRateLimitError
from autogen.oai.errors import ProviderAPIError
from autogen.oai.groq import GroqClient, oai_messages_to_groq_messages

MODEL = "claude-3-5-sonnet-20240620"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "add",
            "description": "Add two numbers",
            "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
        },
    }
]
TOOL_HISTORY = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "add 1", "name": "user_proxy"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}}],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": "1"},
]


def test_anthropic_messages_are_what_the_messages_api_takes(provider_servers: Callable[[type], Any]) -> None:
    server = provider_servers(AnthropicServer)
    server.script("fine")
    params: dict[str, Any] = {"messages": [dict(m) for m in TOOL_HISTORY], "tools": TOOLS}
    messages = oai_messages_to_anthropic_messages(params)
    assert params["system"] == "Be brief."  # the classic side effect
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[1]["content"] == [{"type": "tool_use", "id": "call_1", "name": "add", "input": {"a": 1}}]
    assert messages[2]["content"][0]["tool_use_id"] == "call_1"
    tools = [AnthropicClient.openai_func_to_anthropic(f) for f in AnthropicClient.convert_tools_to_functions(TOOLS)]
    sdk = anthropic.Anthropic(api_key="k", base_url=server.url)
    answer = sdk.messages.create(model=MODEL, max_tokens=20, system=params["system"], messages=messages, tools=tools)
    assert answer.content[0].text == "fine"
    [body] = server.bodies("/v1/messages")
    assert body["tools"][0]["input_schema"] == TOOLS[0]["function"]["parameters"]


def test_anthropic_load_config_checks_what_the_client_sends(provider_servers: Callable[[type], Any]) -> None:
    """Classic checks: an out-of-range temperature becomes the default 1.0 (with a warning) before it is sent."""
    server = provider_servers(AnthropicServer)
    config = {"model": MODEL, "api_type": "anthropic", "api_key": "sk-ant-test", "base_url": server.url}
    server.script("ok")
    wrapper = OpenAIWrapper(config_list=[{**config, "temperature": 3, "top_k": 4}], cache_seed=None)
    with pytest.warns(UserWarning, match="temperature"):
        wrapper.create(messages=[{"role": "user", "content": "hi"}])
    [body] = server.bodies("/v1/messages")
    assert (body["temperature"], body["top_k"], body["max_tokens"]) == (1.0, 4, 4096)

    client = AnthropicClient(**config)
    assert client.load_config({"model": MODEL}) == {
        "model": MODEL,
        "temperature": 1.0,
        "max_tokens": 4096,
        "top_k": None,
        "top_p": None,
        "stop_sequences": None,
        "stream": False,
    }
    with pytest.warns(UserWarning, match="Streaming is not currently supported, streaming will be disabled"):
        assert client.load_config({"model": MODEL, "stream": True})["stream"] is False


def test_anthropic_credentials_properties(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "from-env")
    client = AnthropicClient(model=MODEL)
    assert client.api_key == "from-env" and client.aws_region is None
    assert AnthropicClient(model=MODEL, api_key="mine").api_key == "mine"
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token-from-env")
    bedrock = AnthropicClient(model=MODEL, aws_access_key="AKID", aws_secret_key="s", aws_region="us-west-2")
    assert (bedrock.api_key, bedrock.aws_access_key, bedrock.aws_secret_key) == (None, "AKID", "s")
    assert (bedrock.aws_region, bedrock.aws_session_token) == ("us-west-2", "token-from-env")


def _cohere_config(server: Any, **extra: Any) -> dict[str, Any]:
    return {"model": "command-r-plus", "api_type": "cohere", "api_key": "k", "base_url": server.url, **extra}


def test_cohere_errors_have_the_classic_types(provider_servers: Callable[[type], Any]) -> None:
    server = provider_servers(CohereServer)
    wrapper = OpenAIWrapper(config_list=[_cohere_config(server, max_retries=0)], cache_seed=None)
    server.fail(429, "too many requests")
    with pytest.raises(CohereRateLimitError, match="HTTP 429") as info:
        wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert isinstance(info.value, CohereError) and isinstance(info.value, ProviderAPIError)
    wrong = OpenAIWrapper(config_list=[_cohere_config(server, model="no-such-model")], cache_seed=None)
    with pytest.raises(CohereError, match="HTTP 404") as info:
        wrong.create(messages=[{"role": "user", "content": "hi"}])
    assert not isinstance(info.value, CohereRateLimitError)


def test_parse_params_is_what_the_client_sends(provider_servers: Callable[[type], Any]) -> None:
    server = provider_servers(GroqServer)
    config = {"model": "llama-3.3-70b-versatile", "api_type": "groq", "api_key": "k", "base_url": server.url}
    client = GroqClient(**config)
    with pytest.warns(UserWarning, match="temperature"):
        assert client.parse_params({"model": config["model"], "temperature": 5, "top_p": 0.5}) == {
            "model": config["model"],
            "top_p": 0.5,
        }
    server.script("ok")
    messages = [{"role": "user", "content": "hi", "name": "user_proxy"}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.create({"model": config["model"], "messages": messages, "temperature": 5, "top_p": 0.5})
    [body] = server.bodies(server.path)
    assert "temperature" not in body and body["top_p"] == 0.5
    assert body["messages"] == oai_messages_to_groq_messages(messages)

"""Groq, Together AI, Cerebras, Mistral AI and Cohere clients, each through its real SDK against a strict local server."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

import pytest
from chat_completions_server import (
    CerebrasServer,
    ChatCompletionsServer,
    CohereServer,
    GroqServer,
    MistralServer,
    TogetherServer,
)
from provider_scenarios import IMAGE_DATA_URL, image_message, run_chat, run_tool_chat
from pydantic import BaseModel

from autogen import OpenAIWrapper
from autogen.oai.errors import ProviderAPIError
from autogen.oai.model_prices import get_price
from autogen.oai.provider_registry import client_class


@dataclass
class Case:
    api_type: str
    server: type[ChatCompletionsServer]
    model: str
    vision_model: Optional[str]
    env_key: str
    env_base_url: Optional[str]
    base_url_suffix: str  # how an OpenAI-compatible base_url of the provider ends

    def config(self, server: ChatCompletionsServer, **extra: Any) -> dict[str, Any]:
        return {
            "model": self.model,
            "api_type": self.api_type,
            "api_key": "secret",
            "base_url": server.url,
            **extra,
        }


CASES = [
    Case(
        "groq",
        GroqServer,
        "llama-3.3-70b-versatile",
        "llama-3.2-11b-vision-preview",
        "GROQ_API_KEY",
        "GROQ_BASE_URL",
        "/openai/v1",
    ),
    Case(
        "together",
        TogetherServer,
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "meta-llama/Llama-3.2-11B-Vision-Instruct-Turbo",
        "TOGETHER_API_KEY",
        "TOGETHER_BASE_URL",
        "/v1",
    ),
    Case("cerebras", CerebrasServer, "llama-3.3-70b", None, "CEREBRAS_API_KEY", "CEREBRAS_BASE_URL", "/v1"),
    Case("mistral", MistralServer, "mistral-large-latest", "pixtral-12b-2409", "MISTRAL_API_KEY", None, "/v1"),
    Case("cohere", CohereServer, "command-r-plus", "command-a-vision-07-2025", "CO_API_KEY", "CO_API_URL", "/v2"),
]


@pytest.fixture(params=CASES, ids=[c.api_type for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def server(case: Case, provider_servers: Callable[[type], Any]) -> ChatCompletionsServer:
    return provider_servers(case.server)  # type: ignore[no-any-return]


def test_two_agent_chat(case: Case, server: ChatCompletionsServer) -> None:
    server.script("Hello! How can I help?", "Still here.")
    # the base URL as an OpenAI-compatible client would take it (with /v1 and the like) works too
    config = case.config(server, temperature=0.5, max_tokens=100, base_url=server.url + case.base_url_suffix)
    result = run_chat([config])
    assert [m["content"] for m in result.chat_history] == ["Hi there", "Hello! How can I help?", "", "Still here."]
    first, second = server.bodies(server.path)
    assert first["model"] == case.model and first["temperature"] == 0.5 and first["max_tokens"] == 100
    assert first["messages"][0] == {"role": "system", "content": "You are a helpful assistant."}
    assert first["messages"][1]["content"] == "Hi there"
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "user"]


def test_tool_round_trip(case: Case, server: ChatCompletionsServer) -> None:
    server.script({"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 40}}]}, "It is 42. TERMINATE")
    result = run_tool_chat([case.config(server)])
    call = result.chat_history[1]["tool_calls"][0]
    assert call["function"]["name"] == "add" and json.loads(call["function"]["arguments"]) == {"a": 2, "b": 40}
    assert result.chat_history[2]["content"] == "42"
    assert result.chat_history[-1]["content"] == "It is 42. TERMINATE"
    first, second = server.bodies(server.path)
    assert first["tools"][0]["function"]["name"] == "add"
    assistant_turn, tool_turn = second["messages"][-2:]
    assert assistant_turn["tool_calls"][0]["id"] == tool_turn["tool_call_id"] == call["id"]
    assert tool_turn["content"] == "42"


def test_history_with_foreign_tool_call_ids(case: Case, server: ChatCompletionsServer) -> None:
    # a conversation started on another provider: OpenAI-style ids that Mistral would refuse
    messages = [
        {"role": "user", "content": "add"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_Xy_12-long-openai-id", "type": "function", "function": {"name": "add", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_Xy_12-long-openai-id", "content": "0"},
        {"role": "assistant", "content": "Done."},
    ]
    server.script("continued")
    wrapper = OpenAIWrapper(config_list=[case.config(server)], cache_seed=None)
    assert wrapper.create(messages=messages).choices[0].message.content == "continued"
    sent = server.bodies(server.path)[0]["messages"]
    assert sent[1]["tool_calls"][0]["id"] == sent[2]["tool_call_id"]
    if case.api_type == "mistral":
        assert len(sent[2]["tool_call_id"]) == 9
        assert sent[-1] == {"role": "user", "content": "Please continue."}


def test_image(case: Case, server: ChatCompletionsServer) -> None:
    wrapper_config = case.config(server, model=case.vision_model or case.model)
    wrapper = OpenAIWrapper(config_list=[wrapper_config], cache_seed=None)
    if case.vision_model is None:
        with pytest.raises(ValueError, match="do not take images"):
            wrapper.create(messages=[image_message()])
        return
    server.script("A tiny square.")
    response = wrapper.create(messages=[image_message()])
    assert response.choices[0].message.content == "A tiny square."
    parts = server.bodies(server.path)[0]["messages"][0]["content"]
    image = parts[1]["image_url"]
    assert (image["url"] if isinstance(image, dict) else image) == IMAGE_DATA_URL


def test_usage_and_cost(case: Case, server: ChatCompletionsServer) -> None:
    server.script({"content": "ok", "prompt_tokens": 1000, "completion_tokens": 500})
    wrapper = OpenAIWrapper(config_list=[case.config(server)], cache_seed=None)
    response = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    price = get_price(case.model, client_class(case.api_type).PRICES)
    assert price is not None
    expected = price[0] + price[1] / 2
    assert response.cost == pytest.approx(expected)
    assert wrapper.total_usage_summary[case.model] == {
        "cost": pytest.approx(expected),
        "prompt_tokens": 1000,
        "completion_tokens": 500,
        "total_tokens": 1500,
    }


def test_errors_name_the_provider(case: Case, server: ChatCompletionsServer) -> None:
    wrapper = OpenAIWrapper(config_list=[case.config(server, model="no-such-model")], cache_seed=None)
    with pytest.raises(ProviderAPIError, match=r"request for model 'no-such-model' failed \(HTTP 404\)") as info:
        wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 404 and isinstance(info.value, RuntimeError)
    assert str(info.value).count("HTTP 404") == 1  # said once (the SDK's own text may say it its way)


def test_fallback_to_openai(case: Case, server: ChatCompletionsServer, llm_server: Any) -> None:
    server.fail(503, "overloaded")
    llm_server.script("from openai")
    wrapper = OpenAIWrapper(
        config_list=[case.config(server, max_retries=0)] + llm_server.config_list(), cache_seed=None
    )
    response = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert response.choices[0].message.content == "from openai" and response.config_id == 1
    assert len(server.bodies(server.path)) == 1


def test_async_tool_chat(case: Case, server: ChatCompletionsServer) -> None:
    server.script({"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 2}}]}, "3. TERMINATE")
    result = run_tool_chat([case.config(server)], is_async=True)
    assert result.chat_history[2]["content"] == "3"
    assert result.chat_history[-1]["content"] == "3. TERMINATE"


def test_sdk_environment_variables(case: Case, server: ChatCompletionsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(case.env_key, "from-env")
    config = case.config(server)
    del config["api_key"]
    if case.env_base_url:
        monkeypatch.setenv(case.env_base_url, config.pop("base_url"))
    server.script("env works")
    response = asyncio.run(
        OpenAIWrapper(config_list=[config], cache_seed=None).a_create(messages=[{"role": "user", "content": "hi"}])
    )
    assert response.choices[0].message.content == "env works"
    assert server.requests[-1].headers["authorization"] == "Bearer from-env"


def test_timeout_is_a_timeout_error(case: Case, server: ChatCompletionsServer) -> None:
    server.script({"content": "late", "delay": 1.5})
    wrapper = OpenAIWrapper(config_list=[case.config(server, timeout=0.3, max_retries=0)], cache_seed=None)
    with pytest.raises(TimeoutError, match="timed out"):
        wrapper.create(messages=[{"role": "user", "content": "hi"}])


def test_legacy_function_call_history(case: Case, server: ChatCompletionsServer) -> None:
    # agents of the "functions" era keep function_call / role "function" messages: sent as a paired tool call
    messages = [
        {"role": "user", "content": "add"},
        {"role": "assistant", "content": None, "function_call": {"name": "add", "arguments": '{"a": 1}'}},
        {"role": "function", "name": "add", "content": "1"},
    ]
    server.script("one")
    wrapper = OpenAIWrapper(config_list=[case.config(server)], cache_seed=None)
    assert wrapper.create(messages=messages).choices[0].message.content == "one"
    sent = server.bodies(server.path)[0]["messages"]
    call = sent[1]["tool_calls"][0]
    assert call["function"]["name"] == "add" and json.loads(call["function"]["arguments"]) == {"a": 1}
    assert sent[2] == {"role": "tool", "content": "1", "tool_call_id": call["id"]}


class Answer(BaseModel):
    value: int


def test_structured_output_from_a_pydantic_class(case: Case, server: ChatCompletionsServer) -> None:
    server.script('{"value": 42}')
    wrapper = OpenAIWrapper(config_list=[case.config(server)], cache_seed=None)
    response = wrapper.create(messages=[{"role": "user", "content": "6*7?"}], response_format=Answer)
    assert Answer.model_validate_json(response.choices[0].message.content) == Answer(value=42)
    sent = server.bodies(server.path)[0]["response_format"]
    schema = Answer.model_json_schema()
    if case.api_type == "cohere":
        assert sent == {"type": "json_object", "json_schema": schema}
    else:
        assert sent["type"] == "json_schema" and sent["json_schema"]["schema"] == schema

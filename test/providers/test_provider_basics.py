"""What every provider client of this folder must do alike: images, fallback to OpenAI, the cache, async tool chats.

Parametrized over the Anthropic, Gemini and Bedrock clients, each through its real SDK and strict local server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Callable

import pytest
import test_anthropic
import test_bedrock
import test_gemini
from protocol_server import ProtocolServer
from provider_scenarios import PNG_B64, image_message, run_tool_chat

from autogen import OpenAIWrapper


@dataclass
class Case:
    server_class: type[ProtocolServer]
    configs: Callable[..., list[dict[str, Any]]]
    path: str  # the suffix of a model call's path
    overloaded: int  # the HTTP status of the provider's "overloaded"
    no_retries: dict[str, Any]  # the config keys that turn the SDK's own retries off
    image: Callable[[dict[str, Any]], Any]  # the image block of the first message of a request body
    image_block: dict[str, Any]  # what the image of scenarios.image_message() must look like on the wire


CASES = {
    "anthropic": Case(
        test_anthropic.SERVER_CLASS,
        test_anthropic.configs,
        "/v1/messages",
        529,
        {"max_retries": 0},
        lambda body: body["messages"][0]["content"][1],
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
    ),
    "google": Case(
        test_gemini.SERVER_CLASS,
        test_gemini.configs,
        ":generateContent",
        503,
        {"max_retries": 0},
        lambda body: body["contents"][0]["parts"][1],
        {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
    ),
    "bedrock": Case(
        test_bedrock.SERVER_CLASS,
        test_bedrock.configs,
        "/converse",
        429,
        {"total_max_attempts": 1},
        lambda body: body["messages"][0]["content"][1],
        {"image": {"format": "png", "source": {"bytes": PNG_B64}}},
    ),
}


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest, provider_servers: Callable[[type], Any]) -> tuple[Case, Any]:
    spec = CASES[request.param]
    return spec, provider_servers(spec.server_class)


def test_image(case: tuple[Case, Any]) -> None:
    spec, server = case
    server.script("A tiny square.")
    wrapper = OpenAIWrapper(config_list=spec.configs(server), cache_seed=None)
    response = wrapper.create(messages=[image_message()])
    assert wrapper.extract_text_or_completion_object(response) == ["A tiny square."]
    assert spec.image(server.bodies(spec.path)[0]) == spec.image_block


def test_fallback_to_openai(case: tuple[Case, Any], llm_server: Any) -> None:
    spec, server = case
    server.fail(spec.overloaded, "The model is overloaded.")
    llm_server.script("from openai")
    config_list = spec.configs(server, **spec.no_retries) + llm_server.config_list()
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    response = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert response.choices[0].message.content == "from openai" and response.config_id == 1
    assert len(server.bodies(spec.path)) == 1


def test_cache(case: tuple[Case, Any]) -> None:
    spec, server = case
    server.script("cached answer")
    wrapper = OpenAIWrapper(config_list=spec.configs(server), cache_seed=17)
    answers = [wrapper.create(messages=[{"role": "user", "content": "hi"}]) for _ in range(2)]
    assert [a.choices[0].message.content for a in answers] == ["cached answer"] * 2
    assert len(server.bodies(spec.path)) == 1
    usage = [wrapper.actual_usage_summary, wrapper.total_usage_summary]
    assert usage[1]["total_cost"] == pytest.approx(2 * usage[0]["total_cost"])  # the hit counts in the total only


def test_async_tool_chat(case: tuple[Case, Any]) -> None:
    spec, server = case
    server.script({"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 40}}]}, "42. TERMINATE")
    result = run_tool_chat(spec.configs(server), is_async=True)
    assert result.chat_history[2]["content"] == "42"
    assert result.chat_history[-1]["content"] == "42. TERMINATE"
    assert len(server.bodies(spec.path)) == 2


def test_unreachable_endpoint_falls_back(case: tuple[Case, Any], llm_server: Any) -> None:
    """A refused connection is a provider failure too (google-genai lets its transport's error through)."""
    spec, server = case
    llm_server.script("from openai", "from openai, async")
    dead = spec.configs(server, base_url="http://127.0.0.1:9", **spec.no_retries)
    wrapper = OpenAIWrapper(config_list=dead + llm_server.config_list(), cache_seed=None)
    messages = [{"role": "user", "content": "hi"}]
    assert wrapper.create(messages=messages).config_id == 1
    response = asyncio.run(wrapper.a_create(messages=messages))
    assert response.choices[0].message.content == "from openai, async" and response.config_id == 1

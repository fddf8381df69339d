"""OpenAIWrapper used directly, as 0.2-era scripts do, measured side by side with classic 0.2.35
(scripts/classic_diff scenarios wrapper_create, wrapper_config, wrapper_usage): through the real openai SDK
against the local server."""

from __future__ import annotations

from typing import Any

import pytest

import autogen
from autogen import OpenAIWrapper
from autogen.oai.errors import ConfigError

USER = [{"role": "user", "content": "Hi"}]


def test_model_given_to_create_for_configs_without_one(llm_server: Any) -> None:
    # classic's own test and docs: OpenAIWrapper(config_list=config_list_openai_aoai()).create(..., model=...)
    # (those configs carry no model); classic sent the create() model with each config's endpoint and key
    config_list = [{"api_key": "test", "base_url": llm_server.base_url, "tags": ["t"]}]
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    response = wrapper.create(messages=USER, model="gpt-4")
    assert wrapper.extract_text_or_completion_object(response) == ["echo: Hi"]
    (body,) = llm_server.chat_requests()
    assert body["model"] == "gpt-4" and body["messages"] == USER and "tags" not in body


def test_config_without_a_model_fails_at_create_when_none_is_given(llm_server: Any) -> None:
    wrapper = OpenAIWrapper(config_list=[{"api_key": "test", "base_url": llm_server.base_url}], cache_seed=None)
    with pytest.raises(ConfigError, match="has no 'model': give it in the llm_config / config entry or to create"):
        wrapper.create(messages=USER)
    assert llm_server.chat_requests() == []


def test_agent_with_model_in_llm_config_next_to_the_list(llm_server: Any) -> None:
    # the agent form of the same configs: "model" once next to config_list, as classic allowed
    config = {"config_list": [{"api_key": "test", "base_url": llm_server.base_url}], "model": "gpt-4"}
    assistant = autogen.AssistantAgent("a", llm_config={**config, "cache_seed": None})
    reply = assistant.generate_reply(messages=[{"role": "user", "content": "ping"}])
    assert reply == "echo: ping"
    assert llm_server.chat_requests()[0]["model"] == "gpt-4"

"""A cache filled by classic 0.2 (``.cache/<seed>``, keyed by the request's JSON with sorted keys, holding the SDK's
``ChatCompletion``) still answers: upgrading does not turn a reproducible, paid-for run into new API calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import diskcache
from openai.types.chat import ChatCompletion

import autogen


def _classic_entry(folder: Path, request: dict[str, Any], content: str) -> None:
    """Store ``content`` as classic did: the completion object under json.dumps(request, sort_keys=True)."""
    completion = ChatCompletion.model_validate(
        {
            "id": "chatcmpl-classic", "object": "chat.completion", "created": 1700000000, "model": "gpt-4",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }
    )  # fmt: skip
    with diskcache.Cache(str(folder)) as cache:
        cache.set(json.dumps(request, sort_keys=True), completion)


def test_a_wrapper_answers_from_a_cache_classic_filled(llm_server: Any, tmp_path: Path) -> None:
    messages = [{"role": "user", "content": "What is 2+2?"}]
    _classic_entry(tmp_path / ".cache" / "42", {"messages": messages, "model": "gpt-4"}, "4, from the classic cache")
    llm_server.script("a fresh answer")
    wrapper = autogen.OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=42)
    response = wrapper.create(messages=messages)
    assert wrapper.extract_text_or_completion_object(response) == ["4, from the classic cache"]
    assert llm_server.chat_requests() == []
    again = autogen.OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=42).create(messages=messages)
    assert again.choices[0].message.content == "4, from the classic cache" and llm_server.chat_requests() == []


def test_an_agent_chat_answers_from_a_cache_classic_filled(llm_server: Any, tmp_path: Path) -> None:
    request = {
        "messages": [
            {"content": "You are terse.", "role": "system"},
            {"content": "Say bye", "name": "user", "role": "user"},
        ],
        "model": "gpt-4",
    }
    _classic_entry(tmp_path / ".cache" / "44", request, "Bye, from the classic cache")
    llm_server.script("a fresh answer")
    assistant = autogen.AssistantAgent(
        "assistant", system_message="You are terse.", llm_config={"config_list": llm_server.config_list()}
    )
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0
    )
    with autogen.Cache.disk(cache_seed=44) as cache:
        result = user.initiate_chat(assistant, message="Say bye", silent=True, cache=cache)
    assert result.chat_history[-1]["content"] == "Bye, from the classic cache"
    assert llm_server.chat_requests() == []


def test_only_a_cache_classic_wrote_to_is_searched_for_classic_keys(llm_server: Any, tmp_path: Path) -> None:
    llm_server.script("fresh")
    messages = [{"role": "user", "content": "hello"}]
    autogen.OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=7).create(messages=messages)
    with autogen.Cache.disk(cache_seed=7) as ours:
        assert not ours.holds_classic_keys()  # our keys are digests: long histories are never JSON-encoded twice
    _classic_entry(tmp_path / ".cache" / "8", {"messages": messages, "model": "gpt-4"}, "old")
    with autogen.Cache.disk(cache_seed=8) as theirs:
        assert theirs.holds_classic_keys()
    assert not autogen.Cache.in_memory().holds_classic_keys()

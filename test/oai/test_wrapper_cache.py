"""Caching of completions: a hit makes no API call and counts in the total but not the actual usage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai
import pytest
from helpers import ScriptedIO

from autogen.cache import Cache
from autogen.io.base import IOStream
from autogen.oai.client import OpenAIWrapper
from autogen.oai.completion_flow import get_key

USER = [{"role": "user", "content": "cache me"}]


def test_default_cache_seed_uses_disk_cache(llm_server: Any, tmp_path: Path) -> None:
    llm_server.script({"content": "first answer", "usage": {"prompt_tokens": 100, "completion_tokens": 50}})
    wrapper = OpenAIWrapper(config_list=llm_server.config_list())  # cache_seed defaults to 41
    first = wrapper.create(messages=USER)
    second = wrapper.create(messages=USER)
    assert len(llm_server.chat_requests()) == 1
    assert second.choices[0].message.content == "first answer"
    assert second.cost == first.cost
    assert wrapper.extract_text_or_completion_object(second) == ["first answer"]
    assert (tmp_path / ".cache" / "41").is_dir()
    # another wrapper (another agent) in the same directory hits the same cache
    third = OpenAIWrapper(config_list=llm_server.config_list()).create(messages=USER)
    assert third.choices[0].message.content == "first answer" and len(llm_server.chat_requests()) == 1

    assert wrapper.actual_usage_summary is not None and wrapper.total_usage_summary is not None
    assert wrapper.actual_usage_summary["gpt-4"]["prompt_tokens"] == 100
    assert wrapper.total_usage_summary["gpt-4"]["prompt_tokens"] == 200
    assert wrapper.total_usage_summary["total_cost"] == pytest.approx(2 * wrapper.actual_usage_summary["total_cost"])
    io = ScriptedIO()
    with IOStream.set_default(io):
        wrapper.print_usage_summary()
    assert "Usage summary excluding cached usage" in io.output
    assert "Usage summary including cached usage" in io.output


def test_only_cache_hits_report_no_actual_cost(llm_server: Any) -> None:
    OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=5).create(messages=USER)
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=5)
    wrapper.create(messages=USER)
    assert wrapper.actual_usage_summary is None and wrapper.total_usage_summary is not None
    io = ScriptedIO()
    with IOStream.set_default(io):
        wrapper.print_usage_summary()
    assert "No actual cost incurred" in io.output


def test_cache_seed_none_disables_caching(llm_server: Any, tmp_path: Path) -> None:
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    wrapper.create(messages=USER)
    wrapper.create(messages=USER)
    assert len(llm_server.chat_requests()) == 2
    assert not (tmp_path / ".cache").exists()


def test_cache_seeds_are_separate(llm_server: Any) -> None:
    for seed in (1, 2, 1):
        OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=seed).create(messages=USER)
    assert len(llm_server.chat_requests()) == 2


def test_key_covers_what_changes_the_answer(llm_server: Any) -> None:
    wrapper = OpenAIWrapper(config_list=llm_server.config_list())
    wrapper.create(messages=USER)
    wrapper.create(messages=USER, temperature=0.5)
    wrapper.create(messages=USER, tools=[{"type": "function", "function": {"name": "f"}}])
    wrapper.create(messages=USER, response_format={"type": "json_object"})
    wrapper.create(messages=USER + [{"role": "user", "content": "more"}])
    OpenAIWrapper(config_list=llm_server.config_list(model="gpt-4o")).create(messages=USER)
    assert len(llm_server.chat_requests()) == 6
    # ... but not what does not: streaming, timeouts, credentials
    with IOStream.set_default(ScriptedIO()):
        wrapper.create(messages=USER, stream=True)
    OpenAIWrapper(config_list=llm_server.config_list(api_key="another", timeout=9)).create(messages=USER)
    assert len(llm_server.chat_requests()) == 6
    base = {"model": "gpt-4", "messages": USER}
    assert get_key(base) == get_key({**base, "stream": True, "api_key": "x"})
    assert get_key(base) == get_key(dict(reversed(list(base.items()))))  # canonical: key order does not matter
    assert get_key(base) != get_key({**base, "temperature": 0})
    assert len(get_key(base)) == 64


def test_in_memory_cache_param(llm_server: Any) -> None:
    cache = Cache.in_memory(cache_seed=9)
    wrapper = OpenAIWrapper(config_list=llm_server.config_list())
    wrapper.create(messages=USER, cache=cache)
    response = wrapper.create(messages=USER, cache=cache)
    assert len(llm_server.chat_requests()) == 1
    assert response.choices[0].message.content == "echo: cache me"


def test_explicit_cache_wins_over_cache_seed(llm_server: Any, tmp_path: Path) -> None:
    with Cache.disk(cache_seed="mine", cache_path_root=str(tmp_path / "custom")) as cache:
        wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
        wrapper.create(messages=USER, cache=cache)
        wrapper.create(messages=USER, cache=cache)
    assert len(llm_server.chat_requests()) == 1
    assert (tmp_path / "custom" / "mine").is_dir()
    assert not (tmp_path / ".cache").exists()


async def test_async_uses_the_same_cache(llm_server: Any) -> None:
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=3)
    first = wrapper.create(messages=USER)
    second = await wrapper.a_create(messages=USER)
    assert second.choices[0].message.content == first.choices[0].message.content
    assert len(llm_server.chat_requests()) == 1


def test_failed_calls_are_not_cached(llm_server: Any) -> None:
    llm_server.script({"status": 400, "content": "bad request"}, "ok now")
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(max_retries=0))
    with pytest.raises(openai.BadRequestError, match="bad request"):
        wrapper.create(messages=USER)
    assert wrapper.create(messages=USER).choices[0].message.content == "ok now"

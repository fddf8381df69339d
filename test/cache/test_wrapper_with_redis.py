"""OpenAIWrapper caching into a real Redis: two wrappers (two processes' worth) share answers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from autogen.cache import Cache
from autogen.oai.client import OpenAIWrapper


@pytest.mark.redis
def test_wrapper_with_redis_cache(llm_server: Any, redis_url: str) -> None:
    seed = uuid.uuid4().hex
    messages = [{"role": "user", "content": "shared"}]
    with Cache.redis(cache_seed=seed, redis_url=redis_url) as cache:
        first = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None).create(
            messages=messages, cache=cache
        )
    with Cache.redis(cache_seed=seed, redis_url=redis_url) as cache:
        wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
        second = wrapper.create(messages=messages, cache=cache)
    assert len(llm_server.chat_requests()) == 1
    assert second.choices[0].message.content == first.choices[0].message.content == "echo: shared"
    assert second.cost == first.cost
    assert wrapper.actual_usage_summary is None and wrapper.total_usage_summary is not None

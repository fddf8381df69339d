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


@pytest.mark.redis
def test_a_redis_cache_classic_filled_still_answers(llm_server: Any, redis_url: str) -> None:
    import json
    import pickle

    import redis
    from openai.types.chat import ChatCompletion

    seed = uuid.uuid4().hex
    messages = [{"role": "user", "content": "from classic"}]
    completion = ChatCompletion.model_validate(
        {
            "id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "old"}}],
        }
    )  # fmt: skip
    client = redis.Redis.from_url(redis_url)
    try:  # what classic wrote: the pickled completion under autogen:<seed>:<the request as sorted JSON>
        key = json.dumps({"messages": messages, "model": "gpt-4"}, sort_keys=True)
        client.set(f"autogen:{seed}:{key}", pickle.dumps(completion))
        with Cache.redis(cache_seed=seed, redis_url=redis_url) as cache:
            assert cache.holds_classic_keys()
            response = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None).create(
                messages=messages, cache=cache
            )
        assert response.choices[0].message.content == "old" and llm_server.chat_requests() == []
        with Cache.redis(cache_seed=uuid.uuid4().hex, redis_url=redis_url) as cache:
            assert not cache.holds_classic_keys()  # a seed classic never wrote: no classic key is built
    finally:
        client.close()

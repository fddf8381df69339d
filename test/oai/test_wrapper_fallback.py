"""Config-list fallback through the real SDK: HTTP errors, rate limits, timeouts, dead endpoints."""

from __future__ import annotations

import socket
import time
from typing import Any

import openai
import pytest

from autogen.oai.client import OpenAIWrapper

USER = [{"role": "user", "content": "Hello"}]


def two_configs(server: Any, **last: Any) -> list[dict[str, Any]]:
    return server.config_list(model="gpt-4") + server.config_list(model="gpt-3.5-turbo", **last)


@pytest.mark.parametrize("status", [500, 429, 503, 401])
def test_falls_back_on_http_errors(llm_server: Any, status: int) -> None:
    llm_server.script({"status": status}, "from the second")
    wrapper = OpenAIWrapper(config_list=two_configs(llm_server), cache_seed=None)
    started = time.monotonic()
    response = wrapper.create(messages=USER)
    assert response.choices[0].message.content == "from the second"
    assert response.config_id == 1
    assert [b["model"] for b in llm_server.chat_requests()] == ["gpt-4", "gpt-3.5-turbo"]  # no retry of config 0
    assert time.monotonic() - started < 1.0  # moving on is immediate


def test_falls_back_on_timeout(llm_server: Any) -> None:
    llm_server.script({"delay": 2.0, "content": "too late"}, "on time")
    config_list = llm_server.config_list(timeout=0.3) + llm_server.config_list(model="gpt-3.5-turbo")
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    started = time.monotonic()
    response = wrapper.create(messages=USER)
    assert response.choices[0].message.content == "on time"
    assert response.config_id == 1
    assert time.monotonic() - started < 1.5


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_falls_back_when_endpoint_is_down(llm_server: Any) -> None:
    dead = {"model": "gpt-4", "base_url": f"http://127.0.0.1:{_closed_port()}/v1", "api_key": "x"}
    wrapper = OpenAIWrapper(config_list=[dead] + llm_server.config_list(), cache_seed=None)
    assert wrapper.create(messages=USER).config_id == 1


def test_all_failing_names_each_endpoint(llm_server: Any) -> None:
    llm_server.script({"status": 500, "content": "boom"}, {"status": 429, "content": "slow down"})
    wrapper = OpenAIWrapper(config_list=two_configs(llm_server, max_retries=0), cache_seed=None)
    with pytest.raises(openai.RateLimitError) as info:  # the last error's type is kept
        wrapper.create(messages=USER)
    message = str(info.value)
    assert "All 2 configs of the config list failed" in message
    assert "config 0 (model 'gpt-4'" in message and "InternalServerError" in message and "boom" in message
    assert "config 1 (model 'gpt-3.5-turbo'" in message and "RateLimitError" in message and "slow down" in message
    assert llm_server.base_url in message


def test_all_timing_out_raises_timeout_error(llm_server: Any) -> None:
    llm_server.script({"delay": 1.0}, {"delay": 1.0})
    config_list = llm_server.config_list(timeout=0.2) + llm_server.config_list(timeout=0.2, max_retries=0)
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    with pytest.raises(TimeoutError, match="timeout") as info:
        wrapper.create(messages=USER)
    assert "config 0" in str(info.value) and "config 1" in str(info.value)
    assert isinstance(info.value.__cause__, openai.APITimeoutError)


def test_last_config_keeps_sdk_retries(llm_server: Any) -> None:
    """The only (last) config retries transient errors with the SDK's default back-off."""
    llm_server.script({"status": 500}, {"status": 503}, "third time lucky")
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    assert wrapper.create(messages=USER).choices[0].message.content == "third time lucky"
    assert len(llm_server.chat_requests()) == 3


def test_explicit_max_retries_is_respected(llm_server: Any) -> None:
    llm_server.script({"status": 500}, "retried")
    config_list = llm_server.config_list(max_retries=1) + llm_server.config_list(model="gpt-3.5-turbo")
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    response = wrapper.create(messages=USER)
    assert response.config_id == 0 and response.choices[0].message.content == "retried"


def test_client_errors_other_than_api_errors_propagate(llm_server: Any) -> None:
    """A bug in a filter is not an endpoint failure: it is raised, not swallowed by fallback."""

    def broken(context: Any, response: Any) -> bool:
        raise KeyError("oops")

    wrapper = OpenAIWrapper(config_list=two_configs(llm_server), cache_seed=None)
    with pytest.raises(KeyError, match="oops"):
        wrapper.create(messages=USER, filter_func=broken)
    assert len(llm_server.chat_requests()) == 1


async def test_async_fallback(llm_server: Any) -> None:
    llm_server.script({"status": 500}, "async second")
    wrapper = OpenAIWrapper(config_list=two_configs(llm_server), cache_seed=None)
    response = await wrapper.a_create(messages=USER)
    assert response.choices[0].message.content == "async second" and response.config_id == 1

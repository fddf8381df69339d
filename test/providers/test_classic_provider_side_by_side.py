"""What 0.2-era code sees from the provider clients, measured side by side with classic 0.2.35 (same calls, same
local servers): the exceptions it catches, the warnings it matches, the request on the wire. Each test goes through
``OpenAIWrapper`` and the provider's real SDK to its strict local server."""

from __future__ import annotations

import pickle
from typing import Any

import anthropic
import groq
import pytest
from anthropic_server import AnthropicServer
from chat_completions_server import GroqServer

from autogen import OpenAIWrapper
from autogen.oai.errors import ProviderAPIError

CLAUDE = "claude-3-5-sonnet-20240620"
USER = [{"role": "user", "content": "Hi"}]


def claude(server: AnthropicServer, **extra: Any) -> dict[str, Any]:
    return {"model": CLAUDE, "api_type": "anthropic", "api_key": "sk-ant-test", "base_url": server.url, **extra}


def llama(server: GroqServer, **extra: Any) -> dict[str, Any]:
    return {
        "model": "llama-3.3-70b-versatile",
        "api_type": "groq",
        "api_key": "gsk-test",
        "base_url": server.url,
        **extra,
    }


# ----- errors: classic let the SDK's exceptions through, so 0.2-era code catches those


def test_an_anthropic_error_is_the_sdks_own_exception(provider_servers: Any) -> None:
    server = provider_servers(AnthropicServer)
    server.fail(429, "slow down")
    wrapper = OpenAIWrapper(config_list=[claude(server, max_retries=0)], cache_seed=None)
    with pytest.raises(anthropic.RateLimitError) as caught:
        wrapper.create(messages=USER)
    err = caught.value
    assert isinstance(err, anthropic.APIStatusError) and isinstance(err, ProviderAPIError)
    assert err.status_code == 429 and err.provider == "Anthropic"
    assert err.body["error"]["type"] == "rate_limit_error"  # the SDK's attributes are there
    assert "slow down" in str(err) and str(err).startswith("The LLM call failed.")
    assert isinstance(err.__cause__, anthropic.RateLimitError)

    server.fail(400, "bad request")
    with pytest.raises(anthropic.BadRequestError):
        wrapper.create(messages=USER)


def test_a_groq_error_is_the_sdks_own_exception_and_the_next_config_still_answers(provider_servers: Any) -> None:
    server = provider_servers(GroqServer)
    server.fail(500, "boom")
    with pytest.raises(groq.InternalServerError) as caught:
        OpenAIWrapper(config_list=[llama(server, max_retries=0)], cache_seed=None).create(messages=USER)
    assert caught.value.status_code == 500 and isinstance(caught.value, ProviderAPIError)

    server.fail(429, "slow down")
    server.script("from the second config")
    wrapper = OpenAIWrapper(config_list=[llama(server, max_retries=0), llama(server)], cache_seed=None)
    assert wrapper.create(messages=USER).choices[0].message.content == "from the second config"
    assert len(server.requests) == 3


def test_the_sdk_typed_error_pickles_as_our_error(provider_servers: Any) -> None:
    server = provider_servers(AnthropicServer)
    server.fail(529, "overloaded")
    with pytest.raises(anthropic.APIStatusError) as caught:
        OpenAIWrapper(config_list=[claude(server, max_retries=0)], cache_seed=None).create(messages=USER)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is ProviderAPIError
    assert (copy.status_code, copy.provider, str(copy)) == (529, "Anthropic", str(caught.value))
    assert repr(caught.value).startswith("ProviderAPIError(")

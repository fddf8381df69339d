"""Classic ``OpenAIClient(client)``: an ``openai.OpenAI`` / ``AzureOpenAI`` instance given by the user is what sends
the requests (its base URL, headers, http_client), through the real SDK to the local server."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import httpx
import openai
import pytest
from helpers import ScriptedIO

from autogen.io.base import IOStream
from autogen.oai.client import OpenAIClient

USER = [{"role": "user", "content": "Hello"}]


class _CountingTransport(httpx.HTTPTransport):
    """An httpx transport that records the requests it carries (the user's own http_client)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.threads: list[threading.Thread] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        self.threads.append(threading.current_thread())
        return super().handle_request(request)


def _sdk(server: Any, **extra: Any) -> tuple[openai.OpenAI, _CountingTransport]:
    transport = _CountingTransport()
    client = openai.OpenAI(
        api_key="test",
        base_url=server.base_url,
        default_headers={"X-Custom": "mine"},
        http_client=httpx.Client(transport=transport),
        **extra,
    )
    return client, transport


def test_requests_go_through_the_given_client(llm_server: Any) -> None:
    sdk, transport = _sdk(llm_server)
    client = OpenAIClient(sdk)
    assert client.client is sdk and client._oai_client is sdk
    response = client.create({"model": "gpt-4", "messages": USER})
    assert client.message_retrieval(response) == ["echo: Hello"]
    assert transport.urls == [llm_server.base_url + "/chat/completions"]
    [request] = [r for r in llm_server.requests if r.path.endswith("/chat/completions")]
    assert {k.lower(): v for k, v in request.headers.items()}.get("x-custom") == "mine"  # HTTP names: any case
    assert request.body == {"model": "gpt-4", "messages": USER}
    usage = client.get_usage(response)
    assert usage["model"] == "gpt-4" and usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    expected = (usage["prompt_tokens"] * 0.03 + usage["completion_tokens"] * 0.06) / 1000
    assert client.cost(response) == pytest.approx(expected)


def test_tool_calls_and_streaming_through_the_given_client(llm_server: Any) -> None:
    sdk, transport = _sdk(llm_server)
    client = OpenAIClient(sdk)
    llm_server.script({"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 2}}]})
    [message] = client.message_retrieval(client.create({"model": "gpt-4", "messages": USER}))
    assert message.tool_calls[0].function.name == "add"

    llm_server.script("streamed answer")
    io = ScriptedIO()
    with IOStream.set_default(io):
        response = client.create({"model": "gpt-4", "messages": USER, "stream": True})
    assert client.message_retrieval(response) == ["streamed answer"]
    assert "streamed answer" in "".join(io.output)
    assert llm_server.chat_requests()[-1]["stream_options"] == {"include_usage": True}
    assert len(transport.urls) == 2


def test_a_create_sends_the_given_sync_client_requests_off_the_loop(llm_server: Any) -> None:
    sdk, transport = _sdk(llm_server)
    client = OpenAIClient(sdk)

    async def main() -> list[Any]:
        return await asyncio.gather(
            *(client.a_create({"model": "gpt-4", "messages": [{"role": "user", "content": f"q{i}"}]}) for i in range(3))
        )

    responses = asyncio.run(main())
    assert sorted(client.message_retrieval(r)[0] for r in responses) == ["echo: q0", "echo: q1", "echo: q2"]
    assert len(transport.urls) == 3
    assert threading.main_thread() not in transport.threads  # the event loop's thread never waited on the network


def test_a_create_streams_through_the_given_client(llm_server: Any) -> None:
    sdk, transport = _sdk(llm_server)
    client = OpenAIClient(sdk)
    llm_server.script("streamed in a worker")
    io = ScriptedIO()

    async def main() -> Any:
        with IOStream.set_default(io):  # the worker thread prints to the caller's stream
            return await client.a_create({"model": "gpt-4", "messages": USER, "stream": True})

    response = asyncio.run(main())
    assert client.message_retrieval(response) == ["streamed in a worker"]
    assert "streamed in a worker" in "".join(io.output)
    assert transport.urls == [llm_server.base_url + "/chat/completions"]
    assert transport.threads[0] is not threading.main_thread()


def test_given_client_settings_apply(llm_server: Any) -> None:
    """The SDK client's own max_retries is used: a 500 is retried by it."""
    sdk, transport = _sdk(llm_server, max_retries=1)
    llm_server.script({"status": 500}, "second try")
    response = OpenAIClient(sdk).create({"model": "gpt-4", "messages": USER})
    assert response.choices[0].message.content == "second try"
    assert len(transport.urls) == 2

    sdk0, _ = _sdk(llm_server, max_retries=0)
    llm_server.script({"status": 500})
    with pytest.raises(openai.InternalServerError):
        OpenAIClient(sdk0).create({"model": "gpt-4", "messages": USER})


def test_azure_client(llm_server: Any) -> None:
    sdk = openai.AzureOpenAI(api_key="k", api_version="2024-02-01", azure_endpoint=llm_server.url)
    client = OpenAIClient(sdk)
    assert client.stream_usage is False  # this api-version has no usage chunk in streams
    response = client.create({"model": "gpt-4", "messages": USER})
    assert client.message_retrieval(response) == ["echo: Hello"]
    [request] = [r for r in llm_server.requests if r.path.endswith("/chat/completions")]
    assert request.path == "/openai/deployments/gpt-4/chat/completions"
    assert request.query == {"api-version": ["2024-02-01"]}
    assert {k.lower(): v for k, v in request.headers.items()}.get("api-key") == "k"


def test_bad_first_argument_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match="openai.OpenAI or openai.AzureOpenAI client, got dict"):
        OpenAIClient({"model": "gpt-4"})
    with pytest.raises(TypeError, match="synchronous"):
        OpenAIClient(openai.AsyncOpenAI(api_key="x", base_url="http://127.0.0.1:9/v1"))
    with pytest.raises(TypeError, match="got NoneType"):
        OpenAIClient(None)


def test_non_openai_key_for_openai_hosted_client_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="autogen.oai.openai_client"):
        OpenAIClient(openai.OpenAI(api_key="not-a-key"))
    assert "not a valid OpenAI format" in caplog.text

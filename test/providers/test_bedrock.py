"""BedrockClient through real boto3 (SigV4-signed Converse calls) against a strict local Converse server."""

from __future__ import annotations

import asyncio
import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest
from bedrock_server import BedrockServer, check_converse_request
from protocol_server import ProtocolError
from provider_scenarios import PNG_B64, run_chat, run_tool_chat

from autogen import OpenAIWrapper
from autogen.exception_utils import ConfigError
from autogen.oai.bedrock import BedrockClient
from autogen.oai.errors import ProviderAPIError

SERVER_CLASS = BedrockServer
MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"


@pytest.fixture(autouse=True)
def _no_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Credentials come from each test's config or environment, never from the machine's."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def configs(server: BedrockServer, **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "model": MODEL,
            "api_type": "bedrock",
            "aws_region": "eu-central-1",
            "aws_access_key": "AKIDCONFIG",
            "aws_secret_key": "secret",
            "base_url": server.url,
            **extra,
        }
    ]


def test_the_server_is_as_strict_as_converse() -> None:
    user = {"role": "user", "content": [{"text": "hi"}]}
    use = {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "add", "input": {}}}]}
    result = {"role": "user", "content": [{"toolResult": {"toolUseId": "t2", "content": [{"text": "4"}]}}]}
    tools = {"tools": [{"toolSpec": {"name": "add", "inputSchema": {"json": {"type": "object"}}}}]}
    cases = {
        "alternate": {"messages": [user, user]},
        "start with a user message": {"messages": [{"role": "assistant", "content": [{"text": "a"}]}, user]},
        "toolConfig field must be defined": {
            "messages": [user, use, {**result, "content": [{"toolResult": {"toolUseId": "t1", "content": []}}]}]
        },
        "number of toolResult blocks": {"messages": [user, use, result], "toolConfig": tools},
        "blank": {"messages": [{"role": "user", "content": [{"text": " "}]}]},
        "Unknown parameter": {"messages": [user], "temperature": 1},
    }
    for expected, body in cases.items():
        with pytest.raises(ProtocolError, match=expected):
            check_converse_request(body)
    check_converse_request({"messages": [user]})


def test_two_agent_chat(provider_server: BedrockServer) -> None:
    provider_server.script("Hello! How can I help?", "Still here.")
    result = run_chat(configs(provider_server, temperature=0.3, top_k=5, max_tokens=200))
    assert [m["content"] for m in result.chat_history] == ["Hi there", "Hello! How can I help?", "", "Still here."]
    first, second = provider_server.bodies("/converse")
    assert provider_server.requests[0].path == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
    assert provider_server.signature(provider_server.requests[0]) == ("AKIDCONFIG", "eu-central-1")
    assert first["system"] == [{"text": "You are a helpful assistant."}]
    assert first["messages"] == [{"role": "user", "content": [{"text": "Hi there"}]}]
    assert first["inferenceConfig"] == {"temperature": 0.3, "maxTokens": 200}
    assert first["additionalModelRequestFields"] == {"top_k": 5}
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    assert result.cost["usage_including_cached_inference"]["total_cost"] > 0


def test_tool_round_trip(provider_server: BedrockServer) -> None:
    provider_server.script(
        {"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 40}, "id": "tooluse_abc"}]}, "It is 42. TERMINATE"
    )
    result = run_tool_chat(configs(provider_server))
    assert result.chat_history[1]["tool_calls"][0]["id"] == "tooluse_abc"
    assert result.chat_history[2]["content"] == "42"
    assert result.chat_history[-1]["content"] == "It is 42. TERMINATE"
    first, second = provider_server.bodies("/converse")
    spec = first["toolConfig"]["tools"][0]["toolSpec"]
    assert spec["name"] == "add" and spec["inputSchema"]["json"]["required"] == ["a", "b"]
    assert second["messages"][1:] == [
        {
            "role": "assistant",
            "content": [{"toolUse": {"toolUseId": "tooluse_abc", "name": "add", "input": {"a": 2, "b": 40}}}],
        },
        {
            "role": "user",
            "content": [{"toolResult": {"toolUseId": "tooluse_abc", "content": [{"text": "42"}], "status": "success"}}],
        },
    ]


def test_usage_and_cost(provider_server: BedrockServer) -> None:
    provider_server.script({"content": "ok", "prompt_tokens": 1000, "completion_tokens": 1000})
    model = "us.meta.llama3-1-70b-instruct-v1:0"  # a cross-region inference profile
    wrapper = OpenAIWrapper(config_list=configs(provider_server, model=model), cache_seed=None)
    response = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert BedrockClient.get_usage(response) == {
        "prompt_tokens": 1000,
        "completion_tokens": 1000,
        "total_tokens": 2000,
        "cost": pytest.approx(0.00144),
        "model": model,
    }


def test_system_prompt_for_models_without_one(provider_server: BedrockServer) -> None:
    wrapper = OpenAIWrapper(config_list=configs(provider_server, supports_system_prompts=False), cache_seed=None)
    wrapper.create(messages=[{"role": "system", "content": "Be terse."}, {"role": "user", "content": "hi"}])
    (body,) = provider_server.bodies("/converse")
    assert "system" not in body
    assert body["messages"] == [{"role": "user", "content": [{"text": "Be terse."}, {"text": "hi"}]}]


def test_errors_are_clear(provider_server: BedrockServer) -> None:
    provider_server.fail(400, "The provided model identifier is invalid.")
    wrapper = OpenAIWrapper(config_list=configs(provider_server), cache_seed=None)
    with pytest.raises(
        ProviderAPIError, match=r"in eu-central-1 failed \(HTTP 400\): ValidationException: The provided"
    ) as info:
        wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 400 and info.value.provider == "Amazon Bedrock"
    with pytest.raises(ConfigError, match="aws_region"):
        OpenAIWrapper(config_list=[{"model": MODEL, "api_type": "bedrock"}])


def test_credentials_and_region_from_the_environment(
    provider_server: BedrockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    provider_server.script("via env")
    config = {"model": MODEL, "api_type": "bedrock", "base_url": provider_server.url}
    response = OpenAIWrapper(config_list=[config], cache_seed=None).create(messages=[{"role": "user", "content": "a"}])
    assert response.choices[0].message.content == "via env"
    assert provider_server.signature(provider_server.requests[0]) == ("AKIDENV", "ap-southeast-2")


@pytest.fixture
def image_url() -> Iterator[str]:
    """A PNG served over HTTP on 127.0.0.1."""
    png = base64.b64decode(PNG_B64)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/picture"
    httpd.shutdown()
    httpd.server_close()


def test_image_by_url_is_downloaded(provider_server: BedrockServer, image_url: str) -> None:
    """Converse takes image bytes only: a linked image is fetched (off the event loop in a_create)."""
    wrapper = OpenAIWrapper(config_list=configs(provider_server), cache_seed=None)
    content = [{"type": "text", "text": "What is it?"}, {"type": "image_url", "image_url": {"url": image_url}}]
    asyncio.run(wrapper.a_create(messages=[{"role": "user", "content": content}]))
    (message,) = provider_server.bodies("/converse")[0]["messages"]
    assert message["content"][1] == {"image": {"format": "png", "source": {"bytes": PNG_B64}}}

"""GeminiClient through the real ``google-genai`` SDK against a strict local ``generateContent`` server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gemini_server import GeminiServer
from provider_scenarios import run_chat, run_tool_chat

from autogen import OpenAIWrapper
from autogen.exception_utils import ConfigError
from autogen.oai.errors import ProviderAPIError
from autogen.oai.gemini import GeminiClient

SERVER_CLASS = GeminiServer
MODEL = "gemini-1.5-flash"
PATH = f"/v1beta/models/{MODEL}:generateContent"


def configs(server: GeminiServer, **extra: Any) -> list[dict[str, Any]]:
    return [{"model": MODEL, "api_type": "google", "api_key": "AIza-test", "base_url": server.url, **extra}]


def test_the_server_is_as_strict_as_the_gemini_api(provider_server: GeminiServer) -> None:
    def post(body: dict[str, Any]) -> httpx.Response:
        return httpx.post(provider_server.url + PATH, json=body, headers={"x-goog-api-key": "k"})

    user = {"role": "user", "parts": [{"text": "hi"}]}
    call = {"role": "model", "parts": [{"functionCall": {"name": "add", "args": {}}}]}
    cases = {
        "valid role": {"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]},
        "must not be empty": {"contents": [{"role": "user", "parts": []}]},
        "number of function response parts": {
            "contents": [
                user,
                call,
                {"role": "user", "parts": [{"functionResponse": {"name": "other", "response": {}}}]},
            ]
        },
        "comes immediately after a user turn": {"contents": [user, {"role": "model", "parts": [{"text": "a"}]}, call]},
        "Unknown name": {"contents": [user], "temperature": 1},
        "threshold": {
            "contents": [user],
            "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "LOW"}],
        },
    }
    for expected, body in cases.items():
        response = post(body)
        assert response.status_code == 400 and expected in response.json()["error"]["message"], expected
    assert post({"contents": [user]}).status_code == 200
    assert httpx.post(provider_server.url + PATH, json={"contents": [user]}).status_code == 403  # no API key


def test_two_agent_chat(provider_server: GeminiServer) -> None:
    provider_server.script("Hello! How can I help?", "Still here.")
    result = run_chat(configs(provider_server, temperature=0.3, top_k=5, max_tokens=200))
    assert [m["content"] for m in result.chat_history] == ["Hi there", "Hello! How can I help?", "", "Still here."]
    first, second = provider_server.bodies(":generateContent")
    assert provider_server.requests[0].path == PATH
    assert first["systemInstruction"]["parts"] == [{"text": "You are a helpful assistant."}]
    assert first["contents"] == [{"role": "user", "parts": [{"text": "Hi there"}]}]
    assert first["generationConfig"] == {"temperature": 0.3, "topK": 5, "maxOutputTokens": 200}
    assert [c["role"] for c in second["contents"]] == ["user", "model", "user"]
    assert result.cost["usage_including_cached_inference"]["total_cost"] > 0


def test_tool_round_trip(provider_server: GeminiServer) -> None:
    provider_server.script({"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 40}}]}, "It is 42. TERMINATE")
    result = run_tool_chat(configs(provider_server))
    assert result.chat_history[1]["tool_calls"][0]["function"]["name"] == "add"
    assert result.chat_history[2]["content"] == "42"
    assert result.chat_history[-1]["content"] == "It is 42. TERMINATE"
    first, second = provider_server.bodies(":generateContent")
    (declaration,) = first["tools"][0]["functionDeclarations"]
    assert declaration["name"] == "add" and declaration["parametersJsonSchema"]["required"] == ["a", "b"]
    assert second["contents"][1:] == [
        {"role": "model", "parts": [{"functionCall": {"name": "add", "args": {"a": 2, "b": 40}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "add", "response": {"result": "42"}}}]},
    ]


def test_safety_settings_and_tool_choice(provider_server: GeminiServer) -> None:
    safety = [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold": "BLOCK_ONLY_HIGH"}]
    tools = [{"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}}]
    wrapper = OpenAIWrapper(config_list=configs(provider_server, safety_settings=safety), cache_seed=None)
    wrapper.create(messages=[{"role": "user", "content": "hi"}], tools=tools, tool_choice="required")
    (body,) = provider_server.bodies(":generateContent")
    assert body["safetySettings"] == safety
    assert body["toolConfig"]["functionCallingConfig"] == {"mode": "ANY"}


def test_usage_and_cost(provider_server: GeminiServer) -> None:
    provider_server.script({"content": "ok", "prompt_tokens": 2000, "completion_tokens": 1000})
    wrapper = OpenAIWrapper(config_list=configs(provider_server, model="gemini-1.5-pro-002"), cache_seed=None)
    response = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert GeminiClient.get_usage(response) == {
        "prompt_tokens": 2000,
        "completion_tokens": 1000,
        "total_tokens": 3000,
        "cost": pytest.approx(2 * 0.00125 + 0.005),
        "model": "gemini-1.5-pro-002",
    }
    assert wrapper.total_usage_summary["gemini-1.5-pro-002"]["total_tokens"] == 3000


def test_errors_are_clear(provider_server: GeminiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    provider_server.fail(400, "API key not valid. Please pass a valid API key.")
    wrapper = OpenAIWrapper(config_list=configs(provider_server), cache_seed=None)
    with pytest.raises(ProviderAPIError, match=r"HTTP 400.*INVALID_ARGUMENT: API key not valid") as info:
        wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 400 and info.value.provider == "Google Gemini"
    for name in ("GOOGLE_GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="GOOGLE_GEMINI_API_KEY.*project_id"):
        OpenAIWrapper(config_list=[{"model": MODEL, "api_type": "google"}])


def test_sdk_environment_variables(provider_server: GeminiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", provider_server.url)
    monkeypatch.setenv("GOOGLE_API_KEY", "AIza-env")
    monkeypatch.delenv("GOOGLE_GEMINI_API_KEY", raising=False)
    provider_server.script("via env")
    wrapper = OpenAIWrapper(config_list=[{"model": MODEL, "api_type": "google"}], cache_seed=None)
    assert wrapper.create(messages=[{"role": "user", "content": "a"}]).choices[0].message.content == "via env"
    assert provider_server.requests[0].headers["x-goog-api-key"] == "AIza-env"


def test_vertex_ai(provider_server: GeminiServer) -> None:
    from google.oauth2.credentials import Credentials

    provider_server.script("from Vertex")
    config = {
        "model": "gemini-1.5-pro",
        "api_type": "google",
        "project_id": "my-project",
        "location": "europe-west4",
        "credentials": Credentials(token="ya29.test-token"),
        "base_url": provider_server.url,
    }
    response = OpenAIWrapper(config_list=[config], cache_seed=None).create(messages=[{"role": "user", "content": "a"}])
    assert response.choices[0].message.content == "from Vertex"
    (request,) = provider_server.requests
    assert request.path == (
        "/v1beta1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-1.5-pro:generateContent"
    )
    assert request.headers["authorization"] == "Bearer ya29.test-token"


def test_vertex_ai_without_credentials_is_a_clear_error(
    provider_server: GeminiServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))  # no gcloud login either
    monkeypatch.setenv("NO_GCE_CHECK", "True")  # and no metadata server to ask
    config = {"model": "gemini-1.5-pro", "api_type": "google", "project_id": "p", "base_url": provider_server.url}
    wrapper = OpenAIWrapper(config_list=[config], cache_seed=None)
    with pytest.raises(ProviderAPIError, match="no usable Google credentials.*google_application_credentials"):
        wrapper.create(messages=[{"role": "user", "content": "a"}])
    assert not provider_server.requests

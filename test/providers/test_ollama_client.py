"""OllamaClient through the real ``ollama`` SDK against a local Ollama /api/chat server."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from typing import Any

import pytest
from ollama_server import OllamaServer
from protocol_server import ProtocolServer, Recorded, Response
from provider_scenarios import PNG_B64, image_message, run_chat, run_tool_chat

from autogen import OpenAIWrapper
from autogen.oai.errors import ProviderAPIError
from autogen.oai.ollama import OllamaClient, parse_manual_tool_calls

SERVER_CLASS = OllamaServer


def configs(server: OllamaServer, model: str = "llama3.1", **extra: Any) -> list[dict[str, Any]]:
    return [{"model": model, "api_type": "ollama", "client_host": server.url, **extra}]


def test_two_agent_chat(provider_server: OllamaServer) -> None:
    provider_server.script("Hello! How can I help?", "Still here.")
    result = run_chat(configs(provider_server, temperature=0.2, seed=7, max_tokens=50))
    assert [m["content"] for m in result.chat_history] == ["Hi there", "Hello! How can I help?", "", "Still here."]
    first, second = provider_server.bodies("/api/chat")
    assert first["model"] == "llama3.1" and first["stream"] is False
    assert first["messages"] == [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hi there"},
    ]
    assert first["options"] == {"temperature": 0.2, "seed": 7, "num_predict": 50}
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "user"]


def test_native_tool_round_trip(provider_server: OllamaServer) -> None:
    provider_server.script({"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 40}}]}, "It is 42. TERMINATE")
    result = run_tool_chat(configs(provider_server))
    tool_message = result.chat_history[2]
    assert tool_message["role"] == "tool" and tool_message["content"] == "42"
    assert result.chat_history[-1]["content"] == "It is 42. TERMINATE"
    first, second = provider_server.bodies("/api/chat")
    assert first["tools"][0]["function"]["name"] == "add"
    assert first["tools"][0]["function"]["parameters"]["required"] == ["a", "b"]
    assistant_turn, tool_turn = second["messages"][-2:]
    assert assistant_turn["tool_calls"] == [{"function": {"name": "add", "arguments": {"a": 2, "b": 40}}}]
    assert tool_turn == {"role": "tool", "content": "42", "tool_name": "add"}


def test_manual_tool_calls_for_models_without_native_tools(provider_server: OllamaServer) -> None:
    # phi3 refuses "tools": the classic native_tool_calls=False describes them in the prompt instead
    provider_server.script(
        '```json\n[{"name": "add", "arguments": {"a": 2, "b": 40}}]\n```', "The sum is 42. TERMINATE"
    )
    result = run_tool_chat(configs(provider_server, model="phi3", native_tool_calls=False))
    call = result.chat_history[1]["tool_calls"][0]
    assert call["function"]["name"] == "add" and json.loads(call["function"]["arguments"]) == {"a": 2, "b": 40}
    assert result.chat_history[2]["content"] == "42"
    first, second = provider_server.bodies("/api/chat")
    assert not first.get("tools")  # the SDK sends an empty list
    assert '"name": "add"' in first["messages"][0]["content"] and "JSON list" in first["messages"][0]["content"]
    assert second["messages"][-2] == {
        "role": "assistant",
        "content": '[{"name": "add", "arguments": {"a": 2, "b": 40}}]',
    }
    assert second["messages"][-1] == {"role": "user", "content": "Result of the function call add: 42"}


def test_native_tools_on_a_model_without_them_is_a_clear_error(provider_server: OllamaServer) -> None:
    with pytest.raises(ProviderAPIError, match="does not support tools") as info:
        run_tool_chat(configs(provider_server, model="phi3"))
    assert info.value.status_code == 400 and info.value.provider == "Ollama"


def test_manual_tool_call_parsing() -> None:
    assert parse_manual_tool_calls("Just text", {"add"}) == []
    assert parse_manual_tool_calls('{"name": "other", "arguments": {}}', {"add"}) == []
    (call,) = parse_manual_tool_calls('{"name": "add", "arguments": {"a": 1}}', {"add"})
    assert call.name == "add" and json.loads(call.arguments) == {"a": 1} and call.id.startswith("call_")


def test_image_goes_as_base64(provider_server: OllamaServer) -> None:
    provider_server.script("A tiny transparent square.")
    wrapper = OpenAIWrapper(config_list=configs(provider_server, model="llava"), cache_seed=None)
    response = wrapper.create(messages=[image_message()])
    assert wrapper.extract_text_or_completion_object(response) == ["A tiny transparent square."]
    (message,) = provider_server.bodies("/api/chat")[0]["messages"]
    assert message == {"role": "user", "content": "What is in this picture?", "images": [PNG_B64]}


def test_usage_and_cost(provider_server: OllamaServer) -> None:
    provider_server.script({"content": "ok", "prompt_tokens": 11, "completion_tokens": 3})
    wrapper = OpenAIWrapper(config_list=configs(provider_server), cache_seed=None)
    response = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert OllamaClient.get_usage(response) == {
        "prompt_tokens": 11,
        "completion_tokens": 3,
        "total_tokens": 14,
        "cost": 0.0,
        "model": "llama3.1",
    }
    assert wrapper.total_usage_summary == {
        "total_cost": 0.0,
        "llama3.1": {"cost": 0.0, "prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14},
    }


def test_unknown_model_is_a_clear_error(provider_server: OllamaServer) -> None:
    wrapper = OpenAIWrapper(config_list=configs(provider_server, model="nope"), cache_seed=None)
    with pytest.raises(ProviderAPIError, match=r"Ollama request for model 'nope' failed \(HTTP 404\).*try pulling"):
        wrapper.create(messages=[{"role": "user", "content": "hi"}])


def test_fallback_to_the_next_config(provider_server: OllamaServer, llm_server: Any) -> None:
    provider_server.fail(500, "model crashed")
    llm_server.script("from openai")
    wrapper = OpenAIWrapper(config_list=configs(provider_server) + llm_server.config_list(), cache_seed=None)
    response = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert response.choices[0].message.content == "from openai"
    assert response.config_id == 1
    assert len(provider_server.bodies("/api/chat")) == 1


def test_cache_serves_the_second_call(provider_server: OllamaServer, tmp_path: Any) -> None:
    provider_server.script("cached answer")
    wrapper = OpenAIWrapper(config_list=configs(provider_server), cache_seed=5)
    first = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    second = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert first.choices[0].message.content == second.choices[0].message.content == "cached answer"
    assert len(provider_server.bodies("/api/chat")) == 1
    assert (
        wrapper.actual_usage_summary["llama3.1"]["prompt_tokens"] * 2
        == (wrapper.total_usage_summary["llama3.1"]["prompt_tokens"])
    )


def test_async_tool_chat(provider_server: OllamaServer) -> None:
    provider_server.script({"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 40}}]}, "42. TERMINATE")
    result = run_tool_chat(configs(provider_server), is_async=True)
    assert result.chat_history[2]["content"] == "42"
    assert result.chat_history[-1]["content"] == "42. TERMINATE"


def test_ollama_host_env_and_base_url(provider_server: OllamaServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", provider_server.url)
    provider_server.script("via env", "via base_url")
    wrapper = OpenAIWrapper(config_list=[{"model": "llama3.1", "api_type": "ollama"}], cache_seed=None)
    assert wrapper.create(messages=[{"role": "user", "content": "a"}]).choices[0].message.content == "via env"
    monkeypatch.delenv("OLLAMA_HOST")
    config = {"model": "llama3.1", "api_type": "ollama", "base_url": provider_server.url + "/v1"}
    response = asyncio.run(
        OpenAIWrapper(config_list=[config], cache_seed=None).a_create(messages=[{"role": "user", "content": "b"}])
    )
    assert response.choices[0].message.content == "via base_url"


def test_timeout_is_a_timeout_error(provider_server: OllamaServer) -> None:
    provider_server.script({"content": "late", "delay": 1.5})
    wrapper = OpenAIWrapper(config_list=configs(provider_server, timeout=0.3), cache_seed=None)
    with pytest.raises(TimeoutError, match="timed out"):
        wrapper.create(messages=[{"role": "user", "content": "hi"}])


class _ImageHost(ProtocolServer):
    """Serves one PNG, as a web site would."""

    def handle(self, request: Recorded) -> Response:
        return Response(body=base64.b64decode(PNG_B64), headers={"Content-Type": "image/png"})


def test_remote_image_is_fetched_off_the_event_loop(
    provider_server: OllamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import autogen.oai.ollama as ollama_module

    threads = []
    real_fetch = ollama_module.fetch_image

    def spy(part: Any) -> Any:
        threads.append(threading.current_thread())
        return real_fetch(part)

    monkeypatch.setattr(ollama_module, "fetch_image", spy)
    host = _ImageHost().start()
    try:
        provider_server.script("A square.")
        wrapper = OpenAIWrapper(config_list=configs(provider_server, model="llava"), cache_seed=None)
        message = {"role": "user", "content": [{"type": "image_url", "image_url": {"url": host.url + "/pic.png"}}]}
        response = asyncio.run(wrapper.a_create(messages=[message]))
    finally:
        host.stop()
    assert response.choices[0].message.content == "A square."
    assert provider_server.bodies("/api/chat")[0]["messages"][0]["images"] == [PNG_B64]
    assert [r.path for r in host.requests] == ["/pic.png"]
    assert threads and threading.main_thread() not in threads  # the download ran in a worker thread


def test_hide_tools_once_they_ran(provider_server: OllamaServer) -> None:
    provider_server.script({"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 1}}]}, "2. TERMINATE")
    run_tool_chat(configs(provider_server, hide_tools="if_any_run"))
    first, second = provider_server.bodies("/api/chat")
    assert first["tools"] and not second.get("tools")


def test_legacy_function_call_history() -> None:
    messages = [
        {"role": "assistant", "content": None, "function_call": {"name": "add", "arguments": '{"a": 1}'}},
        {"role": "function", "name": "add", "content": "1"},
    ]
    assert OllamaClient.convert_messages(messages, native=True) == [
        {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "add", "arguments": {"a": 1}}}]},
        {"role": "tool", "content": "1", "tool_name": "add"},
    ]

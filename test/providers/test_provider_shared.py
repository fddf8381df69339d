"""The shared parts of the provider clients: routing by api_type, missing SDKs, client_utils helpers."""

from __future__ import annotations

import sys
import warnings
from typing import Any

import pytest

from autogen import OpenAIWrapper
from autogen.exception_utils import ConfigError
from autogen.oai.client_utils import (
    ImagePart,
    ToolCall,
    build_chat_completion,
    content_parts,
    content_text,
    function_declarations,
    parse_data_url,
    parse_tool_arguments,
    should_hide_tools,
    validate_parameter,
)
from autogen.oai.config import describe_endpoint, normalize_api_type
from autogen.oai.provider_client import ProviderClient
from autogen.oai.provider_registry import PROVIDER_CLIENTS, client_class

MINE = {
    "ollama": ("ollama", "ollama"),
    "mistral": ("mistralai.client", "mistral"),
    "groq": ("groq", "groq"),
    "together": ("together", "together"),
    "cohere": ("cohere", "cohere"),
    "cerebras": ("cerebras.cloud.sdk", "cerebras"),
}


def test_registry_has_the_nine_classic_clients() -> None:
    assert PROVIDER_CLIENTS == {
        "anthropic": ("autogen.oai.anthropic", "AnthropicClient"),
        "google": ("autogen.oai.gemini", "GeminiClient"),
        "bedrock": ("autogen.oai.bedrock", "BedrockClient"),
        "mistral": ("autogen.oai.mistral", "MistralAIClient"),
        "groq": ("autogen.oai.groq", "GroqClient"),
        "together": ("autogen.oai.together", "TogetherClient"),
        "cohere": ("autogen.oai.cohere", "CohereClient"),
        "ollama": ("autogen.oai.ollama", "OllamaClient"),
        "cerebras": ("autogen.oai.cerebras", "CerebrasClient"),
    }
    for api_type in PROVIDER_CLIENTS:
        assert normalize_api_type(api_type) == api_type
    for api_type in MINE:
        cls = client_class(api_type)
        assert issubclass(cls, ProviderClient) and cls.API_TYPE == api_type
    assert normalize_api_type("deepseek") == "openai"  # other OpenAI-compatible api_types
    with pytest.raises(ConfigError, match="Unknown provider api_type 'nope'"):
        client_class("nope")


def test_endpoint_description_names_the_provider() -> None:
    config = {"model": "llama3.1", "api_type": "ollama"}
    assert describe_endpoint(0, config) == "config 0 (model 'llama3.1' at ollama's default endpoint)"
    config["client_host"] = "http://box:11434"
    assert describe_endpoint(1, config) == "config 1 (model 'llama3.1' at ollama http://box:11434)"


@pytest.mark.parametrize("api_type", sorted(MINE))
def test_missing_sdk_names_the_extra(api_type: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module, extra = MINE[api_type]
    monkeypatch.setitem(sys.modules, module, None)  # as if the package were not installed
    with pytest.raises(ImportError, match=rf'pip install "pyautogen\[{extra}\]"'):
        OpenAIWrapper(config_list=[{"model": "m", "api_type": api_type, "api_key": "k"}])


def test_missing_api_key_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="Please include the api_key .* for Groq or set the GROQ_API_KEY"):
        OpenAIWrapper(config_list=[{"model": "llama-3.3-70b-versatile", "api_type": "groq"}])


def test_validate_parameter() -> None:
    params = {"temperature": 0.5, "top_k": "3", "n": None, "mode": "b", "big": 11}
    assert validate_parameter(params, "temperature", (int, float), False, 1.0, (0, 1), None) == 0.5
    assert validate_parameter(params, "missing", int, False, 7, None, None) == 7
    with pytest.warns(UserWarning, match="top_k must be of type int, defaulting to 4"):
        assert validate_parameter(params, "top_k", int, False, 4, None, None) == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert validate_parameter(params, "n", int, True, 2, None, None) is None
    with pytest.warns(UserWarning, match="n cannot be None"):
        assert validate_parameter(params, "n", int, False, 2, None, None) == 2
    with pytest.warns(UserWarning, match="big has numerical bounds, >= 0 and <= 10, defaulting to 1"):
        assert validate_parameter(params, "big", int, False, 1, (0, 10), None) == 1
    with pytest.warns(UserWarning, match=r"mode must be one of these values \[\['a'\]\]"):
        assert validate_parameter(params, "mode", str, False, "a", None, ["a"]) == "a"
    with pytest.raises(TypeError):
        validate_parameter(params, "mode", str, False, "a", None, "a")  # type: ignore[arg-type]


def _tools(*names: str) -> list[dict[str, Any]]:
    return [{"type": "function", "function": {"name": n, "parameters": {"type": "object"}}} for n in names]


def test_should_hide_tools() -> None:
    called_a = [{"role": "assistant", "tool_calls": [{"id": "1", "function": {"name": "a", "arguments": "{}"}}]}]
    tools = _tools("a", "b")
    assert should_hide_tools(called_a, tools, "never") is False
    assert should_hide_tools([], tools, "if_any_run") is False
    assert should_hide_tools(called_a, tools, "if_any_run") is True
    assert should_hide_tools(called_a, tools, "if_all_run") is False
    assert should_hide_tools(called_a, _tools("a"), "if_all_run") is True
    assert should_hide_tools(called_a, None, "if_any_run") is False
    with pytest.raises(TypeError, match="hide_tools must be"):
        should_hide_tools(called_a, tools, "sometimes")


def test_message_reading() -> None:
    url = "data:image/png;base64,AAAA"
    parts = content_parts([{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": url}}])
    assert parts == ["look", ImagePart(mime_type="image/png", data="AAAA")]
    assert content_parts([{"type": "image_url", "image_url": "https://x/y.webp"}]) == [
        ImagePart(mime_type="image/webp", url="https://x/y.webp")
    ]
    assert content_text([{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": url}}]) == "a"
    assert parse_data_url("https://x") is None
    with pytest.raises(ValueError, match="valid base64"):
        parse_data_url("data:image/png;base64,@@@")
    with pytest.raises(ValueError, match="Unsupported message content part"):
        content_parts([{"type": "audio"}])
    assert parse_tool_arguments("") == {}
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_tool_arguments("{nope")


def test_function_declarations_take_tools_and_legacy_functions() -> None:
    declared = function_declarations(
        {"tools": _tools("a"), "functions": [{"name": "f", "description": "d", "parameters": {"type": "object"}}]}
    )
    assert declared == [
        {"name": "a", "description": "", "parameters": {"type": "object"}},
        {"name": "f", "description": "d", "parameters": {"type": "object"}},
    ]
    with pytest.raises(ValueError, match="Only function tools"):
        function_declarations({"tools": [{"type": "code_interpreter"}]})


def test_build_chat_completion() -> None:
    response = build_chat_completion(
        model="m", text=None, tool_calls=[ToolCall("c1", "add", '{"a": 1}')], prompt_tokens=3, completion_tokens=4
    )
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.tool_calls[0].function.name == "add"
    assert response.usage.total_tokens == 7
    plain = build_chat_completion(model="m", text="hi", finish_reason="MAX_TOKENS")
    assert plain.choices[0].finish_reason == "length" and plain.choices[0].message.content == "hi"


def test_provider_sdks_stay_unimported_until_a_config_names_them() -> None:
    import subprocess

    code = (
        "import sys, autogen\n"
        "from autogen.oai.config import prepare_config_list\n"
        "prepare_config_list([{'model': 'm', 'api_type': 'ollama'}, {'model': 'm', 'api_type': 'cohere'}], {})\n"
        "sdks = ('ollama', 'groq', 'mistralai', 'cohere', 'together', 'cerebras', 'httpx', 'openai')\n"
        "print(sorted(m for m in sdks if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

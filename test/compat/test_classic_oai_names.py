"""Classic names of autogen.oai that 0.2-era code imports and calls: what they are, what they return, and that
importing the modules that hold them stays cheap."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import warnings
from typing import Any

import openai
import pytest

import autogen.oai.client as client_module
from autogen.oai import anthropic as anthropic_module
from autogen.oai import cohere as cohere_module
from autogen.oai import groq as groq_module
from autogen.oai import model_prices
from autogen.oai.openai_utils import detect_gpt_assistant_api_version

MODEL_CLAUDE = "claude-3-5-sonnet-20240620"


def test_import_stays_cheap() -> None:
    code = (
        "import sys, json, autogen, autogen.oai.client, autogen.oai.openai_utils, autogen.oai.anthropic, "
        "autogen.oai.cohere, autogen.oai.groq\n"
        "print(json.dumps([m for m in ('openai', 'anthropic', 'cohere', 'groq', 'pydantic') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_price_table_is_the_classic_one_and_the_one_used(llm_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    table = client_module.OAI_PRICE1K
    assert table is model_prices.OAI_PRICE1K
    from autogen.oai.openai_utils import OAI_PRICE1K

    assert OAI_PRICE1K is table
    assert table["gpt-4"] == (0.03, 0.06) and table["davinci-002"] == 0.002
    assert all(isinstance(v, float) or (isinstance(v, tuple) and len(v) == 2) for v in table.values())
    # an entry added the classic way prices that model's calls (a single number: both directions)
    monkeypatch.setitem(table, "my-model", 1.0)
    wrapper = client_module.OpenAIWrapper(config_list=llm_server.config_list(model="my-model"), cache_seed=None)
    llm_server.script({"content": "ok", "usage": {"prompt_tokens": 1000, "completion_tokens": 500}})
    assert wrapper.create(messages=[{"role": "user", "content": "hi"}]).cost == pytest.approx(1.5)


def test_openai_version_and_assistant_api_version(monkeypatch: pytest.MonkeyPatch) -> None:
    assert client_module.OPENAIVERSION == openai.__version__
    assert detect_gpt_assistant_api_version() == "v2"
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "1.20.1" if name == "openai" else real(name))
    assert detect_gpt_assistant_api_version() == "v1"


def test_provider_clients_and_import_exceptions(monkeypatch: pytest.MonkeyPatch) -> None:
    from autogen.oai.client import AnthropicClient, CohereClient, GroqClient, anthropic_import_exception

    assert AnthropicClient is anthropic_module.AnthropicClient
    assert GroqClient is groq_module.GroqClient and CohereClient is cohere_module.CohereClient
    assert anthropic_import_exception is None  # the SDK is installed here
    # an SDK that does not import: the ImportError, naming the extra to install
    monkeypatch.delitem(vars(client_module), "together_import_exception", raising=False)
    monkeypatch.setitem(sys.modules, "together", None)
    error = client_module.together_import_exception
    assert isinstance(error, ImportError) and 'pip install "pyautogen[together]"' in str(error)
    monkeypatch.delitem(vars(client_module), "together_import_exception")
    with pytest.raises(AttributeError, match="no attribute 'NoSuchClient'"):
        client_module.NoSuchClient  # noqa: B018


def test_classic_reexports_of_the_client_module() -> None:
    from autogen.cache.cache import Cache as RealCache
    from autogen.io.base import IOStream as RealIOStream
    from autogen.oai.client import Cache, IOStream, get_key, is_valid_api_key

    assert Cache is RealCache and IOStream is RealIOStream
    assert get_key({"model": "gpt-4", "api_key": "x"}) == get_key({"model": "gpt-4", "api_key": "y"})
    assert is_valid_api_key("sk-" + "a" * 40) and not is_valid_api_key("nope")


def test_anthropic_constants_and_tool_helpers() -> None:
    assert anthropic_module.TOOL_ENABLED is True
    assert anthropic_module.ANTHROPIC_PRICING_1k is anthropic_module.ANTHROPIC_PRICES
    assert model_prices.get_price(MODEL_CLAUDE, anthropic_module.ANTHROPIC_PRICING_1k) == (0.003, 0.015)
    function = {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {}}}
    client = anthropic_module.AnthropicClient
    assert client.openai_func_to_anthropic(function) == {
        "name": "f",
        "description": "d",
        "input_schema": {"type": "object", "properties": {}},
    }
    assert "parameters" in function  # not changed in place
    tools = [{"type": "function", "function": function}, {"type": "code_interpreter"}]
    assert client.convert_tools_to_functions(tools) == [function]


def test_anthropic_messages_without_tools_become_text() -> None:
    params: dict[str, Any] = {
        "messages": [
            {"role": "user", "content": "add 1"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "add", "arguments": "{}"}}],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "1"},
        ]
    }
    messages = anthropic_module.oai_messages_to_anthropic_messages(params)
    assert "system" not in params
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    blocks = [b for m in messages for b in m["content"]]
    assert all(b["type"] == "text" for b in blocks)  # no tools in the request: no tool blocks either


def test_cohere_helpers() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "add 2"},
    ]
    cohere_params: dict[str, Any] = {}
    tools = [{"type": "function", "function": {"name": "add", "parameters": {"type": "object", "properties": {}}}}]
    history, preamble, message = cohere_module.oai_messages_to_cohere_messages(
        messages, {"tools": tools}, cohere_params
    )
    assert (preamble, message) == ("Be brief.", "add 2")
    assert history == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    assert cohere_params["tools"][0]["function"]["name"] == "add"
    ending_with_tool = messages[:3] + [
        {
            "role": "assistant",
            "content": "I will add.",
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "add", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "2"},
    ]
    history, _, message = cohere_module.oai_messages_to_cohere_messages(ending_with_tool, {}, {})
    assert message == "" and history[-2]["tool_plan"] == "I will add." and history[-1]["role"] == "tool"
    _, _, message = cohere_module.oai_messages_to_cohere_messages(messages[:3], {}, {})
    assert message == "Please continue."

    assert cohere_module.COHERE_PRICING_1K is cohere_module.CohereClient.PRICES
    price = cohere_module.COHERE_PRICING_1K["command-r-plus"]
    assert cohere_module.calculate_cohere_cost(1000, 2000, "command-r-plus") == pytest.approx(price[0] + 2 * price[1])
    assert cohere_module.calculate_cohere_cost(1000, 2000, "unknown-model") == 0.0
    assert issubclass(cohere_module.CohereRateLimitError, cohere_module.CohereError)


def test_groq_helpers() -> None:
    messages = [{"role": "user", "content": "hi", "name": "me"}]
    converted = groq_module.oai_messages_to_groq_messages(messages)
    assert converted == [{"role": "user", "content": "hi", "name": "me"}] and converted[0] is not messages[0]
    assert groq_module.GROQ_PRICING_1K is groq_module.GroqClient.PRICES
    price = groq_module.GROQ_PRICING_1K["llama3-70b-8192"]
    assert groq_module.calculate_groq_cost(2000, 1000, "llama3-70b-8192") == pytest.approx(2 * price[0] + price[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a valid setting is taken without a warning
        client = groq_module.GroqClient(model="m", api_key="k")
        assert client.parse_params({"model": "m", "seed": 3}) == {"model": "m", "seed": 3}

"""OpenAIWrapper through the real openai SDK against the local server: completions, tools, costs,
templates, filters, config handling and custom model clients."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from helpers import ScriptedIO

from autogen.exception_utils import ConfigError
from autogen.io.base import IOStream
from autogen.oai.client import OpenAIWrapper
from autogen.oai.errors import InvalidResponseError, ModelClientNotRegisteredError, RequestNotSerializableError

USER = [{"role": "user", "content": "Hello"}]


def make_wrapper(server: Any, **extra: Any) -> OpenAIWrapper:
    return OpenAIWrapper(config_list=server.config_list(), cache_seed=None, **extra)


def test_plain_completion(llm_server: Any) -> None:
    wrapper = make_wrapper(llm_server)
    response = wrapper.create(messages=USER)
    assert response.choices[0].message.content == "echo: Hello"
    assert response.config_id == 0
    assert response.pass_filter is True
    assert wrapper.extract_text_or_completion_object(response) == ["echo: Hello"]
    [body] = llm_server.chat_requests()
    assert body == {"messages": USER, "model": "gpt-4"}
    # the extra attributes do not break serialisation of the response
    dumped = json.loads(response.model_dump_json())
    assert dumped["cost"] == response.cost
    assert "message_retrieval_function" not in dumped


def test_typed_sdk_resource_is_not_used(llm_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests go out as plain JSON through client.post, not the per-message-converting typed create()."""
    from openai.resources.chat.completions import Completions

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("typed chat.completions.create must not be called")

    monkeypatch.setattr(Completions, "create", forbidden)
    response = make_wrapper(llm_server).create(messages=USER)
    assert response.choices[0].message.content == "echo: Hello"


def test_request_parameters_and_tools(llm_server: Any) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "add",
                "description": "Add two numbers",
                "parameters": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}},
            },
        }
    ]
    llm_server.script({"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 2}, "id": "call_1"}]})
    wrapper = make_wrapper(llm_server, temperature=0.2)
    response = wrapper.create(
        messages=USER, tools=tools, tool_choice="auto", response_format={"type": "text"}, seed=3, max_tokens=50
    )
    [body] = llm_server.chat_requests()
    assert body["tools"] == tools and body["tool_choice"] == "auto" and body["temperature"] == 0.2
    assert body["response_format"] == {"type": "text"} and body["seed"] == 3 and body["max_tokens"] == 50
    [message] = wrapper.extract_text_or_completion_object(response)
    assert not isinstance(message, str)
    assert message.tool_calls[0].id == "call_1"
    assert message.tool_calls[0].function.name == "add"
    assert json.loads(message.tool_calls[0].function.arguments) == {"a": 1, "b": 2}


def test_function_call_is_returned_as_message(llm_server: Any) -> None:
    llm_server.script({"function_call": {"name": "f", "arguments": {"x": 1}}})
    wrapper = make_wrapper(llm_server)
    response = wrapper.create(messages=USER, functions=[{"name": "f", "parameters": {"type": "object"}}])
    [message] = wrapper.extract_text_or_completion_object(response)
    assert message.function_call.name == "f"
    assert llm_server.chat_requests()[0]["functions"][0]["name"] == "f"


def test_history_is_not_copied_or_mutated(llm_server: Any) -> None:
    messages = [{"role": "user", "content": f"m{i}"} for i in range(5)]
    snapshot = json.dumps(messages)
    make_wrapper(llm_server).create(messages=messages)
    assert json.dumps(messages) == snapshot
    assert llm_server.chat_requests()[0]["messages"] == messages


def test_cost_from_price_table_and_usage_summaries(llm_server: Any) -> None:
    llm_server.script(
        {"content": "a", "usage": {"prompt_tokens": 1000, "completion_tokens": 1000}},
        {"content": "b", "usage": {"prompt_tokens": 500, "completion_tokens": 0}},
    )
    wrapper = make_wrapper(llm_server)
    assert wrapper.total_usage_summary is None and wrapper.actual_usage_summary is None
    first = wrapper.create(messages=USER)
    assert first.cost == pytest.approx(0.03 + 0.06)  # gpt-4: 0.03 in, 0.06 out per 1k
    wrapper.create(messages=USER)
    summary = wrapper.total_usage_summary
    assert summary is not None
    assert summary["total_cost"] == pytest.approx(0.09 + 0.015)
    assert summary["gpt-4"] == {
        "cost": pytest.approx(0.105),
        "prompt_tokens": 1500,
        "completion_tokens": 1000,
        "total_tokens": 2500,
    }
    assert wrapper.actual_usage_summary == summary

    io = ScriptedIO()
    with IOStream.set_default(io):
        wrapper.print_usage_summary()
        wrapper.print_usage_summary(mode="total")
    assert "Total cost: 0.105" in io.output
    assert "* Model 'gpt-4': cost: 0.105, prompt_tokens: 1500, completion_tokens: 1000, total_tokens: 2500" in io.output
    assert "same as actual cost" in io.output
    with pytest.raises(ValueError, match="Invalid mode"):
        wrapper.print_usage_summary(mode="everything")

    wrapper.clear_usage_summary()
    assert wrapper.total_usage_summary is None and wrapper.actual_usage_summary is None
    io = ScriptedIO()
    with IOStream.set_default(io):
        wrapper.print_usage_summary()
    assert "No usage summary" in io.output


def test_config_price_overrides_and_unknown_model_costs_zero(llm_server: Any, caplog: pytest.LogCaptureFixture) -> None:
    usage = {"prompt_tokens": 100, "completion_tokens": 10}
    llm_server.script({"content": "x", "usage": usage, "model": "my-own-model"})
    priced = OpenAIWrapper(config_list=llm_server.config_list(price=[1.0, 2.0]), cache_seed=None)
    assert priced.create(messages=USER).cost == pytest.approx((100 * 1.0 + 10 * 2.0) / 1000)

    unknown = OpenAIWrapper(config_list=llm_server.config_list(model="zz-unknown-model"), cache_seed=None)
    with caplog.at_level(logging.WARNING):
        llm_server.script({"content": "x", "usage": usage}, {"content": "y", "usage": usage})
        assert unknown.create(messages=USER).cost == 0
        assert unknown.create(messages=USER).cost == 0
    warnings = [r for r in caplog.records if "zz-unknown-model" in r.getMessage()]
    assert len(warnings) == 1  # warned once


def test_templates_filled_from_context(llm_server: Any) -> None:
    wrapper = make_wrapper(llm_server)
    messages = [
        {"role": "system", "content": "You help {name}."},
        {"role": "user", "content": lambda context: f"Hi, I am {context['name']}"},
    ]
    wrapper.create(messages=messages, context={"name": "Ann"}, allow_format_str_template=True)
    sent = llm_server.chat_requests()[-1]["messages"]
    assert [m["content"] for m in sent] == ["You help Ann.", "Hi, I am Ann"]
    assert messages[0]["content"] == "You help {name}."  # the caller's messages are untouched

    wrapper.create(messages=messages, context={"name": "Bob"})  # format strings off by default
    sent = llm_server.chat_requests()[-1]["messages"]
    assert [m["content"] for m in sent] == ["You help {name}.", "Hi, I am Bob"]
    assert "context" not in llm_server.chat_requests()[-1]
    assert OpenAIWrapper.instantiate("x {a}", {"a": 1}, True) == "x 1"


def test_filter_func_moves_to_next_config(llm_server: Any) -> None:
    config_list = llm_server.config_list() + llm_server.config_list(model="gpt-3.5-turbo")
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    seen = []

    def wants_good(context: Any, response: Any) -> bool:
        seen.append(context)
        return "good" in response.choices[0].message.content

    llm_server.script("bad", "good")
    response = wrapper.create(messages=USER, filter_func=wants_good, context={"k": 1})
    assert response.choices[0].message.content == "good"
    assert response.config_id == 1 and response.pass_filter is True
    assert seen == [{"k": 1}, {"k": 1}]

    llm_server.script("bad", "worse")
    response = wrapper.create(messages=USER, filter_func=wants_good)
    assert response.choices[0].message.content == "worse"  # the last config's answer, flagged
    assert response.config_id == 1 and response.pass_filter is False


def test_unknown_config_keys_do_not_crash(llm_server: Any) -> None:
    config = llm_server.config_list(tags=["fast"], price=[0.001, 0.002], api_type="openai", custom_flag="on")
    wrapper = OpenAIWrapper(config_list=config, cache_seed=None, max_retries=1, timeout=30)
    assert wrapper.create(messages=USER).choices[0].message.content == "echo: Hello"
    [body] = llm_server.chat_requests()
    assert body["custom_flag"] == "on"  # unknown keys go out as request parameters
    for autogen_only in ("tags", "price", "api_type", "api_key", "base_url", "cache_seed", "timeout", "max_retries"):
        assert autogen_only not in body


def test_base_config_merges_under_each_entry(llm_server: Any) -> None:
    config_list = [{"model": "gpt-4", "temperature": 0.9}, {"model": "gpt-3.5-turbo"}]
    wrapper = OpenAIWrapper(
        config_list=config_list, base_url=llm_server.base_url, api_key="test", temperature=0.1, cache_seed=None
    )
    llm_server.script({"status": 500}, "second")
    wrapper.create(messages=USER)
    first, second = llm_server.chat_requests()
    assert first["temperature"] == 0.9 and second["temperature"] == 0.1
    assert second["model"] == "gpt-3.5-turbo"


def test_config_without_model_or_empty_list_is_a_clear_error(llm_server: Any) -> None:
    # a config without a model is refused when create() gives none either (classic: when the wrapper was built
    # for providers only; test/compat/test_classic_wrapper.py)
    wrapper = OpenAIWrapper(
        config_list=[{"api_key": "x", "base_url": llm_server.base_url}] + llm_server.config_list(), cache_seed=None
    )
    with pytest.raises(ConfigError, match=r"config 0 \(model None at .*\) has no 'model'"):
        wrapper.create(messages=USER)
    assert llm_server.chat_requests() == []
    with pytest.raises(ConfigError, match="config_list is empty"):
        OpenAIWrapper(config_list=[])
    with pytest.raises(ConfigError, match="must be a list"):
        OpenAIWrapper(config_list={"model": "gpt-4"})  # type: ignore[arg-type]
    # classic: without config_list, the model may come at create time
    wrapper = OpenAIWrapper(base_url=llm_server.base_url, api_key="test", cache_seed=None)
    with pytest.raises(ConfigError, match="has no 'model'"):
        wrapper.create(messages=USER)
    assert wrapper.create(messages=USER, model="gpt-4").choices[0].message.content == "echo: Hello"
    with pytest.raises(ConfigError, match="Either prompt or messages should be in create config but not both"):
        wrapper.create(model="gpt-4")


def test_non_json_response_is_a_clear_error(llm_server: Any) -> None:
    wrapper = make_wrapper(llm_server)
    llm_server.script({"raw": "<html>gateway error</html>"})
    with pytest.raises(InvalidResponseError, match="not valid JSON"):
        wrapper.create(messages=USER)
    llm_server.script({"raw": '{"unexpected": true}'})
    with pytest.raises(InvalidResponseError, match="not a chat completion"):
        wrapper.create(messages=USER)
    # a broken endpoint is a failed config: the next one answers
    wrapper = OpenAIWrapper(config_list=llm_server.config_list() * 2, cache_seed=None)
    llm_server.script({"raw": "not json"}, "fine")
    response = wrapper.create(messages=USER)
    assert response.choices[0].message.content == "fine" and response.config_id == 1


def test_unserializable_request_is_a_clear_error(llm_server: Any) -> None:
    for cache_seed in (None, 41):
        wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=cache_seed)
        with pytest.raises(RequestNotSerializableError, match=r"\['messages'\]\[0\]\['content'\] is a object"):
            wrapper.create(messages=[{"role": "user", "content": object()}])
    assert llm_server.chat_requests() == []


def test_sync_clients_are_shared_per_endpoint(llm_server: Any) -> None:
    a = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None, timeout=5)
    b = OpenAIWrapper(config_list=llm_server.config_list(model="gpt-4o"), cache_seed=None, timeout=9)
    c = OpenAIWrapper(config_list=llm_server.config_list(api_key="other"), cache_seed=None)
    assert a._clients[0].client is b._clients[0].client  # timeout travels per request
    assert a._clients[0].client is not c._clients[0].client
    assert a._clients[0].timeout == 5 and b._clients[0].timeout == 9


# ----- custom model clients


class EchoClient:
    """A minimal custom ModelClient."""

    def __init__(self, config: dict[str, Any], **kwargs: Any):
        self.config = config
        self.kwargs = kwargs
        self.calls: list[dict[str, Any]] = []

    def create(self, params: dict[str, Any]) -> Any:
        self.calls.append(params)
        message = SimpleNamespace(content=f"{self.kwargs.get('prefix', '')}{params['messages'][-1]['content']}")
        return SimpleNamespace(
            choices=[SimpleNamespace(message=message)],
            model=params.get("model", "custom"),
            usage=SimpleNamespace(prompt_tokens=3, completion_tokens=4),
        )

    def message_retrieval(self, response: Any) -> list[str]:
        return [choice.message.content for choice in response.choices]

    def cost(self, response: Any) -> float:
        return 0.5

    @staticmethod
    def get_usage(response: Any) -> dict[str, Any]:
        return {
            "prompt_tokens": response.usage.prompt_tokens,
            "completion_tokens": response.usage.completion_tokens,
            "total_tokens": 7,
            "cost": response.cost,
            "model": response.model,
        }


def test_custom_model_client(llm_server: Any) -> None:
    config_list = [{"model": "my-model", "model_client_cls": "EchoClient", "device": "cpu"}]
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    with pytest.raises(ModelClientNotRegisteredError, match=r"register_model_client\(model_client_cls=EchoClient\)"):
        wrapper.create(messages=USER)
    wrapper.register_model_client(model_client_cls=EchoClient, prefix=">> ")
    response = wrapper.create(messages=USER)
    assert wrapper.extract_text_or_completion_object(response) == [">> Hello"]
    assert response.cost == 0.5
    client = wrapper._clients[0]
    # as classic, the client gets its config-list entry, not the wrapper's base settings (cache_seed here)
    assert client.config == {"model": "my-model", "model_client_cls": "EchoClient", "device": "cpu"}
    assert "model_client_cls" not in client.calls[0] and client.calls[0]["model"] == "my-model"
    assert wrapper.total_usage_summary == {
        "total_cost": 0.5,
        "my-model": {"cost": 0.5, "prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
    }
    assert llm_server.chat_requests() == []


async def test_custom_model_client_async_runs_off_the_loop(llm_server: Any) -> None:
    wrapper = OpenAIWrapper(config_list=[{"model": "m", "model_client_cls": "EchoClient"}], cache_seed=None)
    wrapper.register_model_client(EchoClient)
    response = await wrapper.a_create(messages=USER)
    assert wrapper.extract_text_or_completion_object(response) == ["Hello"]


def test_registering_a_class_no_config_names_is_an_error(llm_server: Any) -> None:
    wrapper = make_wrapper(llm_server)
    with pytest.raises(ConfigError, match='"model_client_cls": "EchoClient"'):
        wrapper.register_model_client(EchoClient)


def test_custom_and_openai_configs_mix(llm_server: Any) -> None:
    config_list = [{"model": "m", "model_client_cls": "EchoClient"}] + llm_server.config_list()
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    wrapper.register_model_client(EchoClient, prefix="custom:")
    response = wrapper.create(messages=USER, filter_func=lambda context, response: False)
    assert response.config_id == 1 and response.choices[0].message.content == "echo: Hello"

"""OpenAIWrapper used directly and the config helpers, as 0.2-era scripts use them, measured side by side with classic
0.2.35 (scripts/classic_diff scenarios wrapper_create, wrapper_config, wrapper_usage, wrapper_stream, wrapper_misc,
wrapper_keys, config_helpers): through the real openai SDK against the local server."""

from __future__ import annotations

import errno
import json
import pickle
from pathlib import Path
from typing import Any

import openai
import pytest

import autogen
from autogen import OpenAIWrapper
from autogen.oai.errors import ConfigError
from autogen.oai.openai_utils import filter_config

USER = [{"role": "user", "content": "Hi"}]


def test_model_given_to_create_for_configs_without_one(llm_server: Any) -> None:
    # classic's own test and docs: OpenAIWrapper(config_list=config_list_openai_aoai()).create(..., model=...)
    # (those configs carry no model); classic sent the create() model with each config's endpoint and key
    config_list = [{"api_key": "test", "base_url": llm_server.base_url, "tags": ["t"]}]
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    response = wrapper.create(messages=USER, model="gpt-4")
    assert wrapper.extract_text_or_completion_object(response) == ["echo: Hi"]
    (body,) = llm_server.chat_requests()
    assert body["model"] == "gpt-4" and body["messages"] == USER and "tags" not in body


def test_config_without_a_model_fails_at_create_when_none_is_given(llm_server: Any) -> None:
    wrapper = OpenAIWrapper(config_list=[{"api_key": "test", "base_url": llm_server.base_url}], cache_seed=None)
    with pytest.raises(ConfigError, match="has no 'model': give it in the llm_config / config entry or to create"):
        wrapper.create(messages=USER)
    assert llm_server.chat_requests() == []


def test_agent_with_model_in_llm_config_next_to_the_list(llm_server: Any) -> None:
    # the agent form of the same configs: "model" once next to config_list, as classic allowed
    config = {"config_list": [{"api_key": "test", "base_url": llm_server.base_url}], "model": "gpt-4"}
    assistant = autogen.AssistantAgent("a", llm_config={**config, "cache_seed": None})
    reply = assistant.generate_reply(messages=[{"role": "user", "content": "ping"}])
    assert reply == "echo: ping"
    assert llm_server.chat_requests()[0]["model"] == "gpt-4"


def test_streamed_answer_is_printed_in_green_then_an_empty_line(
    llm_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # scenario wrapper_stream: classic printed the colour, the text as it came, the reset, a line end and print's own
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    llm_server.script("Streamed answer here.")
    assert wrapper.create(messages=USER, stream=True).choices[0].message.content == "Streamed answer here."
    assert capsys.readouterr().out == "\033[32mStreamed answer here.\033[0m\n\n"
    # an answer with only a tool call printed the same frame around nothing
    llm_server.script({"content": None, "tool_calls": [{"name": "add", "arguments": {"a": 1}}]})
    tools = [{"type": "function", "function": {"name": "add", "parameters": {}}}]
    assert wrapper.create(messages=USER, stream=True, tools=tools).choices[0].message.tool_calls
    assert capsys.readouterr().out == "\033[32m\033[0m\n\n"


def test_a_failed_call_raises_the_sdks_error_with_its_own_text_first(llm_server: Any) -> None:
    # scenario wrapper_create ("prompt"): classic raised the SDK's exception unchanged, e.g. "Error code: 404 - ..."
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    llm_server.script({"status": 404, "content": "no such model"})
    with pytest.raises(openai.NotFoundError) as caught:
        wrapper.create(messages=USER)
    text = str(caught.value)
    assert text.startswith("Error code: 404 - {") and "no such model" in text
    assert f"(The LLM call failed: config 0 (model 'gpt-4' at {llm_server.base_url}), NotFoundError.)" in text
    # several configs: the last one's text first, then each failure
    wrapper = OpenAIWrapper(config_list=llm_server.config_list() * 2, cache_seed=None)
    llm_server.script({"status": 404, "content": "first"}, {"status": 404, "content": "second"})
    with pytest.raises(openai.NotFoundError) as caught:
        wrapper.create(messages=USER)
    text = str(caught.value)
    assert text.startswith("Error code: 404 - {") and "second" in text.split("(All 2 configs")[0]
    assert "(All 2 configs of the config list failed. config 0 (model 'gpt-4'" in text and "first" in text


def test_an_unpriced_model_costs_an_int_zero_as_printed_by_classic(
    llm_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # scenario wrapper_misc: classic's cost of a model missing from the price table was 0 (an int), so its usage
    # summary printed "Total cost: 0"
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(model="my-model"), cache_seed=None)
    llm_server.script({"content": "x", "usage": {"prompt_tokens": 10, "completion_tokens": 5}})
    response = wrapper.create(messages=USER)
    assert response.cost == 0 and type(response.cost) is int
    capsys.readouterr()
    wrapper.print_usage_summary(mode="total")
    printed = capsys.readouterr().out
    assert "Total cost: 0\n" in printed and "* Model 'my-model': cost: 0, prompt_tokens: 10" in printed


def test_api_base_of_old_config_files_is_the_endpoint(llm_server: Any) -> None:
    # scenario wrapper_keys: openai<1 configs named the endpoint "api_base"; classic 0.2 failed with a TypeError
    # (it passed it to completions.create); it must never leave for api.openai.com with this endpoint's key
    wrapper = OpenAIWrapper(config_list=[{"model": "gpt-4", "api_key": "k", "api_base": llm_server.base_url}])
    assert wrapper.create(messages=USER, cache_seed=None).choices[0].message.content == "echo: Hi"
    (body,) = llm_server.chat_requests()
    assert "api_base" not in body


# ----- config helpers (scenario config_helpers)


def test_filter_config_exclude_with_several_keys_drops_a_config_matching_any() -> None:
    configs = [
        {"model": "gpt-4", "api_type": "azure"},
        {"model": "gpt-4", "api_type": "openai"},
        {"model": "gpt-3.5-turbo", "api_type": "azure"},
        {"model": "gpt-3.5-turbo", "api_type": "openai"},
    ]
    kept = filter_config(configs, {"model": ["gpt-4"], "api_type": ["azure"]}, exclude=True)
    assert kept == [{"model": "gpt-3.5-turbo", "api_type": "openai"}]
    # one key: the complement of the include filter, as before
    assert filter_config(configs, {"model": ["gpt-4"]}, exclude=True) == configs[2:]


def test_missing_config_file_is_classics_file_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MY_LIST", raising=False)
    with pytest.raises(FileNotFoundError) as caught:
        autogen.config_list_from_json("MY_LIST", file_location="nowhere")
    err = caught.value
    assert str(err).startswith("[Errno 2] No such file or directory: 'nowhere/MY_LIST'. ")
    assert "no environment variable 'MY_LIST'" in str(err)
    assert (err.errno, err.strerror, err.filename) == (errno.ENOENT, "No such file or directory", "nowhere/MY_LIST")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err) and str(copy) == str(err)


def test_config_file_that_is_not_json_starts_with_the_decoder_sentence(tmp_path: Path) -> None:
    path = tmp_path / "OAI_CONFIG_LIST"
    path.write_text("[{,]")
    with pytest.raises(json.JSONDecodeError) as caught:
        autogen.config_list_from_json(str(path))
    err = caught.value
    assert str(err).startswith("Expecting property name enclosed in double quotes: line 1 column 3 (char 2). ")
    assert "is not valid JSON" in str(err) and (err.lineno, err.colno, err.pos) == (1, 3, 2)

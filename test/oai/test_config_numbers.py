"""timeout / max_retries given as strings (JSON and environment configs do that) are converted or clearly rejected."""

from __future__ import annotations

from typing import Any

import pytest

from autogen.exception_utils import ConfigError
from autogen.oai.client import OpenAIWrapper
from autogen.oai.config import coerce_max_retries, coerce_timeout

USER = [{"role": "user", "content": "hi"}]


def test_numeric_string_timeout_is_applied(llm_server: Any) -> None:
    llm_server.script({"content": "late", "delay": 2})
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(timeout="0.3", max_retries="0"), cache_seed=None)
    with pytest.raises(TimeoutError, match="timed out"):
        wrapper.create(messages=USER)
    assert len(llm_server.chat_requests()) == 1  # max_retries "0" was applied too


def test_numeric_string_timeout_given_to_create_is_applied(llm_server: Any) -> None:
    llm_server.script({"content": "late", "delay": 2})
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(max_retries=0), cache_seed=None)
    with pytest.raises(TimeoutError):
        wrapper.create(messages=USER, timeout="0.3")


def test_numeric_strings_still_answer(llm_server: Any) -> None:
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(timeout="60", max_retries="2"), cache_seed=None)
    assert wrapper.create(messages=USER).choices[0].message.content == "echo: hi"


@pytest.mark.parametrize(
    "setting, fragment",
    [
        ({"timeout": "abc"}, "'timeout' must be a positive number of seconds"),
        ({"timeout": -5}, "'timeout' must be a positive number"),
        ({"timeout": True}, "'timeout'"),
        ({"max_retries": "x"}, "'max_retries' must be a whole number"),
        ({"max_retries": -1}, "'max_retries'"),
        ({"max_retries": 1.5}, "'max_retries'"),
    ],
)
def test_bad_values_are_a_clear_config_error(llm_server: Any, setting: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment) as info:
        OpenAIWrapper(config_list=llm_server.config_list(**setting), cache_seed=None)
    assert isinstance(info.value, ValueError)  # the classic type for a bad setting
    assert "config 0" in str(info.value)


def test_bad_timeout_given_to_create_is_a_config_error(llm_server: Any) -> None:
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    with pytest.raises(ConfigError, match="'timeout'"):
        wrapper.create(messages=USER, timeout="abc")
    assert llm_server.chat_requests() == []


def test_coercion_rules() -> None:
    assert (
        coerce_timeout("60", "c") == 60.0 and coerce_timeout(" 2.5 ", "c") == 2.5 and coerce_timeout(None, "c") is None
    )
    assert coerce_timeout(30, "c") == 30
    assert coerce_max_retries("3", "c") == 3 and coerce_max_retries(2.0, "c") == 2 and coerce_max_retries(0, "c") == 0
    for bad in ("nan", "inf", "0", ""):
        with pytest.raises(ConfigError):
            coerce_timeout(bad, "c")

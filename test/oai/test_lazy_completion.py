"""The direct path's answer (``LazyChatCompletion``) against the SDK's real ``ChatCompletion`` for the same body.

Each test gets the same server body twice: once through the direct path (a lazy completion) and once through the
SDK's own ``client.post`` (``AUTOGEN_DIRECT_HTTP=0``: a real ``ChatCompletion``), and compares what classic code
does with a response: ``isinstance``, attributes, ``model_dump``, ``==``, ``repr``, pickling, the disk cache (also
entries pickled by classic AutoGen as real ``ChatCompletion`` objects), the runtime logger. The agent's own path
(texts, usage, cost, cache) must leave the lazy completion unbuilt; a fresh process gets its first reply without
importing the SDK or pydantic.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pydantic
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionMessage

from autogen import runtime_logging
from autogen.cache import Cache
from autogen.oai import direct
from autogen.oai.client import OpenAIWrapper
from autogen.oai.completion_flow import get_key
from autogen.oai.lazy_completion import HIDDEN, LazyChatCompletion, restore

ROOT = Path(__file__).resolve().parents[2]
USER = [{"role": "user", "content": "hi"}]
BODY = {
    "id": "chatcmpl-fixed",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4",
    "system_fingerprint": "fp_1",
    "choices": [
        {"index": 0, "finish_reason": "stop", "logprobs": None, "message": {"role": "assistant", "content": "hello"}}
    ],
    "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12},
}
TOOL_BODY = {
    **BODY,
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}}
                ],
            },
        }
    ],
}


def built(response: Any) -> bool:
    return object.__getattribute__(response, "_model") is not None


@pytest.fixture
def sdk_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``use(True)`` sends through the SDK's client.post from now on, ``use(False)`` directly."""

    def use(sdk: bool) -> None:
        if sdk:
            monkeypatch.setenv("AUTOGEN_DIRECT_HTTP", "0")
        else:
            monkeypatch.delenv("AUTOGEN_DIRECT_HTTP", raising=False)
        direct.clear_routes()

    yield use
    direct.clear_routes()


def both(llm_server: Any, sdk_path: Any, body: dict[str, Any] = BODY, **create: Any) -> tuple[Any, Any]:
    """(the direct path's answer, the SDK's answer) to the same body."""
    answers = []
    for sdk in (False, True):
        sdk_path(sdk)
        llm_server.script({"raw": json.dumps(body)})
        wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
        answers.append(wrapper.create(messages=USER, **create))
    sdk_path(False)
    lazy, real = answers
    assert type(lazy) is LazyChatCompletion and type(real) is ChatCompletion
    return lazy, real


def test_the_agent_path_leaves_it_unbuilt(llm_server: Any, sdk_path: Any) -> None:
    lazy, real = both(llm_server, sdk_path)
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    assert wrapper.extract_text_or_completion_object(lazy) == wrapper.extract_text_or_completion_object(real)
    client = wrapper._clients[0]
    assert client.get_usage(lazy) == client.get_usage(real) and client.cost(lazy) == client.cost(real) > 0
    assert lazy.cost == real.cost and lazy.config_id == real.config_id == 0 and lazy.pass_filter is True
    assert not built(lazy)
    assert pickle.loads(pickle.dumps(lazy)).cost == real.cost and not built(lazy)  # what the caches do


def test_isinstance_and_attributes(llm_server: Any, sdk_path: Any) -> None:
    lazy, real = both(llm_server, sdk_path)
    assert isinstance(lazy, ChatCompletion) and isinstance(lazy, pydantic.BaseModel)
    assert lazy.__class__ is ChatCompletion
    assert not isinstance(lazy, (dict, str, ChatCompletionMessage))
    assert lazy.choices[0].message.content == real.choices[0].message.content == "hello"
    assert isinstance(lazy.choices[0].message, ChatCompletionMessage)
    assert (lazy.id, lazy.model, lazy.created, lazy.object) == (real.id, real.model, real.created, real.object)
    assert lazy.usage == real.usage and lazy.system_fingerprint == "fp_1"
    assert built(lazy)
    with pytest.raises(AttributeError):
        lazy.no_such_field  # noqa: B018
    lazy.cost = 1.5  # set after it was built: on the model, as on the SDK's object
    real.cost = 1.5
    assert lazy.model_dump()["cost"] == 1.5 and lazy.model_dump() == real.model_dump()


def test_dumps_equality_repr(llm_server: Any, sdk_path: Any) -> None:
    lazy, real = both(llm_server, sdk_path)
    assert repr(lazy) == repr(real) and str(lazy) == str(real)
    assert lazy == real and real == lazy and not (lazy != real)
    assert lazy.model_dump() == real.model_dump() and "message_retrieval_function" not in lazy.model_dump()
    assert lazy.model_dump_json() == real.model_dump_json()
    # fields and extras (pydantic 1 also yields private attributes, which the SDK sets otherwise than its parser)
    assert {k: v for k, v in lazy if not k.startswith("_") and k != HIDDEN} == {
        k: v for k, v in real if not k.startswith("_") and k != HIDDEN
    }
    assert lazy.to_dict() == real.to_dict()  # the SDK's own helpers
    assert copy.deepcopy(lazy) == real and copy.copy(lazy) == real
    other, _ = both(llm_server, sdk_path)
    assert other == lazy
    other.choices[0].message.content = "changed"
    assert other != lazy and other != real
    with pytest.raises(TypeError):
        hash(lazy)


def test_equal_before_either_is_built(llm_server: Any, sdk_path: Any) -> None:
    first, _ = both(llm_server, sdk_path)
    second, _ = both(llm_server, sdk_path)
    assert not built(first) and not built(second)
    assert first == second


def test_request_id_and_unusual_bodies(llm_server: Any, sdk_path: Any) -> None:
    odd = {**BODY, "provider_extra": {"x": 1}}
    odd["choices"] = [{**BODY["choices"][0], "finish_reason": "eos"}]  # validation rejects it: built leniently
    lazy, real = both(llm_server, sdk_path, odd)
    assert lazy.choices[0].finish_reason == real.choices[0].finish_reason == "eos"
    assert lazy.model_dump()["provider_extra"] == real.model_dump()["provider_extra"] == {"x": 1}


def test_pickles(llm_server: Any, sdk_path: Any) -> None:
    lazy, real = both(llm_server, sdk_path)
    loaded = pickle.loads(pickle.dumps(lazy))
    assert type(loaded) is LazyChatCompletion and not built(loaded) and loaded == real
    assert loaded.cost == real.cost and loaded.config_id == 0
    lazy.choices  # noqa: B018 - built now: it pickles as the real model
    loaded = pickle.loads(pickle.dumps(lazy))
    assert type(loaded) is ChatCompletion and loaded == real
    assert restore(json.dumps(BODY).encode(), None, {"cost": 2.0}).cost == 2.0


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_disk_cache_round_trip(llm_server: Any, tmp_path: Path, mode: str) -> None:
    llm_server.script({"raw": json.dumps(BODY)})
    wrapper = OpenAIWrapper(config_list=llm_server.config_list())

    def create() -> Any:
        with Cache.disk(cache_seed=7, cache_path_root=str(tmp_path / "c")) as cache:
            if mode == "sync":
                return wrapper.create(messages=USER, cache=cache)
            answers: list[Any] = []

            async def main() -> None:  # not returned from asyncio.run: CPython 3.11's runner formats the repr of
                answers.append(await wrapper.a_create(messages=USER, cache=cache))  # its task's result at exit

            asyncio.run(main())
            return answers[0]

    first, again = create(), create()
    assert len(llm_server.chat_requests()) == 1
    assert type(again) is LazyChatCompletion and not built(again)
    assert wrapper.extract_text_or_completion_object(again) == ["hello"] and again.cost == first.cost
    assert again == first
    assert wrapper.total_usage_summary["gpt-4"]["total_tokens"] == 24
    assert wrapper.actual_usage_summary["gpt-4"]["total_tokens"] == 12


def test_classic_cache_entries_still_load(llm_server: Any, tmp_path: Path) -> None:
    """Classic AutoGen cached pickled ``ChatCompletion`` objects (with ``cost`` set); they are answers as before."""
    classic = ChatCompletion.construct(**BODY)  # the SDK's recursive build, under pydantic 1 and 2
    classic.cost = 0.00045
    wrapper = OpenAIWrapper(config_list=llm_server.config_list())
    request = {"messages": USER, "model": "gpt-4"}
    with Cache.disk(cache_seed=8, cache_path_root=str(tmp_path / "c")) as cache:
        cache.set(get_key(request), classic)
        answer = wrapper.create(messages=USER, cache=cache)
    assert llm_server.chat_requests() == []
    assert type(answer) is ChatCompletion and answer.cost == 0.00045
    assert wrapper.extract_text_or_completion_object(answer) == ["hello"]


def test_tool_calls_are_the_sdks_message_objects(llm_server: Any, sdk_path: Any) -> None:
    lazy, real = both(llm_server, sdk_path, TOOL_BODY)
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    [ours] = wrapper.extract_text_or_completion_object(lazy)
    [theirs] = wrapper.extract_text_or_completion_object(real)
    assert isinstance(ours, ChatCompletionMessage) and ours == theirs
    assert ours.tool_calls[0].function.name == "add"


def test_the_runtime_logger_writes_the_same(llm_server: Any, sdk_path: Any, tmp_path: Path) -> None:
    db = str(tmp_path / "logs.db")
    runtime_logging.start(config={"dbname": db})
    try:
        both(llm_server, sdk_path)
    finally:
        runtime_logging.stop()
    with sqlite3.connect(db) as conn:
        rows = [json.loads(r[0]) for r in conn.execute("SELECT response FROM chat_completions ORDER BY id")]
    assert len(rows) == 2 and rows[0] == rows[1]
    assert rows[0]["choices"][0]["message"]["content"] == "hello" and rows[0]["id"] == "chatcmpl-fixed"


FIRST_REPLY = """
import json, sys
import autogen
config = {"config_list": [{"model": "gpt-4", "base_url": sys.argv[1], "api_key": "test"}], "cache_seed": None}
assistant = autogen.ConversableAgent("assistant", llm_config=config, human_input_mode="NEVER")
user = autogen.ConversableAgent("user", llm_config=False, human_input_mode="NEVER", code_execution_config=False)
reply = assistant.generate_reply(messages=[{"role": "user", "content": "hi"}], sender=user)
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"openai", "pydantic", "httpx", "tiktoken"})
usage = assistant.client.total_usage_summary
print(json.dumps({"reply": reply, "loaded": loaded, "tokens": usage["gpt-4"]["total_tokens"]}))
"""


def test_first_reply_of_a_fresh_process_loads_no_sdk(llm_server: Any) -> None:
    llm_server.script({"raw": json.dumps(BODY)})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env = {k: v for k, v in env.items() if not k.startswith("OPENAI_")}
    done = subprocess.run(
        [sys.executable, "-c", FIRST_REPLY, llm_server.base_url], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"reply": "hello", "loaded": [], "tokens": 12}

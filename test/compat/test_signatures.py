"""Classic signatures: positional orders, parameter names and the module names tests patch."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Dict, Tuple
from unittest import mock

import pytest
from helpers import ScriptedIO

from autogen import Cache, ConversableAgent, runtime_logging
from autogen.cache.cache_factory import CacheFactory
from autogen.cache.disk_cache import DiskCache
from autogen.io.base import IOStream
from autogen.logger import FileLogger, SqliteLogger
from autogen.oai import openai_utils


def params(func: Any) -> list:
    return list(inspect.signature(func).parameters)


def test_execute_function_keeps_the_classic_positional_order() -> None:
    agent = ConversableAgent("runner", llm_config=False, function_map={"double": lambda x: 2 * x})
    signature = inspect.signature(agent.execute_function)
    assert params(agent.execute_function) == ["func_call", "verbose", "call_id"]
    assert signature.parameters["call_id"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params(agent.a_execute_function) == ["func_call", "verbose", "call_id"]
    with IOStream.set_default(ScriptedIO()) as _:
        ok, result = agent.execute_function({"name": "double", "arguments": '{"x": 4}'}, True)  # verbose=True
    assert ok and result == {"name": "double", "role": "function", "content": "8"}


class ClassicExecutor(ConversableAgent):
    """A 0.2-era subclass overriding execute_function with the classic signature (no call_id)."""

    def execute_function(self, func_call: Dict[str, Any], verbose: bool = False) -> Tuple[bool, Dict[str, Any]]:
        self.seen = func_call["name"]
        return True, {"name": func_call["name"], "role": "function", "content": "overridden"}


def test_tool_calls_reach_a_classic_execute_function_override(llm_server: Any, llm_config: dict) -> None:
    llm_server.script({"tool_calls": [{"name": "lookup", "arguments": {"q": "x"}}]}, "TERMINATE")
    assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
    executor = ClassicExecutor("executor", llm_config=False, human_input_mode="NEVER", function_map={"lookup": len})
    with IOStream.set_default(ScriptedIO()):
        result = executor.initiate_chat(assistant, message="look it up", max_turns=2)
    assert executor.seen == "lookup"
    assert result.chat_history[2]["tool_responses"][0]["content"] == "overridden"


def test_runtime_logging_uses_the_classic_parameter_names() -> None:
    assert params(runtime_logging.log_chat_completion) == [
        "invocation_id",
        "client_id",
        "wrapper_id",
        "agent",
        "request",
        "response",
        "is_cached",
        "cost",
        "start_time",
    ]
    assert params(runtime_logging.log_function_use) == ["agent", "function", "args", "returns"]
    assert params(runtime_logging.log_new_agent) == ["agent", "init_args"]
    assert params(runtime_logging.log_event) == ["source", "name", "kwargs"]
    assert params(runtime_logging.log_new_wrapper) == ["wrapper", "init_args"]
    assert params(runtime_logging.log_new_client) == ["client", "wrapper", "init_args"]
    assert params(runtime_logging.start) == ["logger", "logger_type", "config"]


@pytest.mark.parametrize("logger_class", [FileLogger, SqliteLogger])
def test_logger_methods_use_the_classic_parameter_names(logger_class: Any) -> None:
    assert params(logger_class.log_chat_completion)[1:] == [
        "invocation_id",
        "client_id",
        "wrapper_id",
        "source",
        "request",
        "response",
        "is_cached",
        "cost",
        "start_time",
    ]
    assert params(logger_class.log_function_use)[1:] == ["source", "function", "args", "returns"]
    assert params(logger_class.log_new_agent)[1:] == ["agent", "init_args"]
    assert params(logger_class.log_event)[1:] == ["source", "name", "kwargs"]
    assert params(logger_class.log_new_client)[1:] == ["client", "wrapper", "init_args"]
    assert params(logger_class.__init__)[1:] == ["config"]


def test_cache_factory_signature_and_back_ends(tmp_path: Path) -> None:
    assert params(CacheFactory.cache_factory)[:4] == ["seed", "redis_url", "cache_path_root", "cosmosdb_config"]
    cache = CacheFactory.cache_factory("seed-1", cache_path_root=str(tmp_path))
    assert isinstance(cache, DiskCache)
    cache.set("k", {"v": 1})
    assert CacheFactory.cache_factory("seed-1", None, str(tmp_path)).get("k") == {"v": 1}
    assert (tmp_path / "seed-1").is_dir()
    with pytest.raises(ValueError, match="Cosmos DB"):
        CacheFactory.cache_factory("s", cosmosdb_config={"connection_string": "x"})


def test_cache_is_built_through_cache_factory(tmp_path: Path) -> None:
    with mock.patch("autogen.cache.cache_factory.CacheFactory.cache_factory", return_value=mock.MagicMock()) as made:
        cache = Cache.disk(cache_seed=3, cache_path_root=str(tmp_path))
    assert isinstance(cache.cache, mock.MagicMock)
    assert made.call_args.kwargs["seed"] == "3" and made.call_args.kwargs["cache_path_root"] == str(tmp_path)


def test_module_names_that_tests_patch(tmp_path: Path) -> None:
    seed = str(tmp_path / "patched-seed")
    with mock.patch("autogen.cache.disk_cache.diskcache.Cache") as disk:
        DiskCache(seed)
    disk.assert_called_with(seed)
    with mock.patch("autogen.cache.redis_cache.redis.Redis.from_url", return_value=mock.MagicMock()) as from_url:
        from autogen.cache.redis_cache import RedisCache

        RedisCache("s", "redis://127.0.0.1:1/0")
    from_url.assert_called_with("redis://127.0.0.1:1/0")


def test_assistant_helper_signatures() -> None:
    assert params(openai_utils.retrieve_assistants_by_name) == ["client", "name"]
    assert params(openai_utils.create_gpt_assistant) == ["client", "name", "instructions", "model", "assistant_config"]
    assert params(openai_utils.update_gpt_assistant) == ["client", "assistant_id", "assistant_config"]
    assert params(openai_utils.create_gpt_vector_store) == ["client", "name", "fild_ids"]  # sic, as classic


def test_assistant_helpers_through_the_local_server(llm_server: Any) -> None:
    import openai

    client = openai.OpenAI(api_key="test", base_url=llm_server.base_url)
    created = openai_utils.create_gpt_assistant(
        client, "helper", "Be brief.", "gpt-4", {"tools": [{"type": "code_interpreter"}]}
    )
    assert [a.id for a in openai_utils.retrieve_assistants_by_name(client, "helper")] == [created.id]
    updated = openai_utils.update_gpt_assistant(client, created.id, {"instructions": "Be very brief."})
    assert updated.instructions == "Be very brief."


def test_get_key_leaves_credentials_out() -> None:
    base = {"model": "gpt-4", "messages": [{"role": "user", "content": "hi"}]}
    assert openai_utils.get_key({**base, "api_key": "a"}) == openai_utils.get_key({**base, "api_key": "b"})
    assert openai_utils.get_key(base) != openai_utils.get_key({**base, "model": "gpt-4o"})
    assert {"api_key", "base_url", "api_type", "api_version"} <= set(openai_utils.NON_CACHE_KEY)


def test_classic_private_summary_helpers(llm_server: Any, llm_config: dict) -> None:
    inner = ConversableAgent("inner", llm_config=False, human_input_mode="NEVER", default_auto_reply="inner done")
    outer = ConversableAgent("outer", llm_config=llm_config, human_input_mode="NEVER")
    with IOStream.set_default(ScriptedIO()):
        queue = [{"recipient": inner, "message": "hi", "max_turns": 1}]
        assert ConversableAgent._summary_from_nested_chats(queue, outer) == (True, "inner done")
        assert [c["sender"] for c in ConversableAgent._get_chats_to_run(queue, outer, None, None, None)] == [outer]
        assert ConversableAgent._last_msg_as_summary(outer, inner, {}) == "inner done"
        llm_server.script("They greeted each other.")
        summary = ConversableAgent._reflection_with_llm_as_summary(inner, outer, {"summary_prompt": "Sum up."})
    assert summary == "They greeted each other."
    assert llm_server.chat_requests()[-1]["messages"][-1]["content"] == "Sum up."

"""Classic runtime logging: FileLogger records and location, SqliteLogger tables, the runtime_logging API."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from helpers import ScriptedIO

from autogen import AssistantAgent, ConversableAgent, runtime_logging
from autogen.io.base import IOStream
from autogen.logger import FileLogger
from autogen.logger.logger_utils import to_dict


def lines_of(path: str) -> list:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def test_file_logger_writes_before_start_with_classic_fields(tmp_path: Path) -> None:
    logger = FileLogger({"filename": str(tmp_path / "test_log.log")})  # as classic tests use it: no start()
    invocation_id = uuid.uuid4()
    agent = AssistantAgent(name="TestAgent", code_execution_config=False, llm_config=False)
    logger.log_chat_completion(
        invocation_id=invocation_id,
        client_id=123456789,
        wrapper_id=987654321,
        source=agent,
        request={"messages": [{"content": "Test message", "role": "user"}]},
        response="Test response",
        is_cached=0,
        cost=0.5,
        start_time="2024-05-06 15:20:21.263231",
    )
    (record,) = lines_of(logger.log_file)
    assert record["invocation_id"] == str(invocation_id)
    assert (record["client_id"], record["wrapper_id"]) == (123456789, 987654321)
    assert record["request"] == {"messages": [{"content": "Test message", "role": "user"}]}
    assert record["response"] == "Test response"
    assert (record["is_cached"], record["cost"]) == (0, 0.5)
    assert record["start_time"] == "2024-05-06 15:20:21.263231" and record["end_time"]
    assert isinstance(record["thread_id"], int) and record["source_name"] == "TestAgent"


def test_classic_logger_helpers_keep_their_import_paths_and_defaults(tmp_path: Path) -> None:
    from autogen.logger.file_logger import safe_serialize
    from autogen.logger.sqlite_logger import safe_serialize as sqlite_safe_serialize

    class WithJson:
        def to_json(self) -> str:
            return "as json"

    value = {"n": 1, "thing": WithJson(), "other": object()}
    for serialize in (safe_serialize, sqlite_safe_serialize):
        assert json.loads(serialize(value)) == {"n": 1, "thing": "as json", "other": "<<non-serializable: object>>"}
    logger = FileLogger({"filename": str(tmp_path / "agents.log")})
    agent = ConversableAgent("solo", llm_config=False)
    logger.log_new_agent(agent)  # classic: init_args defaults to {}
    logger.log_new_wrapper(object())
    records = lines_of(logger.log_file)
    assert [r.get("agent_name") for r in records][:1] == ["solo"] and len(records) == 2


def test_file_logger_agent_event_function_records(tmp_path: Path) -> None:
    logger = FileLogger({"filename": str(tmp_path / "test_log.log")})
    agent = AssistantAgent(name="TestAgent", code_execution_config=False, llm_config=False)
    init_args = {"foo": "bar", "baz": {"other_key": "other_val"}, "a": None}
    logger.log_new_agent(agent, init_args)
    logger.log_event(agent, "received_message", message={"content": "hi"}, sender="bob")
    logger.log_event("a string source", "start")

    def add(a: int, b: int) -> int:
        return a + b

    logger.log_function_use(agent, add, {"a": 1, "b": 2}, 3)
    new_agent, event, string_event, function_use = lines_of(logger.log_file)
    assert new_agent["agent_name"] == "TestAgent" and new_agent["agent_type"] == "AssistantAgent"
    assert new_agent["args"] == to_dict(init_args) and new_agent["id"] == id(agent)
    assert new_agent["session_id"] == logger.session_id and new_agent["current_time"]
    assert event["source_name"] == "TestAgent" and event["event_name"] == "received_message"
    assert event["agent_module"] == "autogen.agentchat.assistant_agent" and event["agent_class"] == "AssistantAgent"
    assert json.loads(event["json_state"]) == {"message": {"content": "hi"}, "sender": "bob"}  # a JSON string
    assert string_event["source_name"] == "a string source"
    # classic: arguments and result are JSON strings inside the record (user code json.loads them)
    assert function_use["input_args"] == '{"a": 1, "b": 2}' and function_use["returns"] == "3"
    assert function_use["agent_class"] == "AssistantAgent"
    logger.stop()
    logger.log_event(agent, "after stop")
    assert len(lines_of(logger.log_file)) == 4


def test_relative_file_name_goes_to_autogen_logs(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    logger = FileLogger({"filename": "runtime.log"})
    assert Path(logger.log_file) == tmp_path / "autogen_logs" / "runtime.log"
    logger.start()
    logger.log_event("me", "hello")
    logger.stop()
    assert lines_of(str(tmp_path / "autogen_logs" / "runtime.log"))[0]["event_name"] == "hello"


def test_runtime_logging_of_a_real_chat_to_file_and_sqlite(llm_server: Any, llm_config: dict, tmp_path: Path) -> None:
    llm_server.script("4")
    log_file = tmp_path / "chat.log"
    session = runtime_logging.start(logger_type="file", config={"filename": str(log_file)})
    try:
        assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
        user = ConversableAgent("user", llm_config=False, human_input_mode="NEVER", max_consecutive_auto_reply=0)
        with IOStream.set_default(ScriptedIO()):
            user.initiate_chat(assistant, message="2+2?")
    finally:
        runtime_logging.stop()
    records = lines_of(str(log_file))
    (completion,) = [r for r in records if r.get("type") == "chat_completion"]
    assert completion["source_name"] == "assistant" and completion["session_id"] == session
    assert completion["request"]["messages"][-1]["content"] == "2+2?"
    assert completion["response"]["choices"][0]["message"]["content"] == "4"
    agents = {r["agent_name"]: r for r in records if r.get("type") == "new_agent"}
    assert (
        agents["assistant"]["agent_type"] == "ConversableAgent" and agents["assistant"]["args"]["name"] == "assistant"
    )

    dbname = str(tmp_path / "logs.db")
    runtime_logging.start(config={"dbname": dbname})
    try:
        with IOStream.set_default(ScriptedIO()):
            llm_server.script("5")
            ConversableAgent("assistant2", llm_config=llm_config, human_input_mode="NEVER").generate_reply(
                messages=[{"role": "user", "content": "2+3?"}]
            )
    finally:
        runtime_logging.stop()
    with sqlite3.connect(dbname) as con:
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"chat_completions", "agents", "oai_wrappers", "oai_clients", "events", "function_calls"} <= tables
        (source_name, response) = con.execute("SELECT source_name, response FROM chat_completions").fetchone()
        (name, cls) = con.execute("SELECT name, class FROM agents").fetchone()
    assert source_name == "assistant2" and json.loads(response)["choices"][0]["message"]["content"] == "5"
    assert (name, cls) == ("assistant2", "ConversableAgent")


def test_sqlite_rows_of_a_tool_chat_read_as_classic(llm_server: Any, llm_config: dict, tmp_path: Path) -> None:
    from autogen import UserProxyAgent, register_function

    llm_server.script({"tool_calls": [{"name": "add", "arguments": '{"a": 2, "b": 3}'}]}, "5.")
    dbname = str(tmp_path / "logs.db")
    runtime_logging.start(config={"dbname": dbname})
    try:
        assistant = AssistantAgent("assistant", llm_config=llm_config)
        user = UserProxyAgent(
            "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=1
        )

        def add(a: int, b: int) -> int:
            return a + b

        register_function(add, caller=assistant, executor=user, description="Add")
        with IOStream.set_default(ScriptedIO()):
            user.initiate_chat(assistant, message="2+3?")
    finally:
        runtime_logging.stop()
    with sqlite3.connect(dbname) as con:
        # the SDK class, as classic logged the openai.OpenAI object it built
        assert [r[0] for r in con.execute("SELECT class FROM oai_clients")] == ["OpenAI"]
        # the function's own return value, serialised: 5, not the string "5" sent back to the model
        assert con.execute("SELECT function_name, args, returns FROM function_calls").fetchall() == [
            ("add", '{"a": 2, "b": 3}', "5")
        ]
        agents = dict(con.execute("SELECT name, wrapper_id FROM agents").fetchall())
        assert agents["user"] == "" and isinstance(agents["assistant"], int)  # classic: "" without a client
        # SELECT * rows read by position: the classic columns come first, in the classic order
        events = [r[1] for r in con.execute("PRAGMA table_info(events)")]
        calls = [r[1] for r in con.execute("PRAGMA table_info(function_calls)")]
    assert events[:8] == [
        "event_name",
        "source_id",
        "source_name",
        "agent_module",
        "agent_class_name",
        "id",
        "json_state",
        "timestamp",
    ]
    assert calls[:6] == ["source_id", "source_name", "function_name", "args", "returns", "timestamp"]


def test_file_logger_client_class_and_agent_without_client(tmp_path: Path, llm_config: dict) -> None:
    from autogen import OpenAIWrapper

    logger = FileLogger({"filename": str(tmp_path / "run.log")})
    wrapper = OpenAIWrapper(**llm_config)
    client = wrapper._clients[0]
    logger.log_new_client(client, wrapper, {"base_url": "x"})
    logger.log_new_agent(ConversableAgent("solo", llm_config=False), {})
    new_client, new_agent = lines_of(logger.log_file)
    assert new_client["class"] == "OpenAI" and new_agent["wrapper_id"] == ""
    logger.stop()

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

import autogen.runtime_logging as runtime_logging
from autogen.logger import BaseLogger, FileLogger, LoggerFactory, SqliteLogger
from autogen.logger.logger_utils import get_current_ts, to_dict


class FakeAgent:
    """Looks like an agent to the loggers: a name, send/receive, a client."""

    def __init__(self, name: str, client: Any = None) -> None:
        self.name = name
        self.client = client
        self.peer: Optional[FakeAgent] = None

    def send(self, message: Any, recipient: Any) -> None:
        pass

    def receive(self, message: Any, sender: Any) -> None:
        pass


class FakeWrapper:
    pass


class FakeClient:
    pass


class FakeCompletion:
    """Mimics an openai ChatCompletion: a pydantic-style model_dump plus extra, non-JSON attributes."""

    def __init__(self) -> None:
        self.cost = 0.25
        self.message_retrieval_function = self.model_dump

    def model_dump(self, warnings: bool = True) -> dict[str, Any]:
        return {
            "id": "chatcmpl-1",
            "model": "gpt-4",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "héllo"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
            "created": datetime.datetime(2024, 1, 2, 3, 4, 5),
        }


@pytest.fixture
def dbname(tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "logs.db")
    yield path
    runtime_logging.stop()


def _rows(dbname: str, query: str) -> list[sqlite3.Row]:
    con = sqlite3.connect(dbname)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def _log_everything(agent: FakeAgent, wrapper: FakeWrapper, client: FakeClient) -> uuid.UUID:
    invocation_id = uuid.uuid4()
    start_time = get_current_ts()
    runtime_logging.log_new_wrapper(
        wrapper, {"config_list": [{"model": "gpt-4", "api_key": "sk-secret"}], "cache_seed": None}
    )
    runtime_logging.log_new_client(client, wrapper, {"api_key": "sk-secret", "timeout": 60})
    runtime_logging.log_new_agent(
        agent,
        {
            "self": agent,
            "name": agent.name,
            "system_message": "You are helpful.",
            "is_termination_msg": lambda m: "TERMINATE" in m.get("content", ""),
            "llm_config": {"config_list": [{"model": "gpt-4", "api_key": "sk-secret"}]},
        },
    )
    request = {"messages": [{"role": "user", "content": "hi"}], "model": "gpt-4", "agent": agent, "api_key": "sk"}
    runtime_logging.log_chat_completion(
        invocation_id, id(client), id(wrapper), agent, request, FakeCompletion(), 0, 0.25, start_time
    )
    runtime_logging.log_chat_completion(
        uuid.uuid4(), id(client), id(wrapper), "a string source", request, "Error: rate limited", 1, 0.0, start_time
    )
    runtime_logging.log_event(agent, "received_message", message={"content": "hi"}, sender=FakeAgent("bob"))
    runtime_logging.log_event("groupchat", "select_speaker", speaker="alice")

    def add(a: int, b: int) -> int:
        return a + b

    runtime_logging.log_function_use(agent, add, {"a": 1, "b": 2}, 3)
    return invocation_id


def test_sqlite_logging_writes_every_table(dbname: str) -> None:
    session_id = runtime_logging.start(config={"dbname": dbname})
    assert uuid.UUID(session_id)
    assert runtime_logging.logging_enabled()
    assert isinstance(runtime_logging.get_connection(), sqlite3.Connection)

    wrapper, client = FakeWrapper(), FakeClient()
    agent = FakeAgent("alice", client=wrapper)
    # logged twice (a subclass's __init__ logs after its parent's): one row, with the later arguments
    runtime_logging.log_new_agent(agent, {"name": "alice", "from": "the parent class"})
    invocation_id = _log_everything(agent, wrapper, client)
    runtime_logging.stop()
    assert not runtime_logging.logging_enabled()
    assert runtime_logging.get_connection() is None

    completions = _rows(dbname, "SELECT * FROM chat_completions ORDER BY id")
    assert len(completions) == 2
    first = completions[0]
    assert first["invocation_id"] == str(invocation_id)
    assert first["client_id"] == id(client)
    assert first["wrapper_id"] == id(wrapper)
    assert first["session_id"] == session_id
    assert first["source_name"] == "alice"
    assert first["is_cached"] == 0
    assert first["cost"] == 0.25
    assert first["start_time"] <= first["end_time"]
    request = json.loads(first["request"])
    assert request["messages"] == [{"role": "user", "content": "hi"}]
    assert request["agent"] == "alice"
    assert "api_key" not in request
    response = json.loads(first["response"])
    assert response["choices"][0]["message"]["content"] == "héllo"
    assert response["created"] == "2024-01-02T03:04:05"
    second = completions[1]
    assert second["source_name"] == "a string source"
    assert second["is_cached"] == 1
    assert json.loads(second["response"]) == {"response": "Error: rate limited"}

    (agent_row,) = _rows(dbname, "SELECT * FROM agents")
    assert agent_row["agent_id"] == id(agent)
    assert agent_row["wrapper_id"] == id(wrapper)
    assert agent_row["session_id"] == session_id
    assert agent_row["name"] == "alice"
    assert agent_row["class"] == "FakeAgent"
    init_args = json.loads(agent_row["init_args"])
    assert "self" not in init_args and "from" not in init_args
    assert init_args["system_message"] == "You are helpful."
    assert "TERMINATE" in init_args["is_termination_msg"]  # lambdas are logged as their source
    assert init_args["llm_config"] == {"config_list": [{"model": "gpt-4"}]}
    assert "sk-secret" not in agent_row["init_args"]

    (wrapper_row,) = _rows(dbname, "SELECT * FROM oai_wrappers")
    assert wrapper_row["wrapper_id"] == id(wrapper)
    assert wrapper_row["session_id"] == session_id
    assert json.loads(wrapper_row["init_args"]) == {"config_list": [{"model": "gpt-4"}], "cache_seed": None}

    (client_row,) = _rows(dbname, "SELECT * FROM oai_clients")
    assert client_row["client_id"] == id(client)
    assert client_row["wrapper_id"] == id(wrapper)
    assert client_row["class"] == "FakeClient"
    assert json.loads(client_row["init_args"]) == {"timeout": 60}

    events = _rows(dbname, "SELECT * FROM events ORDER BY id")
    assert [e["event_name"] for e in events] == ["received_message", "select_speaker"]
    assert events[0]["source_id"] == id(agent)
    assert events[0]["source_name"] == "alice"
    assert events[0]["agent_module"] == __name__
    assert events[0]["agent_class_name"] == "FakeAgent"
    assert json.loads(events[0]["json_state"]) == {"message": {"content": "hi"}, "sender": "bob"}
    assert events[1]["source_name"] == "groupchat"
    assert events[1]["agent_class_name"] is None
    assert json.loads(events[1]["json_state"]) == {"speaker": "alice"}

    (call,) = _rows(dbname, "SELECT * FROM function_calls")
    assert call["source_id"] == id(agent)
    assert call["source_name"] == "alice"
    assert call["function_name"] == "add"
    assert json.loads(call["args"]) == {"a": 1, "b": 2}
    assert json.loads(call["returns"]) == 3
    assert call["timestamp"]

    assert [tuple(r) for r in _rows(dbname, "SELECT * FROM version")] == [(1, 1)]


def test_logging_off_is_a_no_op(tmp_path: Path) -> None:
    assert not runtime_logging.logging_enabled()
    agent = FakeAgent("alice")
    runtime_logging.log_new_agent(agent, {})
    runtime_logging.log_event(agent, "x")
    runtime_logging.log_function_use(agent, print, {}, None)
    runtime_logging.log_chat_completion(uuid.uuid4(), 1, 2, agent, {}, None, 0, 0.0, get_current_ts())
    runtime_logging.log_new_wrapper(object(), {})
    runtime_logging.log_new_client(object(), object(), {})
    runtime_logging.stop()  # harmless when off
    assert list(tmp_path.iterdir()) == []


def test_a_second_session_appends_to_the_same_database(dbname: str) -> None:
    first = runtime_logging.start(config={"dbname": dbname})
    runtime_logging.log_event("x", "one")
    second = runtime_logging.start(config={"dbname": dbname})  # stops the first logger
    runtime_logging.log_event("x", "two")
    runtime_logging.stop()
    assert first != second
    rows = _rows(dbname, "SELECT event_name, session_id FROM events ORDER BY id")
    assert [tuple(r) for r in rows] == [("one", first), ("two", second)]


def test_logging_from_many_threads(dbname: str) -> None:
    runtime_logging.start(config={"dbname": dbname})

    def work(n: int) -> None:
        for i in range(20):
            runtime_logging.log_event(f"thread-{n}", "tick", i=i)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    runtime_logging.stop()
    assert _rows(dbname, "SELECT COUNT(*) FROM events")[0][0] == 80


def test_unserialisable_values_never_raise(dbname: str) -> None:
    runtime_logging.start(config={"dbname": dbname})

    class Weird:
        __slots__ = ()

        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    cyclic: dict[str, Any] = {}
    cyclic["self_ref"] = cyclic
    agent = FakeAgent("a")
    agent.peer = agent
    runtime_logging.log_event("src", "weird", value=Weird(), cyclic=cyclic, raw=b"\x00", agent_obj=object())
    runtime_logging.log_function_use("src", lambda: None, {"x": {1, 2}}, Weird())
    runtime_logging.stop()
    (event,) = _rows(dbname, "SELECT json_state FROM events")
    state = json.loads(event["json_state"])
    assert state["value"] == "<Weird>"
    assert state["cyclic"] == {"self_ref": "<cycle: dict>"}
    assert state["raw"] == "b'\\x00'"
    assert _rows(dbname, "SELECT COUNT(*) FROM function_calls")[0][0] == 1


def test_failing_logger_does_not_break_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(SqliteLogger):
        def log_event(self, source: Any, name: str, **kwargs: Any) -> None:
            raise RuntimeError("disk on fire")

    runtime_logging.start(logger=Broken({"dbname": ":memory:"}))
    try:
        runtime_logging.log_event("src", "boom")  # reported, not raised
    finally:
        runtime_logging.stop()
    assert "disk on fire" in caplog.text


def test_custom_logger_instance() -> None:
    calls: list[str] = []

    class Recorder(BaseLogger):
        def start(self) -> str:
            return "session-1"

        def log_chat_completion(self, *args: Any) -> None:
            calls.append("chat_completion")

        def log_new_agent(self, agent: Any, init_args: dict[str, Any]) -> None:
            calls.append("new_agent")

        def log_event(self, source: Any, name: str, **kwargs: Any) -> None:
            calls.append(f"event:{name}")

        def log_new_wrapper(self, wrapper: Any, init_args: dict[str, Any]) -> None:
            calls.append("new_wrapper")

        def log_new_client(self, client: Any, wrapper: Any, init_args: dict[str, Any]) -> None:
            calls.append("new_client")

        def log_function_use(self, source: Any, function: Any, args: dict[str, Any], returns: Any) -> None:
            calls.append("function_use")

        def stop(self) -> None:
            calls.append("stop")

        def get_connection(self) -> None:
            return None

    assert runtime_logging.start(logger=Recorder()) == "session-1"
    runtime_logging.log_event("src", "hello")
    runtime_logging.log_new_agent(FakeAgent("a"), {})
    runtime_logging.stop()
    runtime_logging.log_event("src", "after stop")
    assert calls == ["event:hello", "new_agent", "stop"]


def test_file_logger(tmp_path: Path) -> None:
    filename = tmp_path / "logs" / "runtime.log"
    session_id = runtime_logging.start(logger_type="file", config={"filename": str(filename)})
    assert runtime_logging.get_connection() is None
    wrapper, client = FakeWrapper(), FakeClient()
    agent = FakeAgent("alice", client=wrapper)
    _log_everything(agent, wrapper, client)
    runtime_logging.stop()

    records = [json.loads(line) for line in filename.read_text(encoding="utf-8").splitlines()]
    assert [r["type"] for r in records] == [
        "new_wrapper",
        "new_client",
        "new_agent",
        "chat_completion",
        "chat_completion",
        "event",
        "event",
        "function_use",
    ]
    assert all(r["session_id"] == session_id for r in records)
    assert "sk-secret" not in filename.read_text(encoding="utf-8")
    completion = records[3]
    assert completion["source_name"] == "alice"
    assert completion["response"]["choices"][0]["message"]["content"] == "héllo"
    assert records[4]["response"] == "Error: rate limited"  # a string as is (classic)
    assert records[2]["agent_name"] == "alice"
    assert records[2]["wrapper_id"] == id(wrapper)
    assert records[5]["event_name"] == "received_message"
    assert records[7]["function_name"] == "add"
    assert records[7]["returns"] == "3"  # classic: a JSON string inside the record


def test_logger_factory() -> None:
    assert isinstance(LoggerFactory.get_logger("sqlite", {"dbname": ":memory:"}), SqliteLogger)
    assert isinstance(LoggerFactory.get_logger("file", {"filename": "x.log"}), FileLogger)
    with pytest.raises(ValueError, match=r"Unknown logger_type 'mongo'.*'sqlite', 'file'"):
        LoggerFactory.get_logger("mongo")
    with pytest.raises(ValueError, match="Unknown logger_type"):
        runtime_logging.start(logger_type="mongo")
    assert not runtime_logging.logging_enabled()


def test_sqlite_upgrades_an_older_database(tmp_path: Path) -> None:
    dbname = str(tmp_path / "old.db")
    con = sqlite3.connect(dbname)
    con.execute("CREATE TABLE events (event_name TEXT, source_id INTEGER, source_name TEXT, id INTEGER PRIMARY KEY)")
    con.commit()
    con.close()
    session_id = runtime_logging.start(config={"dbname": dbname})
    runtime_logging.log_event("src", "new")
    runtime_logging.stop()
    (row,) = _rows(dbname, "SELECT event_name, session_id, json_state FROM events")
    assert tuple(row) == ("new", session_id, "{}")


class Shade(enum.Enum):
    DARK = "dark"


@dataclasses.dataclass
class Box:
    size: int
    shade: Shade


def test_to_dict() -> None:
    agent = FakeAgent("alice")
    obj = FakeWrapper()
    obj.__dict__.update(
        {"api_key": "x", "items": (1, Box(2, Shade.DARK)), "who": agent, "when": datetime.date(2024, 1, 2)}
    )
    assert to_dict(obj, exclude=("api_key",)) == {
        "items": [1, {"size": 2, "shade": "dark"}],
        "who": "alice",
        "when": "2024-01-02",
    }
    assert to_dict({"a": FakeWrapper()}, no_recursive=(FakeWrapper,))["a"].startswith("<")
    assert to_dict(json.dumps) == "json.dumps"
    assert to_dict(Path("a/b")) == "a/b"


def test_openai_completion_with_extra_attributes_is_logged(dbname: str) -> None:
    chat = pytest.importorskip("openai.types.chat")
    completion = chat.ChatCompletion.model_validate(
        {
            "id": "chatcmpl-9",
            "object": "chat.completion",
            "created": 1,
            "model": "gpt-4",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}],
        }
    )
    completion.cost = 0.5  # what OpenAIWrapper attaches
    completion.message_retrieval_function = completion.model_dump
    runtime_logging.start(config={"dbname": dbname})
    runtime_logging.log_chat_completion(uuid.uuid4(), 1, 2, "src", {"messages": []}, completion, 0, 0.5, "")
    runtime_logging.stop()
    (row,) = _rows(dbname, "SELECT response FROM chat_completions")
    response = json.loads(row["response"])
    assert response["choices"][0]["message"]["content"] == "hi"
    assert response["cost"] == 0.5


def test_get_current_ts_format() -> None:
    ts = get_current_ts()
    assert datetime.datetime.strptime(ts, "%Y-%m-%d %H:%M:%S.%f")


def test_import_is_cheap() -> None:
    code = (
        "import sys, autogen.runtime_logging, autogen.function_utils;"
        "print(sorted(m for m in ('pydantic', 'openai', 'sqlite3') if m in sys.modules))"
    )
    repo = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo).stdout
    assert out.strip() == "[]"

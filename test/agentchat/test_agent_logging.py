"""Runtime logging of a chat: SQLite rows for agents, LLM calls, events and tool calls."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Iterator

import pytest
from helpers import ScriptedIO

from autogen import ConversableAgent, runtime_logging
from autogen.io.base import IOStream


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "logs.db"
    runtime_logging.start(config={"dbname": str(path)})
    try:
        yield path
    finally:
        runtime_logging.stop()


def test_chat_is_logged(db: Path, llm_server: Any, llm_config: dict) -> None:
    assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
    user = ConversableAgent("user", human_input_mode="NEVER", max_consecutive_auto_reply=2)

    @user.register_for_execution()
    @assistant.register_for_llm(description="Echo.")
    def echo(text: str) -> str:
        return text

    llm_server.script({"tool_calls": [{"name": "echo", "arguments": {"text": "hey"}, "id": "1"}]}, "TERMINATE")
    with IOStream.set_default(ScriptedIO()):
        user.initiate_chat(assistant, message="hi")
    runtime_logging.stop()

    con = sqlite3.connect(db)
    agents = {row[0]: row[1] for row in con.execute("SELECT name, class FROM agents")}
    assert agents == {"assistant": "ConversableAgent", "user": "ConversableAgent"}
    init_args = json.loads(con.execute("SELECT init_args FROM agents WHERE name='user'").fetchone()[0])
    assert init_args["human_input_mode"] == "NEVER" and init_args["max_consecutive_auto_reply"] == 2
    assert con.execute("SELECT COUNT(*) FROM chat_completions").fetchone()[0] == 2
    events = [row[0] for row in con.execute("SELECT event_name FROM events")]
    assert events.count("received_message") == 4 and "reply_func_executed" in events
    calls = con.execute("SELECT function_name, returns FROM function_calls").fetchall()
    assert calls and calls[0][0] == "echo" and "hey" in calls[0][1]
    con.close()


def test_logging_off_costs_nothing(llm_server: Any, llm_config: dict) -> None:
    assert not runtime_logging.logging_enabled()
    agent = ConversableAgent("quiet", llm_config=llm_config)
    assert agent._client is None  # nothing was built just to be logged

"""The wrapper reports to autogen.runtime_logging: wrappers, clients, and each completion (cached or not)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import pytest

from autogen import runtime_logging
from autogen.oai.client import OpenAIWrapper


@pytest.fixture
def logging_db(tmp_path: Path) -> Any:
    runtime_logging.start(config={"dbname": str(tmp_path / "logs.db")})
    yield runtime_logging.get_connection()
    runtime_logging.stop()


def test_completions_and_objects_are_logged(llm_server: Any, logging_db: Any) -> None:
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=12)
    messages = [{"role": "user", "content": "log me"}]
    wrapper.create(messages=messages, agent="tester")
    wrapper.create(messages=messages, agent="tester")  # a cache hit
    llm_server.script({"status": 400, "content": "refused"})
    with pytest.raises(openai.BadRequestError):
        wrapper.create(messages=[{"role": "user", "content": "fail"}], max_retries=0)

    rows = logging_db.execute(
        "SELECT wrapper_id, client_id, source_name, request, response, is_cached, cost FROM chat_completions ORDER BY id"
    ).fetchall()
    assert [row[5] for row in rows] == [0, 1, 0]  # is_cached
    assert [row[2] for row in rows[:2]] == ["tester", "tester"]  # the agent passed to create()
    assert all(row[0] == wrapper.wrapper_id for row in rows)
    assert rows[0][1] == id(wrapper._clients[0])
    assert json.loads(rows[0][3])["messages"] == messages
    assert json.loads(rows[0][4])["choices"][0]["message"]["content"] == "echo: log me"
    assert rows[0][6] > 0 and rows[1][6] == rows[0][6]
    assert "refused" in rows[2][4]
    assert logging_db.execute("SELECT wrapper_id FROM oai_wrappers").fetchall() == [(wrapper.wrapper_id,)]
    clients = logging_db.execute("SELECT client_id, wrapper_id, class FROM oai_clients").fetchall()
    assert clients == [(id(wrapper._clients[0]), wrapper.wrapper_id, "OpenAI")]  # the SDK class, as classic

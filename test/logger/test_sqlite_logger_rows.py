"""The SQLite runtime logger never drops a row: objects whose id() was reused by a new one get their own row."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterator

import pytest

import autogen.runtime_logging as runtime_logging
from autogen import ConversableAgent
from autogen.oai.client import OpenAIWrapper


@pytest.fixture
def dbname(tmp_path: Path) -> Iterator[str]:
    yield str(tmp_path / "logs.db")
    runtime_logging.stop()


def _count(dbname: str, table: str) -> int:
    with sqlite3.connect(dbname) as con:
        return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_thousand_agents_created_in_a_loop_give_thousand_rows(dbname: str) -> None:
    runtime_logging.start(config={"dbname": dbname})
    agent_ids = set()
    for i in range(1000):
        agent = ConversableAgent(f"agent_{i}", llm_config=False, human_input_mode="NEVER")
        agent_ids.add(id(agent))
        del agent  # freed at once, so later agents reuse its id()
    runtime_logging.stop()
    assert len(agent_ids) < 1000  # ids really were reused: the case that lost rows
    assert _count(dbname, "agents") == 1000
    with sqlite3.connect(dbname) as con:
        names = {row[0] for row in con.execute("SELECT name FROM agents")}
    assert names == {f"agent_{i}" for i in range(1000)}


def test_wrappers_and_clients_with_reused_ids_keep_their_rows(dbname: str, llm_server: object) -> None:
    runtime_logging.start(config={"dbname": dbname})
    for _ in range(50):
        OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)  # type: ignore[attr-defined]
    runtime_logging.stop()
    assert _count(dbname, "oai_wrappers") == 50
    assert _count(dbname, "oai_clients") == 50


def test_an_agent_logged_twice_is_one_row(dbname: str) -> None:
    runtime_logging.start(config={"dbname": dbname})
    agent = ConversableAgent("alice", llm_config=False)
    runtime_logging.log_new_agent(agent, {"name": "alice"})
    runtime_logging.stop()
    assert _count(dbname, "agents") == 1


def test_database_of_an_older_version_loses_its_unique_constraint(dbname: str) -> None:
    with sqlite3.connect(dbname) as con:
        con.execute(
            "CREATE TABLE agents (id INTEGER PRIMARY KEY, agent_id INTEGER, wrapper_id INTEGER, session_id TEXT, "
            "name TEXT, class TEXT, init_args TEXT, timestamp DATETIME DEFAULT CURRENT_TIMESTAMP, "
            "UNIQUE(agent_id, session_id))"
        )
        con.execute("INSERT INTO agents (agent_id, session_id, name) VALUES (7, 's', 'old')")
    runtime_logging.start(config={"dbname": dbname})
    for i in range(20):
        ConversableAgent(f"new_{i}", llm_config=False)
    runtime_logging.stop()
    assert _count(dbname, "agents") == 21
    with sqlite3.connect(dbname) as con:
        assert con.execute("SELECT name FROM agents WHERE agent_id = 7").fetchone() == ("old",)
        (sql,) = con.execute("SELECT sql FROM sqlite_master WHERE name = 'agents'").fetchone()
    assert "UNIQUE" not in sql.upper()

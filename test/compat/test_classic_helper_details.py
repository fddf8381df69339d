"""Classic details of the logging, schema, graph and chunking helpers that 0.2-era code checks directly."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Iterator

import pytest
from pydantic import BaseModel
from typing_extensions import Annotated

from autogen import Agent, AssistantAgent, ConversableAgent, GroupChat, GroupChatManager, OpenAIWrapper, runtime_logging
from autogen._pydantic import model_dump
from autogen.function_utils import get_function_schema, get_parameter_json_schema
from autogen.graph_utils import check_graph_validity
from autogen.logger.logger_utils import to_dict
from autogen.retrieve_utils import split_text_to_chunks


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    runtime_logging.start(config={"dbname": str(tmp_path / "logs.db")})
    con = runtime_logging.get_connection()
    assert con is not None
    con.row_factory = sqlite3.Row
    try:
        yield con
    finally:
        runtime_logging.stop()


def test_an_agent_row_holds_the_most_derived_class_and_its_arguments(db: sqlite3.Connection) -> None:
    agent = AssistantAgent("helper", llm_config=False, max_consecutive_auto_reply=3)
    manager = GroupChatManager(GroupChat([agent], [], max_round=2), llm_config=False, silent=True)
    rows = {r["name"]: r for r in db.execute("SELECT name, class, init_args, agent_id FROM agents")}
    assert rows["helper"]["class"] == "AssistantAgent" and rows["helper"]["agent_id"] == id(agent)
    args = json.loads(rows["helper"]["init_args"])
    # AssistantAgent's own parameters (its **kwargs as "kwargs"), not ConversableAgent's
    assert args["max_consecutive_auto_reply"] == 3 and "kwargs" in args and "function_map" not in args
    assert json.loads(rows["chat_manager"]["init_args"])["silent"] is True
    assert len(rows) == 2 == db.execute("SELECT count(*) FROM agents").fetchone()[0]
    # a later explicit call replaces the arguments, as classic's upsert did
    runtime_logging.log_new_agent(agent, {"foo": "bar", "a": None})
    (row,) = db.execute("SELECT init_args FROM agents WHERE agent_id = ?", (id(agent),)).fetchall()
    assert row["init_args"] == json.dumps({"foo": "bar", "a": None})
    del manager


def test_a_wrapper_logs_its_config_list_and_base_config_without_secrets(db: sqlite3.Connection) -> None:
    OpenAIWrapper(config_list=[{"model": "gpt-4", "api_key": "sk-x", "base_url": "http://h"}], temperature=0)
    (row,) = db.execute("SELECT init_args FROM oai_wrappers").fetchall()
    args = json.loads(row["init_args"])
    assert args["config_list"] == [{"model": "gpt-4"}] and args["base_config"] == {"temperature": 0}


def test_a_failed_write_is_logged_with_the_classic_sentence(
    db: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        runtime_logging.log_chat_completion(
            invocation_id="x", client_id=1, wrapper_id=2, agent="a", request={}, response="r",
            is_cached={"not": "a number"}, cost=0.0, start_time="2024-01-01 00:00:00",
        )  # fmt: skip
    assert any(r.getMessage().startswith("[sqlite logger]Error running query with query") for r in caplog.records)


def test_to_dict_writes_no_recursive_objects_as_their_str() -> None:
    alice = ConversableAgent("alice", llm_config=False)

    class Holder:
        def __init__(self) -> None:
            self.agents = [alice]
            self.first = alice
            self.value = {"keep": [1, 2], "drop": 3}

    out = to_dict(Holder(), exclude=("drop",), no_recursive=(Agent,))
    assert out["first"] == str(alice) and "autogen.agentchat.conversable_agent.ConversableAgent" in out["first"]
    assert out["agents"] == [str(alice)] and out["value"] == {"keep": [1, 2]}
    assert "'alice'" in repr(alice)


def test_schema_warnings_are_whole_classic_sentences(caplog: pytest.LogCaptureFixture) -> None:
    def f(a: Annotated[str, "Parameter a"], b=1, c=2):  # type: ignore[no-untyped-def]
        pass

    with caplog.at_level(logging.WARNING, logger="autogen.function_utils"):
        get_function_schema(f, description="function f")
    messages = [r.msg for r in caplog.records]  # the message itself, not a template
    assert "The following parameters of the function 'f' with default values are not annotated: 'b', 'c'." in messages
    assert (
        "The return type of the function 'f' is not annotated. Although annotating it is optional, the function "
        "should return either a string, a subclass of 'pydantic.BaseModel'."
    ) in messages


class B(BaseModel):
    b: float
    c: str


def test_a_model_default_stays_a_model_in_the_parameter_schema_and_json_in_the_tool_schema() -> None:
    assert get_parameter_json_schema("b", B, {"b": B(b=1.2, c="3.4")})["default"] == B(b=1.2, c="3.4")

    def g(b: B = B(b=1.2, c="3.4")) -> str:
        return ""

    schema = get_function_schema(g, description="g")
    assert schema["function"]["parameters"]["properties"]["b"]["default"] == {"b": 1.2, "c": "3.4"}
    assert model_dump(schema["function"]["parameters"]) == schema["function"]["parameters"]  # a dict passes


def test_check_graph_validity_warns_about_an_outside_successor(caplog: pytest.LogCaptureFixture) -> None:
    a, b, c = (ConversableAgent(n, llm_config=False) for n in "abc")
    outsider = ConversableAgent("outsider", llm_config=False)
    with caplog.at_level(logging.WARNING):
        check_graph_validity({a: [b, c], b: [a, c], c: [a, outsider]}, [a, b, c])
    assert "allowed_speaker_transitions do not match agents" in caplog.text and "outsider" in caplog.text
    with pytest.raises(ValueError, match="has keys not in agents"):
        check_graph_validity({outsider: [a]}, [a, b, c])


def test_an_unknown_chunk_mode_is_an_assertion_error() -> None:
    with pytest.raises(AssertionError):
        split_text_to_chunks("A" * 100, chunk_mode="bogus_chunk_mode")


def test_powershell_is_found_by_running_it_as_classic(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from autogen.code_utils import get_powershell_command

    calls: list = []

    def run(argv: list, **kwargs: object) -> subprocess.CompletedProcess:
        calls.append(argv[0])
        if argv[0] in missing:
            raise FileNotFoundError(argv[0])
        if argv[0] in forbidden:
            raise PermissionError(argv[0])
        return subprocess.CompletedProcess(argv, 0, "7\n", "")

    monkeypatch.setattr(subprocess, "run", run)
    missing, forbidden = {"powershell"}, set()
    assert get_powershell_command() == "pwsh" and calls == ["powershell", "pwsh"]
    missing, forbidden = set(), {"powershell"}
    with pytest.raises(PermissionError, match="No permission to run powershell"):
        get_powershell_command()
    missing, forbidden = {"powershell", "pwsh"}, set()
    with pytest.raises(FileNotFoundError, match="Neither powershell.exe nor pwsh.exe"):
        get_powershell_command()

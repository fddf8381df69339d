"""Behaviours found by running 0.2-era code under classic pyautogen 0.2.35 and under this tree side by side
(scripts/classic_diff). Each test pins what the classic package did."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from autogen import AssistantAgent, GroupChat, GroupChatManager, UserProxyAgent, config_list_from_json
from autogen.code_utils import TIMEOUT_MSG, execute_code


def test_execute_code_timeout_gives_exit_code_1(tmp_path: Path) -> None:
    # classic execute_code: (1, "Timeout", None); the executors' 124 is not what the legacy function gave
    code = "import time; time.sleep(30)"
    assert execute_code(code, timeout=1, work_dir=str(tmp_path), use_docker=False) == (1, TIMEOUT_MSG, None)
    assert execute_code("sleep 30", timeout=1, work_dir=str(tmp_path), lang="sh", use_docker=False)[:2] == (
        1,
        TIMEOUT_MSG,
    )


def test_execute_code_error_logs_hide_the_temporary_file_name(tmp_path: Path) -> None:
    exit_code, logs, _ = execute_code("raise ValueError('bad')", work_dir=str(tmp_path), use_docker=False)
    assert exit_code == 1
    assert 'File "", line 1, in <module>' in logs and "tmp_code_" not in logs and "ValueError: bad" in logs
    # a file the caller named keeps its name, relative to the work dir
    exit_code, logs, _ = execute_code(
        "raise ValueError('named')", filename="named.py", work_dir=str(tmp_path), use_docker=False
    )
    assert exit_code == 1 and 'File "named.py", line 1' in logs and str(tmp_path) not in logs


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_execute_code_runs_javascript_with_node(tmp_path: Path) -> None:
    exit_code, logs, _ = execute_code("console.log(6 * 7)", lang="javascript", work_dir=str(tmp_path), use_docker=False)
    assert (exit_code, logs) == (0, "42\n")


def test_config_list_that_is_not_json_raises_json_decode_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKEN_CONFIG", "{not json")
    with pytest.raises(json.JSONDecodeError) as caught:
        config_list_from_json("BROKEN_CONFIG")
    assert caught.value.pos == 1 and caught.value.doc == "{not json"
    assert "BROKEN_CONFIG" in str(caught.value) and isinstance(caught.value, ValueError)
    (tmp_path / "OAI_CONFIG_LIST").write_text('[{"model": "gpt-4",}]')
    with pytest.raises(json.JSONDecodeError):
        config_list_from_json("OAI_CONFIG_LIST", file_location=str(tmp_path))


def test_nested_chat_reply_keeps_the_classic_name(llm_config: dict[str, Any]) -> None:
    writer = AssistantAgent("writer", llm_config=llm_config)
    critic = AssistantAgent("critic", llm_config=llm_config)
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    user.register_nested_chats([{"recipient": critic, "message": "Critique."}], trigger=writer)

    def my_nested(chat_queue: Any, recipient: Any, messages: Any, sender: Any, config: Any) -> Any:
        return True, "mine"

    user.register_nested_chats([{"recipient": critic}], trigger=critic, reply_func_from_nested_chats=my_nested)
    names = [f["reply_func"].__name__ for f in user._reply_func_list]
    assert [n for n in names if n in ("my_nested", "_summary_from_nested_chats")] == [
        "my_nested",
        "_summary_from_nested_chats",
    ]


def test_select_speaker_prompt_is_none_without_a_template(llm_config: dict[str, Any]) -> None:
    team = [AssistantAgent(n, llm_config=llm_config) for n in ("alice", "bob")]
    assert GroupChat(team, messages=[], select_speaker_prompt_template=None).select_speaker_prompt() is None
    assert "['alice', 'bob']" in (GroupChat(team, messages=[]).select_speaker_prompt() or "")


def test_selection_question_is_asked_by_checking_agent(llm_server: Any, llm_config: dict[str, Any]) -> None:
    llm_server.responder = lambda body: "bob" if body["messages"][-1]["role"] == "system" else "done"
    team = [AssistantAgent(n, llm_config=llm_config, description=f"{n} helps.") for n in ("alice", "bob")]
    chat = GroupChat(team, messages=[], max_round=2)
    team[0].initiate_chat(GroupChatManager(chat, llm_config=llm_config), message="Start.")
    selection = [b["messages"] for b in llm_server.chat_requests() if b["messages"][-1]["role"] == "system"]
    assert selection, "no speaker-selection request reached the server"
    question = selection[0][-1]
    assert question["name"] == "checking_agent" and "['alice', 'bob']" in question["content"]
    assert [m.get("name") for m in chat.messages] == ["alice", "bob"]


def test_legacy_code_execution_reports_like_classic(
    llm_server: Any, llm_config: dict[str, Any], tmp_path: Path
) -> None:
    # code_execution_config={"work_dir": ...} (no executor): the agent's reply reads as classic's execute_code gave it
    llm_server.script("```python\nprint(1/0)\n```", "```python\nimport time; time.sleep(30)\n```", "TERMINATE")
    assistant = AssistantAgent("assistant", llm_config=llm_config)
    user = UserProxyAgent(
        "user",
        human_input_mode="NEVER",
        code_execution_config={"work_dir": str(tmp_path), "use_docker": False, "timeout": 1},
    )
    user.initiate_chat(assistant, message="Run.", max_turns=3)
    replies = [m["content"] for m in user.chat_messages[assistant] if m["role"] == "assistant"][1:]
    assert replies[0].startswith("exitcode: 1 (execution failed)\nCode output: \nTraceback")
    assert 'File "", line 1, in <module>' in replies[0] and "tmp_code_" not in replies[0]
    assert replies[1] == f"exitcode: 1 (execution failed)\nCode output: \n{TIMEOUT_MSG}"
    assert "last_n_messages" not in user._code_execution_config  # classic wrote it into the dict; we leave it alone

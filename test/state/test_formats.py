"""The saved formats: agents, group chats and chat results to JSON and back; errors that say what is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest
from llm_server import LLMServer

from autogen import ChatResult, ConversableAgent, GroupChat, GroupChatManager, state
from autogen.state import StateError


def pair(llm_config: Dict[str, Any]) -> tuple[ConversableAgent, ConversableAgent]:
    assistant = ConversableAgent(
        "assistant", system_message="You help.", llm_config=llm_config, human_input_mode="NEVER"
    )
    user = ConversableAgent("user", human_input_mode="NEVER", default_auto_reply="go on", max_consecutive_auto_reply=3)
    return assistant, user


def test_agent_state_round_trip_through_json(llm_server: LLMServer, llm_config: Dict[str, Any]) -> None:
    assistant, user = pair(llm_config)
    llm_server.script("one", "two")
    user.initiate_chat(assistant, message="start", max_turns=2)
    saved = {a.name: json.loads(state.dumps(a.save_state())) for a in (assistant, user)}

    assert saved["assistant"]["kind"] == "autogen.agent" and saved["assistant"]["version"] == state.FORMAT_VERSION
    conversation = saved["assistant"]["conversations"]["user"]
    assert [m["content"] for m in conversation["messages"]] == ["start", "one", "go on", "two"]
    assert saved["assistant"]["usage"]["actual"]["gpt-4"]["completion_tokens"] > 0
    assert saved["user"]["usage"] is None
    assert saved["assistant"]["system_message"] == "You help."

    new_assistant, new_user = pair(llm_config)
    new_assistant.load_state(saved["assistant"], peers=[new_user])
    new_user.load_state(saved["user"], peers={"assistant": new_assistant})
    assert new_assistant.chat_messages[new_user] == assistant.chat_messages[user]
    assert new_user.chat_messages[new_assistant] == user.chat_messages[assistant]
    assert new_user._consecutive_auto_reply_counter[new_assistant] == user._consecutive_auto_reply_counter[assistant]
    assert new_assistant.get_actual_usage() == assistant.get_actual_usage()
    assert new_assistant.save_state() == saved["assistant"]

    # the restored pair goes on talking where the first stopped
    llm_server.script("three")
    new_user.initiate_chat(new_assistant, message="more", max_turns=1, clear_history=False)
    last_request = llm_server.chat_requests()[-1]["messages"]
    assert [m["content"] for m in last_request[1:]] == ["start", "one", "go on", "two", "more"]


def test_load_errors_say_what_to_fix(llm_config: Dict[str, Any]) -> None:
    assistant, user = pair(llm_config)
    user.send("hi", assistant, request_reply=False)
    saved = assistant.save_state()
    other, _ = pair(llm_config)
    with pytest.raises(StateError, match=r"no peer named \['user'\].*peers=\[\.\.\.\]"):
        other.load_state(saved)
    with pytest.raises(StateError, match="belongs to the agent 'assistant', not to 'user'"):
        user.load_state(saved, peers=[assistant])
    with pytest.raises(StateError, match="newer AutoGen"):
        other.load_state({**saved, "version": state.FORMAT_VERSION + 1}, peers=[user])
    with pytest.raises(StateError, match="kind 'autogen.agent'"):
        other.load_state({**saved, "kind": "autogen.chat"}, peers=[user])
    with pytest.raises(StateError, match="not valid JSON"):
        state.loads("{oops")


def test_what_json_cannot_hold_is_refused_with_its_place(llm_config: Dict[str, Any]) -> None:
    assistant, user = pair(llm_config)
    user.send({"content": "hi", "context": {"when": object()}}, assistant, request_reply=False)
    with pytest.raises(StateError, match=r"'user'.*\[0\]\['context'\]\['when'\] holds a object"):
        assistant.save_state()


def test_open_tool_calls_are_recorded(llm_config: Dict[str, Any]) -> None:
    assistant, user = pair(llm_config)
    call = {
        "content": None,
        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    }
    assistant.send(call, user, request_reply=False)
    assert user.save_state()["conversations"]["assistant"]["open_tool_calls"] == [{"id": "c1", "name": "f"}]
    user.send(
        {"role": "tool", "tool_responses": [{"tool_call_id": "c1", "role": "tool", "content": "1"}], "content": "1"},
        assistant,
        request_reply=False,
    )
    assert "open_tool_calls" not in user.save_state()["conversations"]["assistant"]


def test_chat_result_to_and_from_json(llm_server: LLMServer, llm_config: Dict[str, Any]) -> None:
    assistant, user = pair(llm_config)
    llm_server.script("done TERMINATE")
    result = user.initiate_chat(assistant, message="go")
    text = result.to_json()
    assert json.loads(text)["kind"] == "autogen.chat_result"
    back = ChatResult.from_json(text)
    assert back == result
    assert ChatResult.from_dict(result.to_dict()) == result


def test_group_chat_state_round_trip(llm_server: LLMServer, llm_config: Dict[str, Any], tmp_path: Path) -> None:
    def build() -> tuple[ConversableAgent, GroupChatManager]:
        team = [ConversableAgent(n, llm_config=llm_config, human_input_mode="NEVER") for n in ("a", "b", "c")]
        groupchat = GroupChat(team, messages=[], max_round=4, speaker_selection_method="round_robin")
        outsider = ConversableAgent("boss", human_input_mode="NEVER")
        return outsider, GroupChatManager(groupchat, llm_config=llm_config)

    boss, manager = build()
    llm_server.responder = lambda body: "said " + str(len(body["messages"]))
    boss.initiate_chat(manager, message="Discuss.")
    saved = manager.save_state()
    state.save(saved, tmp_path / "group.json")
    loaded = state.load(tmp_path / "group.json")
    assert loaded["kind"] == "autogen.groupchat"
    assert loaded["last_speaker"] == "c" and loaded["round"] == 4
    assert [m["name"] for m in loaded["messages"]] == ["boss", "a", "b", "c"]

    new_boss, new_manager = build()
    new_manager.load_state(loaded, peers=[new_boss])
    assert new_manager.groupchat.messages == manager.groupchat.messages
    assert new_manager.last_speaker is new_manager.groupchat.agents[2]
    for old, new in zip(manager.groupchat.agents, new_manager.groupchat.agents):
        assert new.chat_messages[new_manager] == old.chat_messages[manager]
    assert new_manager.chat_messages[new_boss] == manager.chat_messages[boss]

    smaller = GroupChatManager(GroupChat(new_manager.groupchat.agents[:2], messages=[]), llm_config=llm_config)
    with pytest.raises(StateError, match="same agents"):
        smaller.load_state(loaded, peers=[new_boss])


def test_save_is_atomic_and_load_says_what_is_missing(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "state.json"
    state.save({"kind": "autogen.chat_result", "version": 1, "summary": "x"}, target)
    assert json.loads(target.read_text())["summary"] == "x"
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]  # no temporary file left behind
    with pytest.raises(StateError, match="No saved state"):
        state.load(tmp_path / "missing.json")

"""Continuing chats in this process: manual snapshots after an exception, max_turns, async, queues of chats."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from llm_server import LLMServer
from scenarios import Crash, ends_with_terminate, responder

from autogen import ConversableAgent, GroupChat, GroupChatManager, register_function, state
from autogen.state import MemoryStore, StateError


def coder_and_user(llm_config: Dict[str, Any], crash_at: int = 0) -> tuple[ConversableAgent, ConversableAgent]:
    coder = ConversableAgent(
        "coder", system_message="You are the coder.", llm_config=llm_config, human_input_mode="NEVER"
    )
    user = ConversableAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, is_termination_msg=ends_with_terminate
    )
    crashed: List[int] = []

    def step(n: int) -> str:
        if n == crash_at and not crashed:
            crashed.append(n)
            raise Crash("stop")
        return f"step {n} done"

    register_function(step, caller=coder, executor=user, description="Do a step.")
    return coder, user


def test_manual_snapshot_after_an_exception_then_resume(llm_server: LLMServer, llm_config: Dict[str, Any]) -> None:
    llm_server.responder = responder
    coder, user = coder_and_user(llm_config)
    expected = user.initiate_chat(coder, message="Do the steps.")
    expected_requests = llm_server.chat_requests()
    llm_server.requests.clear()

    coder, user = coder_and_user(llm_config, crash_at=2)
    with pytest.raises(Crash):
        user.initiate_chat(coder, message="Do the steps.")
    snapshot = state.loads(state.dumps(state.save_chat(user, coder)))
    assert snapshot["next"] == {
        "speaker": "user",
        "reply_to": "coder",
        "open_tool_calls": [{"id": "call_2", "name": "step"}],
    }
    assert snapshot["turns"] == 2

    fresh_coder, fresh_user = coder_and_user(llm_config)
    result = state.resume_chat(fresh_user, fresh_coder, snapshot)
    assert result == expected
    assert llm_server.chat_requests() == expected_requests


def group(llm_config: Dict[str, Any], crash_at: int = 0) -> tuple[ConversableAgent, GroupChatManager]:
    coder, user = coder_and_user(llm_config, crash_at)
    reviewer = ConversableAgent(
        "reviewer", system_message="You are the reviewer.", llm_config=llm_config, human_input_mode="NEVER"
    )
    groupchat = GroupChat([user, coder, reviewer], messages=[], max_round=20)
    return user, GroupChatManager(groupchat, llm_config=llm_config, is_termination_msg=ends_with_terminate)


def test_group_chat_snapshot_chooses_the_next_speaker_again(llm_server: LLMServer, llm_config: Dict[str, Any]) -> None:
    llm_server.responder = responder
    user, manager = group(llm_config)
    expected = user.initiate_chat(manager, message="Build it.")
    expected_messages = list(manager.groupchat.messages)

    user, manager = group(llm_config, crash_at=2)
    with pytest.raises(Crash):
        user.initiate_chat(manager, message="Build it.")
    snapshot = state.save_chat(user, manager)
    assert snapshot["next"] == {"select_after": "coder"}  # the tool call was said; its executor is chosen again
    assert snapshot["group"]["round"] == 5

    user, manager = group(llm_config)
    result = state.resume_chat(user, manager, snapshot)
    assert manager.groupchat.messages == expected_messages
    assert result == expected


def test_max_turns_chat_resumes_with_the_turns_left(llm_server: LLMServer, llm_config: Dict[str, Any]) -> None:
    def build(crash: bool) -> tuple[ConversableAgent, ConversableAgent]:
        assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
        user = ConversableAgent("user", llm_config=llm_config, human_input_mode="NEVER", system_message="You ask.")
        if crash:
            calls: List[int] = []

            def stop_once(recipient: Any, messages: Any, sender: Any, config: Any) -> Any:
                calls.append(1)
                if len(calls) == 3:
                    raise Crash("stop")
                return False, None

            assistant.register_reply([ConversableAgent, None], stop_once)
        return assistant, user

    llm_server.responder = lambda body: f"{body['messages'][0]['content'][:8]} #{len(body['messages'])}"
    assistant, user = build(False)
    expected = user.initiate_chat(assistant, message="go", max_turns=4)
    expected_requests = llm_server.chat_requests()
    assert len(expected.chat_history) == 8
    llm_server.requests.clear()

    store = MemoryStore()
    assistant, user = build(True)
    with pytest.raises(Crash):
        state.run_chat(user, assistant, store, message="go", max_turns=4)
    assert store.state["next"] == {"speaker": "assistant", "reply_to": "user"}
    assert store.state["turns"] == 3

    assistant, user = build(False)
    result = state.run_chat(user, assistant, store, message="go", max_turns=4)
    assert result == expected
    assert llm_server.chat_requests() == expected_requests


async def test_async_run_chat_resumes(llm_server: LLMServer, llm_config: Dict[str, Any], tmp_path: Path) -> None:
    llm_server.responder = responder
    user, manager = group(llm_config)
    expected = await user.a_initiate_chat(manager, message="Build it.")
    llm_server.requests.clear()

    user, manager = group(llm_config, crash_at=2)
    with pytest.raises(Crash):
        await state.a_run_chat(user, manager, tmp_path / "chat.json", message="Build it.")
    user, manager = group(llm_config)
    result = await state.a_run_chat(user, manager, tmp_path / "chat.json", message="Build it.")
    assert result == expected


def test_checkpoint_every_n_replies(llm_server: LLMServer, llm_config: Dict[str, Any]) -> None:
    llm_server.responder = responder
    coder, user = coder_and_user(llm_config)
    store = MemoryStore()
    state.run_chat(user, coder, store, message="Do the steps.", every=3)
    # 8 reply starts (4 for each side): checkpoints at the 1st, 4th and 7th, then the finished state
    assert store.saves == 4
    assert store.state["status"] == "finished"


def test_checkpoint_must_be_a_path_or_a_store(llm_config: Dict[str, Any]) -> None:
    coder, user = coder_and_user(llm_config)
    with pytest.raises(StateError, match="file path or an object with load"):
        state.run_chat(user, coder, 42, message="x")
    with pytest.raises(StateError, match="between 'user' and 'coder', not between 'coder' and 'user'"):
        state.resume_chat(coder, user, state.save_chat(user, coder))


@pytest.mark.filterwarnings("ignore:Repetitive recipients")
def test_a_queue_of_chats_continues_after_the_chats_already_done(
    llm_server: LLMServer, llm_config: Dict[str, Any], tmp_path: Path
) -> None:
    def build(crash_at: int = 0) -> List[Dict[str, Any]]:
        coder, user = coder_and_user(llm_config, crash_at)
        writer = ConversableAgent("writer", llm_config=llm_config, human_input_mode="NEVER")
        return [
            {"sender": user, "recipient": writer, "message": "Say hi.", "max_turns": 1},
            {"sender": user, "recipient": coder, "message": "Do the steps."},
            {"sender": user, "recipient": writer, "message": "Sum up.", "max_turns": 1},
        ]

    def answer(body: Dict[str, Any]) -> Any:
        if body["messages"][0]["content"].startswith("You are the coder"):
            return responder(body)
        return "writer: " + body["messages"][-1]["content"].splitlines()[0]

    llm_server.responder = answer
    expected = state.initiate_chats(build(), tmp_path / "full.json")
    expected_requests = llm_server.chat_requests()
    assert "Context: \nwriter: Say hi." in expected[1].chat_history[0]["content"]
    llm_server.requests.clear()

    with pytest.raises(Crash):
        state.initiate_chats(build(crash_at=3), tmp_path / "queue.json")
    saved = state.load(tmp_path / "queue.json")
    assert saved["kind"] == "autogen.chat_queue"
    assert len(saved["done"]) == 1 and saved["carryover"] == ["writer: Say hi."]
    assert saved["current"]["next"]["open_tool_calls"] == [{"id": "call_3", "name": "step"}]

    results = state.initiate_chats(build(), tmp_path / "queue.json")
    assert results == expected
    assert llm_server.chat_requests() == expected_requests
    assert state.load(tmp_path / "queue.json")["current"] is None

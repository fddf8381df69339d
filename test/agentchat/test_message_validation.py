"""Messages no LLM API could take are refused at send/receive, before they enter any history."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from autogen import ConversableAgent
from autogen.agentchat.errors import InvalidMessageError
from autogen.agentchat.messages import message_problem, to_history_message

BAD_MESSAGES = [
    ({"content": "call it", "tool_calls": "get_weather"}, "'tool_calls' must be a list"),
    ({"content": None, "tool_calls": {"id": "1", "function": {"name": "f"}}}, "'tool_calls' must be a list"),
    ({"content": None, "tool_calls": ["f"]}, "'tool_calls' must be a list of dicts"),
    ({"content": None, "function_call": "f()"}, "'function_call' must be a dict"),
    ("bad \ud800 text", r"content\[4\] \('\\ud800'\) is a lone surrogate"),
    ({"content": [{"type": "text", "text": "x\udcff"}]}, r"content\[0\]\['text'\]\[1\]"),
    (
        {
            "content": None,
            "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": "\ud83d"}}],
        },
        "lone surrogate",
    ),
]


def _pair(llm_config: dict[str, Any]) -> tuple[ConversableAgent, ConversableAgent]:
    alice = ConversableAgent("alice", llm_config=False, human_input_mode="NEVER")
    bob = ConversableAgent("bob", llm_config=llm_config, human_input_mode="NEVER", max_consecutive_auto_reply=1)
    return alice, bob


@pytest.mark.parametrize("message, fragment", BAD_MESSAGES)
def test_bad_message_is_refused_at_send_and_later_calls_work(
    llm_config: dict[str, Any], message: Any, fragment: str
) -> None:
    alice, bob = _pair(llm_config)
    with pytest.raises(InvalidMessageError, match=fragment) as info:
        alice.send(message, bob, request_reply=True, silent=True)
    assert isinstance(info.value, ValueError)  # the classic exception type
    assert "cannot be sent" in str(info.value)
    assert alice.chat_messages[bob] == [] and bob.chat_messages[alice] == []
    # nothing was poisoned: the next message goes through the LLM and back
    alice.send("hello", bob, request_reply=True, silent=True)
    assert bob.chat_messages[alice][-1]["content"] == "echo: hello"


@pytest.mark.parametrize("message, fragment", BAD_MESSAGES[:1] + BAD_MESSAGES[4:5])
def test_bad_message_is_refused_at_async_send(llm_config: dict[str, Any], message: Any, fragment: str) -> None:
    alice, bob = _pair(llm_config)

    async def run() -> None:
        with pytest.raises(InvalidMessageError, match=fragment):
            await alice.a_send(message, bob, request_reply=True, silent=True)
        await alice.a_send("hello", bob, request_reply=True, silent=True)

    asyncio.run(run())
    assert [m["content"] for m in bob.chat_messages[alice]] == ["hello", "echo: hello"]


def test_bad_message_is_refused_at_receive(llm_config: dict[str, Any]) -> None:
    alice, bob = _pair(llm_config)
    with pytest.raises(InvalidMessageError, match="cannot be received"):
        bob.receive({"content": "x", "tool_calls": 5}, alice, request_reply=False, silent=True)
    assert bob.chat_messages[alice] == []


def test_valid_messages_pass() -> None:
    assert message_problem({"content": "héllo 😀", "name": "a"}) is None
    calls = [{"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    entry = to_history_message({"content": None, "tool_calls": calls}, "assistant", "a")
    assert entry is not None and entry["tool_calls"] == calls

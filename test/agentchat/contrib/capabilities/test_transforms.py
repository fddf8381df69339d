"""Long-context handling: the transforms on long histories, keeping tool pairs whole and the system message first."""

from __future__ import annotations

import copy
from typing import Any, Iterator

import pytest
from helpers import ScriptedIO

from autogen import AssistantAgent, ConversableAgent, GroupChat, GroupChatManager
from autogen.agentchat.contrib.capabilities.context_handling import TransformChatHistory, truncate_str_to_tokens
from autogen.agentchat.contrib.capabilities.transform_messages import TransformMessages
from autogen.agentchat.contrib.capabilities.transforms import MessageHistoryLimiter, MessageTokenLimiter
from autogen.agentchat.contrib.capabilities.transforms_util import drop_broken_tool_pairs, message_tokens
from autogen.io.base import IOStream


@pytest.fixture(autouse=True)
def _io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def user(text: str) -> dict:
    return {"role": "user", "content": text, "name": "user"}


def call(call_id: str) -> dict:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": call_id, "type": "function", "function": {"name": "lookup", "arguments": "{}"}}],
    }


def result(call_id: str, text: str) -> dict:
    response = {"tool_call_id": call_id, "role": "tool", "content": text}
    return {"role": "tool", "tool_responses": [response], "content": text}


def long_history() -> list:
    """40 exchanges: user question, tool call, tool result, answer (160 messages)."""
    history = []
    for i in range(40):
        history += [
            user(f"question {i} " + "word " * 50),
            call(f"c{i}"),
            result(f"c{i}", f"result {i} " + "data " * 80),
            {"role": "assistant", "content": f"answer {i}", "name": "bot"},
        ]
    return history


def pairs_intact(messages: list) -> bool:
    return drop_broken_tool_pairs(messages) == messages


def test_history_limiter_counts_as_the_classic_one() -> None:
    history = long_history()
    snapshot = copy.deepcopy(history)
    for max_messages in range(1, 12):
        kept = MessageHistoryLimiter(max_messages=max_messages).apply_transform(history)
        assert pairs_intact(kept), max_messages
        assert kept == history[len(history) - len(kept) :]  # the most recent ones, in order
        # exactly max_messages, one fewer when the oldest slot would hold a tool result without its call
        oldest = history[len(history) - max_messages]
        assert len(kept) == max_messages - (1 if oldest["role"] == "tool" else 0), max_messages
    kept = MessageHistoryLimiter(max_messages=6).apply_transform(history)
    assert [m.get("content") for m in kept][0] == "answer 38"  # the tool result in the oldest slot was left out
    first = MessageHistoryLimiter(max_messages=5, keep_first_message=True).apply_transform(history)
    assert first == [history[0], *history[-4:]]
    short = history[:3]
    assert MessageHistoryLimiter(max_messages=3).apply_transform(short) is short  # within the limit: untouched
    assert history == snapshot  # nothing was modified
    with pytest.raises(ValueError):
        MessageHistoryLimiter(max_messages=0)


def test_token_limiter_truncates_and_keeps_recent_messages_within_the_budget() -> None:
    history = long_history()
    snapshot = copy.deepcopy(history)
    per_message = MessageTokenLimiter(max_tokens_per_message=20).apply_transform(history)
    assert len(per_message) == len(history)
    assert all(message_tokens(m) <= 20 for m in per_message)
    assert per_message[2]["tool_responses"][0]["content"].startswith("result 0 data")  # tool results are cut too
    assert per_message[3] is history[3]  # short messages are kept as they are
    total = MessageTokenLimiter(max_tokens=500).apply_transform(history)
    assert sum(message_tokens(m) for m in total) <= 500
    assert total[-1] is history[-1] and len(total) < len(history) and pairs_intact(total)
    both = MessageTokenLimiter(max_tokens_per_message=30, max_tokens=300).apply_transform(history)
    assert sum(message_tokens(m) for m in both) <= 300 and pairs_intact(both)
    assert MessageTokenLimiter(max_tokens_per_message=10, min_tokens=10**6).apply_transform(history) is history
    only_tools = MessageTokenLimiter(max_tokens_per_message=5, filter_dict={"role": ["tool"]}, exclude_filter=False)
    cut = only_tools.apply_transform(history)
    assert cut[0] is history[0] and message_tokens(cut[2]) <= 5
    assert history == snapshot
    with pytest.raises(ValueError):
        MessageTokenLimiter(max_tokens=-1)
    with pytest.raises(ValueError):
        MessageTokenLimiter(max_tokens=5, min_tokens=10)


def test_multimodal_contents_are_truncated_text_by_text() -> None:
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    message = {"role": "user", "content": [{"type": "text", "text": "look " * 100}, image]}
    (cut,) = MessageTokenLimiter(max_tokens_per_message=10).apply_transform([message])
    assert cut["content"][1] == image and message_tokens(cut) <= 10
    assert truncate_str_to_tokens("one two three four five", 2) == "one two"


def test_transform_messages_keeps_the_system_message_first(_io: ScriptedIO) -> None:
    capability = TransformMessages(
        transforms=[MessageHistoryLimiter(max_messages=3), MessageTokenLimiter(max_tokens_per_message=8)]
    )
    system = {"role": "system", "content": "system " * 50}
    out = capability._transform_messages([system, *long_history()])
    assert out[0] is system and len(out) <= 4 and pairs_intact(out[1:])
    assert "Removed" in _io.output and "Truncated" in _io.output
    quiet = TransformMessages(transforms=[MessageHistoryLimiter(max_messages=3)], verbose=False)
    assert quiet._transform_messages([]) == []


def test_agent_with_transforms_sends_a_bounded_history(llm_server: Any, llm_config: dict) -> None:
    agent = AssistantAgent("assistant", llm_config=llm_config)
    TransformMessages(
        transforms=[MessageHistoryLimiter(max_messages=5), MessageTokenLimiter(max_tokens_per_message=30)],
        verbose=False,
    ).add_to_agent(agent)
    peer = ConversableAgent("user", llm_config=False)
    history = long_history()[:-1]  # ends with a tool result
    agent._oai_messages[peer] = list(history)
    llm_server.script("fine")
    assert agent.generate_reply(sender=peer) == "fine"
    sent = llm_server.chat_requests()[0]["messages"]
    assert sent[0] == {"role": "system", "content": agent.system_message}
    assert sent[-1] == {"tool_call_id": "c39", "role": "tool", "content": sent[-1]["content"]}
    assert sent[-2]["tool_calls"][0]["id"] == "c39"  # the call came along with its result
    roles = [m["role"] for m in sent]
    assert roles.count("system") == 1 and len(sent) <= 6
    assert agent._oai_messages[peer] == history  # the stored history is unchanged


def test_transform_chat_history(llm_server: Any, llm_config: dict, _io: ScriptedIO) -> None:
    agent = AssistantAgent("assistant", llm_config=llm_config)
    TransformChatHistory(max_tokens_per_message=40, max_messages=6, max_tokens=100).add_to_agent(agent)
    peer = ConversableAgent("user", llm_config=False)
    agent._oai_messages[peer] = long_history()
    llm_server.script("ok")
    agent.generate_reply(sender=peer)
    sent = llm_server.chat_requests()[0]["messages"]
    assert sent[0]["role"] == "system" and sent[0]["content"] == agent.system_message
    assert sent[-1]["content"] == "answer 39" and len(sent) <= 7
    assert "Truncated" in _io.output
    tokens = sum(message_tokens(m) for m in sent[1:] if m["role"] != "tool") + sum(
        message_tokens(m) for m in sent if m["role"] == "tool"
    )
    assert tokens <= 100
    unchanged = TransformChatHistory()._transform_messages(long_history())
    assert len(unchanged) == 160


def test_speaker_selection_uses_transform_messages(llm_server: Any, llm_config: dict) -> None:
    a = ConversableAgent("alice", llm_config=False, description="Alice")
    b = ConversableAgent("bob", llm_config=False, description="Bob")
    transform = TransformMessages(transforms=[MessageHistoryLimiter(max_messages=2)], verbose=False)
    groupchat = GroupChat([a, b], messages=[], max_round=2, select_speaker_transform_messages=transform)
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    groupchat.messages.extend(user(f"m{i}") for i in range(10))
    llm_server.script("bob")
    assert groupchat.select_speaker(a, manager) is b
    request = llm_server.chat_requests()[0]["messages"]
    assert request[0]["role"] == "system" and len(request) == 3

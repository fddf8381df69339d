"""CompressibleAgent through the local LLM server: compression near the token limit, termination, custom."""

from __future__ import annotations

import asyncio
from typing import Any, Iterator

import pytest
from helpers import ScriptedIO

from autogen import UserProxyAgent
from autogen.agentchat.contrib.compressible_agent import COMPRESSED_PREFIX, CompressibleAgent
from autogen.io.base import IOStream

LONG = "The quick brown fox jumps over the lazy dog. " * 20  # about 200 tokens


@pytest.fixture(autouse=True)
def _io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def talker(replies: int, **kwargs: Any) -> UserProxyAgent:
    return UserProxyAgent(
        "user",
        human_input_mode="NEVER",
        code_execution_config=False,
        max_consecutive_auto_reply=replies,
        default_auto_reply=LONG,
        **kwargs,
    )


def test_compresses_when_near_the_token_limit(llm_server: Any, llm_config: dict, _io: ScriptedIO) -> None:
    agent = CompressibleAgent(
        "assistant",
        llm_config=llm_config,
        compress_config={"mode": "COMPRESS", "trigger_count": 600, "leave_last_n": 1, "verbose": True},
    )
    user = talker(2)
    llm_server.script("first answer", "second answer", "SUMMARY OF EARLIER TALK", "third answer")
    result = user.initiate_chat(agent, message="Start: " + LONG)
    requests = llm_server.chat_requests()
    assert len(requests) == 4
    # turns 1 and 2 were under the trigger; before turn 3 the history was compressed
    compression = requests[2]["messages"]
    assert compression[0]["role"] == "system" and "compress" in compression[0]["content"]
    transcript = compression[1]["content"]
    assert transcript.startswith("To be compressed:\n") and "##assistant(ASSISTANT)## first answer" in transcript
    assert "##user(USER)## The quick brown fox" in transcript and "Start:" not in transcript
    third = requests[3]["messages"]
    assert [m["role"] for m in third] == ["system", "user", "system", "user"]
    assert third[1]["content"].startswith("Start: ") and third[3]["content"] == LONG
    assert third[2]["content"] == COMPRESSED_PREFIX + "SUMMARY OF EARLIER TALK"
    # the stored histories of both agents now hold the compressed conversation (plus the last answer)
    assert len(agent.chat_messages[user]) == 4 and agent.chat_messages[user][1]["role"] == "system"
    assert [m["role"] for m in user.chat_messages[agent]] == ["assistant", "system", "assistant", "user"]
    assert result.chat_history[-1]["content"] == "third answer"
    assert "Before compression" in _io.output and "Start compressing" in _io.output


def test_terminates_when_no_tokens_are_left(llm_server: Any, llm_config: dict, _io: ScriptedIO) -> None:
    agent = CompressibleAgent("assistant", llm_config=llm_config, compress_config={"max_tokens": 400})
    llm_server.script("first answer", "second answer", "never sent")
    result = talker(3).initiate_chat(agent, message="hello")
    assert [m["content"] for m in result.chat_history] == ["hello", "first answer", LONG, "second answer", LONG]
    assert len(llm_server.chat_requests()) == 2
    assert 'Terminate Agent "assistant" due to no token left' in _io.output


def test_customized_compression_in_an_async_chat(llm_server: Any, llm_config: dict) -> None:
    seen = []

    def keep_last_two(messages: list) -> tuple:
        seen.append(len(messages))
        return True, messages[-2:]

    agent = CompressibleAgent(
        "assistant",
        llm_config=llm_config,
        compress_config={
            "mode": "CUSTOMIZED",
            "compress_function": keep_last_two,
            "trigger_count": 400,
            "broadcast": False,
        },
    )
    user = talker(1)
    llm_server.script("a", "b")
    asyncio.run(user.a_initiate_chat(agent, message=LONG))
    assert seen == [3]
    assert [m["content"] for m in llm_server.chat_requests()[1]["messages"][1:]] == ["a", LONG]
    assert len(user.chat_messages[agent]) == 4  # not broadcast


def test_compression_keeps_a_tool_result_with_its_call(llm_config: dict, llm_server: Any) -> None:
    agent = CompressibleAgent(
        "assistant", llm_config=llm_config, compress_config={"mode": "COMPRESS", "leave_last_n": 1}
    )
    call = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    }
    tool = {
        "role": "tool",
        "tool_responses": [{"tool_call_id": "t1", "role": "tool", "content": "42"}],
        "content": "42",
    }
    messages = [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "a"},
        {"role": "user", "content": "go"},
        call,
        tool,
    ]
    llm_server.script("short")
    ok, compressed = agent.compress_messages(messages)
    assert ok and compressed[-2:] == [call, tool] and compressed[1]["content"] == COMPRESSED_PREFIX + "short"
    assert agent.compress_messages(messages[:2]) == (False, None)


def test_config_validation(llm_config: dict) -> None:
    with pytest.raises(ValueError, match="mode"):
        CompressibleAgent("a", llm_config=llm_config, compress_config={"mode": "SHRINK"})
    with pytest.raises(ValueError, match="compress_function"):
        CompressibleAgent("a", llm_config=llm_config, compress_config={"mode": "CUSTOMIZED"})
    with pytest.raises(ValueError, match="trigger_count"):
        CompressibleAgent("a", llm_config=llm_config, compress_config={"trigger_count": 1.5})
    with pytest.raises(ValueError, match="max_tokens"):
        CompressibleAgent(
            "a", llm_config={"config_list": [{"model": "my-model", "api_key": "x"}]}, compress_config=True
        )
    agent = CompressibleAgent("a", llm_config=llm_config, compress_config=True)
    assert agent.compress_config["trigger_count"] == int(0.7 * 8192)
    assert CompressibleAgent("b", llm_config=llm_config).compress_config is False

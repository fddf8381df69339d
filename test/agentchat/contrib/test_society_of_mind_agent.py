"""SocietyOfMindAgent: an inner group chat answered as one outer reply, through the local LLM server."""

from __future__ import annotations

import asyncio
from typing import Any, Iterator

import pytest
from helpers import ScriptedIO

from autogen import AssistantAgent, GroupChat, GroupChatManager, UserProxyAgent
from autogen.agentchat.contrib.society_of_mind_agent import SocietyOfMindAgent, transcript_message
from autogen.io.base import IOStream


@pytest.fixture(autouse=True)
def _io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def society(llm_config: dict, outer_llm: Any = None, **kwargs: Any) -> SocietyOfMindAgent:
    writer = AssistantAgent("writer", system_message="You write haiku.", llm_config=llm_config)
    critic = AssistantAgent("critic", system_message="You improve haiku.", llm_config=llm_config)
    groupchat = GroupChat([writer, critic], messages=[], max_round=3, speaker_selection_method="round_robin")
    manager = GroupChatManager(groupchat, llm_config=False)
    return SocietyOfMindAgent(
        "poet", chat_manager=manager, llm_config=llm_config if outer_llm is None else outer_llm, **kwargs
    )


def outer_user(**kwargs: Any) -> UserProxyAgent:
    kwargs.setdefault("max_consecutive_auto_reply", 0)
    return UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, **kwargs)


def test_inner_group_chat_answers_as_one_reply(llm_server: Any, llm_config: dict) -> None:
    poet = society(llm_config)
    llm_server.script("draft: autumn wind", "better: the autumn wind turns", "The autumn wind turns.")
    result = outer_user().initiate_chat(poet, message="Write a haiku about autumn.")
    assert result.summary == "The autumn wind turns."
    assert [m["content"] for m in result.chat_history] == ["Write a haiku about autumn.", "The autumn wind turns."]
    writer_request, critic_request, preparer_request = llm_server.chat_requests()
    assert writer_request["messages"][0]["content"] == "You write haiku."
    assert writer_request["messages"][-1]["content"] == "Write a haiku about autumn."
    assert critic_request["messages"][-1]["content"] == "draft: autumn wind"
    # the preparer sees the whole inner transcript as user messages, then the prompt
    messages = preparer_request["messages"]
    assert messages[0]["role"] == "system" and "transcript" in messages[0]["content"]
    assert [m["content"] for m in messages[1:-1]] == [
        "Write a haiku about autumn.",
        "draft: autumn wind",
        "better: the autumn wind turns",
    ]
    assert {m["role"] for m in messages[1:-1]} == {"user"}
    assert [m.get("name") for m in messages[2:-1]] == ["writer", "critic"]
    assert messages[-1] == {"role": "system", "content": poet.response_preparer.prompt}


def test_function_preparer_and_outer_context(llm_server: Any, llm_config: dict) -> None:
    seen = []

    def prepare(agent: SocietyOfMindAgent, messages: list) -> str:
        seen.append([m["content"] for m in messages])
        return f"{len(messages)} inner messages"

    poet = society(llm_config, outer_llm=False, response_preparer=prepare)
    user = outer_user(max_consecutive_auto_reply=1, default_auto_reply="Another one.")
    llm_server.script("one", "two", "three", "four")
    result = user.initiate_chat(poet, message="Start.")
    assert [m["content"] for m in result.chat_history] == [
        "Start.",
        "3 inner messages",
        "Another one.",
        "3 inner messages",
    ]
    assert seen == [["Start.", "one", "two"], ["Another one.", "three", "four"]]
    # on the second turn the inner agents knew the earlier outer messages
    second_writer = llm_server.chat_requests()[2]["messages"]
    assert [m["content"] for m in second_writer[1:]] == ["Start.", "3 inner messages", "Another one."]
    assert [m.get("name") for m in second_writer[1:3]] == ["user", "poet"]


def test_async_society_chat(llm_server: Any, llm_config: dict) -> None:
    poet = society(llm_config)
    llm_server.script("a", "b", "final")
    result = asyncio.run(outer_user().a_initiate_chat(poet, message="Go."))
    assert result.summary == "final"


def test_works_without_an_llm_config_of_its_own(llm_config: dict) -> None:
    society(llm_config, outer_llm=False)  # as in the classic package: no error at construction


def test_transcript_message_writes_calls_as_text() -> None:
    assert transcript_message(
        {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}}
    ) == {
        "role": "user",
        "content": "f({})",
    }
    tool = {
        "role": "assistant",
        "content": None,
        "name": "x",
        "tool_calls": [{"function": {"name": "g", "arguments": "1"}}],
    }
    assert transcript_message(tool) == {"role": "user", "content": "g(1)", "name": "x"}

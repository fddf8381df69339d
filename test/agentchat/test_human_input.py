"""human_input_mode ALWAYS / TERMINATE / NEVER with scripted human input through the IOStream."""

from __future__ import annotations

import asyncio
from typing import Any

from helpers import ScriptedIO, ends_with_terminate

from autogen import ConversableAgent
from autogen.io.base import IOStream


def pair(llm_config: dict, mode: str, **kwargs: Any) -> tuple[ConversableAgent, ConversableAgent]:
    assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
    kwargs.setdefault("is_termination_msg", ends_with_terminate)
    human = ConversableAgent("human", human_input_mode=mode, default_auto_reply="auto", **kwargs)  # type: ignore[arg-type]
    return human, assistant


def test_always_mode(llm_server: Any, llm_config: dict) -> None:
    llm_server.script("a1", "a2", "a3")
    human, assistant = pair(llm_config, "ALWAYS")
    io = ScriptedIO(["more detail please", "", "exit"])
    with IOStream.set_default(io):
        result = human.initiate_chat(assistant, message="task")
    contents = [m["content"] for m in result.chat_history]
    assert contents == ["task", "a1", "more detail please", "a2", "auto", "a3"]
    assert len(io.prompts) == 3
    assert io.prompts[0].startswith("Replying as human. Provide feedback to assistant.")
    assert "NO HUMAN INPUT RECEIVED." in io.output and "USING AUTO REPLY..." in io.output
    assert result.human_input == ["more detail please", "", "exit"]


def test_always_mode_empty_input_at_termination_ends(llm_server: Any, llm_config: dict) -> None:
    llm_server.script("done TERMINATE")
    human, assistant = pair(llm_config, "ALWAYS")
    io = ScriptedIO([""])
    with IOStream.set_default(io):
        result = human.initiate_chat(assistant, message="task")
    assert len(result.chat_history) == 2


def test_terminate_mode(llm_server: Any, llm_config: dict) -> None:
    llm_server.script("step", "TERMINATE", "ok, redone. TERMINATE")
    human, assistant = pair(llm_config, "TERMINATE")
    io = ScriptedIO(["please redo it", ""])
    with IOStream.set_default(io):
        result = human.initiate_chat(assistant, message="task")
    # asked only when a termination message arrives; empty input then ends the chat
    assert [m["content"] for m in result.chat_history] == [
        "task",
        "step",
        "auto",
        "TERMINATE",
        "please redo it",
        "ok, redone. TERMINATE",
    ]
    assert len(io.prompts) == 2
    assert all("Press enter or type 'exit' to stop the conversation" in p for p in io.prompts)


def test_terminate_mode_asks_at_the_auto_reply_limit(llm_server: Any, llm_config: dict) -> None:
    llm_server.responder = lambda body: "still going"
    human, assistant = pair(llm_config, "TERMINATE", max_consecutive_auto_reply=1)
    io = ScriptedIO(["", "exit"])
    with IOStream.set_default(io):
        result = human.initiate_chat(assistant, message="task")
    assert "Press enter to skip and use auto-reply" in io.prompts[0]
    contents = [m["content"] for m in result.chat_history]
    assert contents == ["task", "still going", "auto", "still going", "auto", "still going"]


def test_never_mode_never_asks(llm_server: Any, llm_config: dict) -> None:
    llm_server.script("x", "TERMINATE")
    human, assistant = pair(llm_config, "NEVER")
    io = ScriptedIO([])  # any prompt would fail the test
    with IOStream.set_default(io):
        result = human.initiate_chat(assistant, message="task")
    assert len(result.chat_history) == 4 and io.prompts == []


def test_first_message_from_the_human(llm_server: Any, llm_config: dict) -> None:
    llm_server.script("TERMINATE")
    human, assistant = pair(llm_config, "NEVER")
    io = ScriptedIO(["typed task"])
    with IOStream.set_default(io):
        result = human.initiate_chat(assistant)
    assert io.prompts == [">"] and result.chat_history[0]["content"] == "typed task"


def test_human_interrupts_a_tool_call(llm_server: Any, llm_config: dict) -> None:
    llm_server.script({"tool_calls": [{"name": "f", "arguments": {}, "id": "call_1"}]})
    human, assistant = pair(llm_config, "ALWAYS")
    io = ScriptedIO(["no, don't", "exit"])
    llm_server.script("fine")
    with IOStream.set_default(io):
        result = human.initiate_chat(assistant, message="task")
    reply = result.chat_history[2]
    assert reply["content"] == "no, don't"
    assert reply["tool_responses"] == [{"role": "tool", "tool_call_id": "call_1", "content": "USER INTERRUPTED"}]
    # the LLM received a valid conversation: the interrupted call answered, then the human's text
    sent = llm_server.chat_requests()[1]["messages"]
    assert sent[-2] == {"role": "tool", "tool_call_id": "call_1", "content": "USER INTERRUPTED"}
    assert sent[-1]["content"] == "no, don't"


def test_async_chat_asks_the_human_without_blocking(llm_server: Any, llm_config: dict) -> None:
    llm_server.script("a1", "a2")
    human, assistant = pair(llm_config, "ALWAYS")
    io = ScriptedIO(["again", "exit"])

    async def main() -> Any:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.001)

        task = asyncio.ensure_future(ticker())
        with IOStream.set_default(io):
            result = await human.a_initiate_chat(assistant, message="task")
        task.cancel()
        return result, ticks

    result, ticks = asyncio.run(main())
    assert [m["content"] for m in result.chat_history] == ["task", "a1", "again", "a2"]
    assert ticks > 0

"""Summaries, sequential chats with carryover, concurrent chats with prerequisites, nested chats."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from helpers import ScriptedIO, ends_with_terminate
from llm_server import last_user_content

from autogen import ChatResult, ConversableAgent, a_initiate_chats, initiate_chats
from autogen.io.base import IOStream


@pytest.fixture
def io() -> Any:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def llm_agent(name: str, llm_config: dict, **kwargs: Any) -> ConversableAgent:
    return ConversableAgent(name, llm_config=llm_config, human_input_mode="NEVER", **kwargs)


def user(name: str = "user") -> ConversableAgent:
    return ConversableAgent(
        name, human_input_mode="NEVER", default_auto_reply="ok", is_termination_msg=ends_with_terminate
    )


def test_summary_methods(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    assistant, me = llm_agent("assistant", llm_config), user()
    llm_server.script("The answer is 4. TERMINATE")
    result = me.initiate_chat(assistant, message="2+2?", summary_method="last_msg")
    assert isinstance(result, ChatResult) and result.summary == "The answer is 4. "

    llm_server.script("The answer is 4. TERMINATE", "Summary: 2+2=4")
    result = me.initiate_chat(
        assistant,
        message="2+2?",
        summary_method="reflection_with_llm",
        summary_args={"summary_prompt": "Summarize in one line.", "summary_role": "user"},
    )
    assert result.summary == "Summary: 2+2=4"
    reflection = llm_server.chat_requests()[-1]["messages"]
    assert reflection[-1] == {"role": "user", "content": "Summarize in one line."}
    assert [m["content"] for m in reflection[:-1]] == ["2+2?", "The answer is 4. TERMINATE"]

    llm_server.script("Done TERMINATE", "default-prompt summary")
    result = me.initiate_chat(assistant, message="x", summary_method="reflection_with_llm")
    assert result.summary == "default-prompt summary"
    assert llm_server.chat_requests()[-1]["messages"][-1]["role"] == "system"

    def custom(sender: Any, recipient: Any, summary_args: dict) -> str:
        return f"{sender.name}->{recipient.name}:{summary_args['tag']}:{len(sender.chat_messages[recipient])}"

    llm_server.script("TERMINATE")
    result = me.initiate_chat(assistant, message="x", summary_method=custom, summary_args={"tag": "t"})
    assert result.summary == "user->assistant:t:2"
    assert me.initiate_chat(assistant, message="x", summary_method=None, max_turns=1).summary == ""
    with pytest.raises(ValueError, match="summary_method"):
        me.initiate_chat(assistant, message="x", summary_method="magic")
    with pytest.raises(ValueError, match="llm client must be set"):
        me.initiate_chat(user("other"), message="x", summary_method="reflection_with_llm")


def test_sequential_chats_carry_summaries_over(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    researcher, writer, me = llm_agent("researcher", llm_config), llm_agent("writer", llm_config), user()
    llm_server.responder = lambda body: f"reply to [{last_user_content(body)}] TERMINATE"
    chats = [
        {"sender": me, "recipient": researcher, "message": "Find facts.", "summary_method": "last_msg"},
        {
            "sender": me,
            "recipient": writer,
            "message": "Write.",
            "carryover": "Be short.",
            "summary_method": "last_msg",
        },
        {
            "sender": me,
            "recipient": researcher,
            "message": lambda sender, recipient, context: "Check: " + context["carryover"][-1],
            "finished_chat_indexes_to_exclude_from_carryover": [0],
            "clear_history": False,
        },
    ]
    results = initiate_chats(chats)
    assert len(results) == 3
    second_first = results[1].chat_history[0]["content"]
    assert second_first == "Write.\nContext: \nBe short.\nreply to [Find facts.] "
    third_first = results[2].chat_history[-2]["content"]
    assert third_first.startswith("Check: reply to [Write.")
    assert "Starting a new chat...." in io.output
    assert "carryover" not in chats[0] and chats[1]["carryover"] == "Be short."  # the caller's dicts are untouched

    # the agent method fills in the sender
    llm_server.responder = lambda body: "TERMINATE"
    results = me.initiate_chats([{"recipient": researcher, "message": "hi"}])
    assert results[0].chat_history[0]["name"] == "user"
    assert me.get_chat_results(0) is results[0]


def test_async_chats_with_prerequisites_run_concurrently(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    a, b, c, me = llm_agent("a", llm_config), llm_agent("b", llm_config), llm_agent("c", llm_config), user()

    def responder(body: dict) -> Any:
        text = last_user_content(body)
        return {"content": f"done {text.splitlines()[0]} TERMINATE", "delay": 1.0}

    llm_server.responder = responder
    queue = [
        {"chat_id": 1, "sender": me, "recipient": a, "message": "one"},
        {"chat_id": 2, "sender": me, "recipient": b, "message": "two"},
        {"chat_id": 3, "sender": me, "recipient": c, "message": "three", "prerequisites": [1, 2]},
    ]
    results = asyncio.run(a_initiate_chats(queue))
    assert set(results) == {1, 2, 3}
    # chats 1 and 2 overlap: each request reached the server before the other's answer (1 s later) came back;
    # chat 3 waits for both: its request came after both answers
    arrivals = {last_user_content(r.body).splitlines()[0]: r.received_at for r in llm_server.requests if r.body}
    assert abs(arrivals["one"] - arrivals["two"]) < 1.0
    assert arrivals["three"] >= max(arrivals["one"], arrivals["two"]) + 1.0
    third = results[3].chat_history[0]["content"]
    assert third.startswith("three\nContext: \n") and "done one" in third and "done two" in third
    assert results[1].chat_id == 1

    with pytest.raises(ValueError, match="cycle"):
        asyncio.run(
            a_initiate_chats(
                [
                    {"chat_id": 1, "sender": me, "recipient": a, "message": "x", "prerequisites": [2]},
                    {"chat_id": 2, "sender": me, "recipient": b, "message": "y", "prerequisites": [1]},
                ]
            )
        )
    with pytest.raises(ValueError, match="unknown prerequisites"):
        asyncio.run(
            a_initiate_chats([{"chat_id": 1, "sender": me, "recipient": a, "message": "x", "prerequisites": [9]}])
        )
    finished = asyncio.run(me.a_initiate_chats([{"chat_id": "only", "recipient": a, "message": "solo"}]))
    assert list(finished) == ["only"]


def test_nested_chats(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    writer = llm_agent("writer", llm_config)
    critic = llm_agent("critic", llm_config)
    inner = ConversableAgent("inner", human_input_mode="NEVER")  # runs the nested chat for the critic
    me = user()

    def responder(body: dict) -> Any:
        system = body["messages"][0]["content"]
        if system == "critic":
            return "Critique: fine. TERMINATE"
        return "Draft v1" if "Critique" not in last_user_content(body) else "Draft v2 TERMINATE"

    llm_server.responder = responder
    writer.update_system_message("writer")
    critic.update_system_message("critic")
    seen: list[Any] = []

    def reflection_message(recipient: Any, messages: Any, sender: Any, config: Any) -> str:
        seen.append((recipient.name, sender.name))
        return "Review this: " + messages[-1]["content"]

    inner.register_nested_chats(
        [{"recipient": critic, "message": reflection_message, "summary_method": "last_msg", "max_turns": 1}],
        trigger=writer,
    )
    result = inner.initiate_chat(writer, message="Write a poem.", max_turns=2)
    contents = [m["content"] for m in result.chat_history]
    assert contents == ["Write a poem.", "Draft v1", "Critique: fine. ", "Draft v2 TERMINATE"]
    assert seen == [("inner", "writer")]
    assert critic.chat_messages[inner][0]["content"] == "Review this: Draft v1"
    # the same registration works in an async chat (a_initiate_chat underneath)
    result = asyncio.run(inner.a_initiate_chat(writer, message="Write a poem.", max_turns=2))
    assert [m["content"] for m in result.chat_history][2] == "Critique: fine. "
    del me


def test_nested_chats_async_queue_and_custom_reply(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    a, b = llm_agent("a", llm_config), llm_agent("b", llm_config)
    host = ConversableAgent("host", human_input_mode="NEVER")
    llm_server.responder = lambda body: {"content": f"{body['messages'][0]['content']} says hi TERMINATE", "delay": 0.6}
    a.update_system_message("A")
    b.update_system_message("B")
    host.register_nested_chats(
        [
            {"chat_id": 1, "recipient": a, "message": "hi a", "max_turns": 1},
            {"chat_id": 2, "recipient": b, "message": "hi b", "max_turns": 1},
        ],
        trigger=lambda sender: True,
        use_async=True,
    )
    reply = asyncio.run(host.a_generate_reply(messages=[{"role": "user", "content": "go"}], sender=user("asker")))
    assert reply == "B says hi "
    # the two nested chats ran concurrently: both requests reached the server before either answer (0.6 s) came back
    first, second = (r.received_at for r in llm_server.requests if r.body)
    assert abs(second - first) < 0.6
    # sync chats can use it too
    assert host.generate_reply(messages=[{"role": "user", "content": "go"}], sender=user("asker")) == "B says hi "

    def custom(chat_queue: list, recipient: Any, messages: Any, sender: Any, config: Any) -> Any:
        return True, f"{len(chat_queue)} chats skipped for {sender.name}"

    other = ConversableAgent("other", human_input_mode="NEVER")
    other.register_nested_chats(
        [{"recipient": a, "message": "x"}], trigger="asker", reply_func_from_nested_chats=custom
    )
    assert other.generate_reply(messages=[{"content": "go"}], sender=user("asker")) == "1 chats skipped for asker"
    with pytest.raises(ValueError, match="chat_id"):
        other.register_nested_chats([{"recipient": a, "message": "x"}], trigger="asker", use_async=True)

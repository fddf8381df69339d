"""0.2-era notebook patterns run side by side with classic pyautogen 0.2.35 (scripts/classic_diff: the scenarios
group_selection, group_auto_retries, tool_printing, group_extras, human_input, group_edges and agent_tools found
these). Each test pins what the classic package did, through the real openai SDK against the scripted local server."""

from __future__ import annotations

import io
from typing import Any

import pytest
from llm_server import LLMServer

from autogen import AssistantAgent, ConversableAgent, GroupChat, GroupChatManager, UserProxyAgent, register_function


def _team(llm_config: dict[str, Any]) -> list[AssistantAgent]:
    return [AssistantAgent(n, llm_config=llm_config, description=f"{n} does {n} things.") for n in ("a", "b", "c")]


def _register_add(caller: Any, executor: Any) -> None:
    def add(a: int, b: int) -> int:
        return a + b

    register_function(add, caller=caller, executor=executor, description="Add")


def test_manual_selection_without_a_choice_moves_to_the_next_agent(
    llm_server: LLMServer, llm_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # classic: an empty answer or `q` (or too many invalid answers) gave the next agent in order, without asking
    # the model; only the agents' own replies reach the model
    llm_server.responder = lambda body: "b" if body["messages"][-1]["role"] == "system" else "work"
    monkeypatch.setattr("sys.stdin", io.StringIO("3\n\nq\n"))
    team = _team(llm_config)
    gc = GroupChat(team, messages=[], max_round=4, speaker_selection_method="manual")
    team[0].initiate_chat(GroupChatManager(gc, llm_config=llm_config), message="Manual.")
    assert [m["name"] for m in gc.messages] == ["a", "c", "a", "b"]
    assert len(llm_server.chat_requests()) == 3  # three replies, no speaker-selection request


def test_verbose_auto_selection_shows_each_round_as_a_chat(
    llm_server: LLMServer, llm_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # classic (select_speaker_auto_verbose=True) printed the selection as a chat between checking_agent and
    # speaker_selection_agent: the question, each answer, the attempt notice, the feedback; the retry requests carry
    # those two names
    answers = iter(["nobody here", "a or b", "I pick c"])
    llm_server.responder = lambda body: next(answers, "work")
    team = _team(llm_config)
    gc = GroupChat(team, messages=[], max_round=2, select_speaker_auto_verbose=True)
    team[0].initiate_chat(GroupChatManager(gc, llm_config=llm_config), message="Retry selection.")
    out = capsys.readouterr().out
    assert [m["name"] for m in gc.messages] == ["a", "c"]
    rule = "-" * 80
    expected = (
        f"checking_agent (to speaker_selection_agent):\n\n{gc.select_speaker_prompt(team)}\n\n{rule}\n"
        f"speaker_selection_agent (to checking_agent):\n\nnobody here\n\n{rule}\n"
        ">>>>>>>> Select speaker attempt #1 failed as it did not include any agent names.\n"
        "checking_agent (to speaker_selection_agent):\n\n"
    )
    assert expected in out
    assert (
        f"speaker_selection_agent (to checking_agent):\n\na or b\n\n{rule}\n"
        ">>>>>>>> Select speaker attempt 2 of 3 failed as it included multiple agent names.\n"
    ) in out
    assert (
        f"speaker_selection_agent (to checking_agent):\n\nI pick c\n\n{rule}\n"
        ">>>>>>>> Select speaker attempt 3 of 3 successfully selected: c\n"
    ) in out
    third = llm_server.chat_requests()[2]["messages"]
    assert [(m["role"], m.get("name")) for m in third[-5:]] == [
        ("system", "checking_agent"),
        ("assistant", "speaker_selection_agent"),
        ("system", "checking_agent"),
        ("assistant", "speaker_selection_agent"),
        ("system", "checking_agent"),
    ]


def test_tool_calls_print_as_classic(
    llm_server: LLMServer, llm_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # classic 0.2.35: the banner alone when a function runs (no call id, no arguments), and each tool response shown
    # as a message of its own under the sender's head, after the head of the whole tool message
    assistant = AssistantAgent("assistant", llm_config=llm_config)
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    _register_add(assistant, user)
    calls = [{"name": "add", "arguments": '{"a": 1, "b": 2}'}, {"name": "add", "arguments": '{"a": 3, "b": 4}'}]
    llm_server.script({"tool_calls": calls}, "TERMINATE")
    user.initiate_chat(assistant, message="Add twice.", max_turns=2)
    out = capsys.readouterr().out
    rule = "-" * 80
    head = "user (to assistant):\n\n"
    ids = [r["tool_call_id"] for m in assistant.chat_messages[user] for r in m.get("tool_responses") or []]
    assert len(ids) == 2
    titles = [f"***** Response from calling tool ({i}) *****" for i in ids]
    shown = [f"{head}{t}\n{v}\n{'*' * len(t)}\n\n{rule}\n" for t, v in zip(titles, ("3", "7"))]
    banner = "\n>>>>>>>> EXECUTING FUNCTION add...\n"
    assert f"{rule}\n{banner}{banner}{head}{shown[0]}{shown[1]}" in out
    assert "Input arguments" not in out and "Call ID" not in out


def test_group_chat_stores_a_tool_call_without_content_as_empty_text(
    llm_server: LLMServer, llm_config: dict[str, Any]
) -> None:
    # classic GroupChat.append ran content_str on every message: a message that only calls tools has content ""
    # in groupchat.messages and in the histories of the agents it is broadcast to (the caller's own history keeps
    # the message as the model gave it)
    writer = AssistantAgent("writer", llm_config=llm_config)
    runner = UserProxyAgent("runner", human_input_mode="NEVER", code_execution_config=False)
    _register_add(writer, runner)
    llm_server.script({"tool_calls": [{"name": "add", "arguments": '{"a": 1, "b": 2}'}]}, "3 it is.")
    gc = GroupChat([runner, writer], messages=[], max_round=4, speaker_selection_method="round_robin")
    runner.initiate_chat(GroupChatManager(gc, llm_config=llm_config), message="Add 1 and 2.")
    assert [(m["name"], m["content"]) for m in gc.messages] == [
        ("runner", "Add 1 and 2."),
        ("writer", ""),
        ("runner", "3"),
        ("writer", "3 it is."),
    ]
    assert "tool_calls" in gc.messages[1]
    assert [m["content"] for m in next(iter(runner.chat_messages.values())) if m.get("tool_calls")] == [""]


def test_usage_summary_of_an_agent_without_llm_is_one_line(
    llm_server: LLMServer, llm_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # classic: "No cost incurred ..." alone for an agent without an LLM; the "Agent '...':" head only before a summary
    bot = ConversableAgent("bot", llm_config=False, human_input_mode="NEVER", default_auto_reply="default!")
    assistant = AssistantAgent("assistant", llm_config=llm_config)
    llm_server.script("talk")
    bot.initiate_chat(assistant, message="Hi.", max_turns=1, silent=True)
    capsys.readouterr()
    bot.print_usage_summary()
    assert capsys.readouterr().out == "No cost incurred from agent 'bot'.\n"
    assistant.print_usage_summary()
    out = capsys.readouterr().out
    assert out.startswith("Agent 'assistant':\n") and "* Model 'gpt-4': cost:" in out


def test_a_model_saying_clear_history_clears_nothing(
    llm_server: LLMServer, llm_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # classic honoured enable_clear_history's command only in a reply given as a message dict (a human's answer);
    # a model's text reply that contains the phrase is passed on as it is
    llm_server.script("b says clear history", "c ok")
    team = _team(llm_config)
    gc = GroupChat(team, messages=[], max_round=3, speaker_selection_method="round_robin", enable_clear_history=True)
    team[0].initiate_chat(GroupChatManager(gc, llm_config=llm_config), message="Start clear.")
    assert [m["content"] for m in gc.messages] == ["Start clear.", "b says clear history", "c ok"]
    assert [m["content"] for m in next(iter(team[2].chat_messages.values()))][:2] == [
        "Start clear.",
        "b says clear history",
    ]
    assert "Clearing history" not in capsys.readouterr().out


def test_register_for_llm_on_an_agent_without_llm_says_so_first() -> None:
    # classic checked the llm_config before anything about the function (even a lambda's name)
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    with pytest.raises(AssertionError, match="To update a tool signature, agent must have an llm_config"):
        user.register_for_llm(description="x")(lambda: 1)

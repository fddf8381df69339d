"""Classic AutoGen 0.2 defaults and behaviour at the edges."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from helpers import ScriptedIO

from autogen import AssistantAgent, ConversableAgent, GroupChat, GroupChatManager, UserProxyAgent, code_utils
from autogen.agentchat.contrib.capabilities.transform_messages import TransformMessages
from autogen.agentchat.contrib.capabilities.transforms import MessageHistoryLimiter
from autogen.agentchat.contrib.math_user_proxy_agent import MathUserProxyAgent
from autogen.agentchat.contrib.multimodal_conversable_agent import MultimodalConversableAgent
from autogen.agentchat.contrib.society_of_mind_agent import SocietyOfMindAgent
from autogen.code_utils import decide_use_docker, execute_code
from autogen.exception_utils import AgentNameConflict
from autogen.io.base import IOStream
from autogen.token_count_utils import get_encoder, num_tokens_from_functions


@pytest.fixture(autouse=True)
def _quiet() -> Any:
    with IOStream.set_default(ScriptedIO()):
        yield


# ------------------------------------------------------------------------------------------- termination --
def test_default_termination_is_content_exactly_terminate() -> None:
    for agent in (ConversableAgent("c"), AssistantAgent("a"), UserProxyAgent("u", code_execution_config=False)):
        assert agent._is_termination_msg({"content": "TERMINATE"})
        assert not agent._is_termination_msg({"content": "All done. TERMINATE"})
        assert not agent._is_termination_msg({"content": "TERMINATE "})
        assert not agent._is_termination_msg({"content": None})


def test_group_chat_runs_to_max_round_unless_told_how_to_end(llm_server: Any, llm_config: dict) -> None:
    llm_server.responder = lambda body: "Here is my part. TERMINATE"
    speakers = [ConversableAgent(n, llm_config=llm_config, human_input_mode="NEVER") for n in ("alice", "bob")]
    chat = GroupChat(speakers, messages=[], max_round=4, speaker_selection_method="round_robin")
    manager = GroupChatManager(chat, llm_config=False)
    speakers[0].initiate_chat(manager, message="start")
    assert len(chat.messages) == 4  # "... TERMINATE" does not end the chat by default

    llm_server.reset()
    llm_server.responder = lambda body: "Here is my part. TERMINATE"
    chat = GroupChat(speakers, messages=[], max_round=4, speaker_selection_method="round_robin")
    manager = GroupChatManager(
        chat, llm_config=False, is_termination_msg=lambda m: (m.get("content") or "").endswith("TERMINATE")
    )
    speakers[0].initiate_chat(manager, message="start")
    assert len(chat.messages) == 2  # the user's own termination function is honoured


# ----------------------------------------------------------------------------------------------- names --
def test_same_names_in_nested_teams_are_allowed_and_the_first_wins() -> None:
    inner_coder = ConversableAgent("coder", llm_config=False)
    inner = GroupChat([inner_coder, ConversableAgent("tester", llm_config=False)], messages=[])
    inner_manager = GroupChatManager(inner, name="team", llm_config=False)
    outer_coder = ConversableAgent("coder", llm_config=False)
    outer = GroupChat([inner_manager, outer_coder], messages=[])
    assert outer.agent_by_name("coder") is outer_coder
    assert outer.agent_by_name("coder", recursive=True) is outer_coder  # the outer team's agents come first
    assert outer.agent_by_name("tester", recursive=True) is inner.agents[1]
    with pytest.raises(AgentNameConflict):
        outer.agent_by_name("coder", recursive=True, raise_on_name_conflict=True)
    # a flat team may repeat a name too (the classic package did not check)
    twin = ConversableAgent("coder", llm_config=False)
    assert GroupChat([outer_coder, twin], messages=[]).agent_by_name("coder") is outer_coder


# ---------------------------------------------------------------------------------------------- docker --
def test_decide_use_docker_none_is_true_unless_the_environment_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOGEN_USE_DOCKER", raising=False)
    for inside in (True, False):
        monkeypatch.setattr(code_utils, "in_docker_container", lambda inside=inside: inside)
        assert decide_use_docker(None) is True
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "False")
    assert decide_use_docker(None) is False
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "None")
    assert decide_use_docker(None) is None


def test_inside_a_container_code_runs_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOGEN_USE_DOCKER", raising=False)
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: True)
    code = "import os; print(os.getpid() != 1)"
    exit_code, logs, image = execute_code(code, work_dir=str(tmp_path), use_docker=True)
    assert (exit_code, logs.strip(), image) == (0, "True", None)  # no image: it ran in this container
    proxy = UserProxyAgent("u", code_execution_config={"work_dir": str(tmp_path)}, human_input_mode="NEVER")
    assert proxy.use_docker is True  # the classic value, although the code runs here


# --------------------------------------------------------------------------------------------- contrib --
def test_multimodal_agent_keeps_the_classic_system_message() -> None:
    agent = MultimodalConversableAgent("viewer", llm_config=False)
    assert agent.system_message == [{"type": "text", "text": "You are a helpful AI assistant."}]
    assert agent._is_termination_msg({"content": [{"type": "text", "text": "TERMINATE"}]})


def _team(llm_config: Any) -> GroupChatManager:
    writer = ConversableAgent("writer", llm_config=llm_config, human_input_mode="NEVER")
    editor = ConversableAgent("editor", llm_config=llm_config, human_input_mode="NEVER")
    chat = GroupChat([writer, editor], messages=[], max_round=2, speaker_selection_method="round_robin")
    return GroupChatManager(chat, llm_config=llm_config)


def test_society_of_mind_without_llm_config_answers_with_the_last_inner_message(
    llm_server: Any, llm_config: dict
) -> None:
    society = SocietyOfMindAgent("society", chat_manager=_team(llm_config))  # no llm_config of its own
    assert society.llm_config is False
    llm_server.script("inner draft")
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0)
    result = user.initiate_chat(society, message="Write it.")
    assert result.summary == "inner draft"  # classic: the last inner message, no response-preparer request
    assert len(llm_server.chat_requests()) == 1


def test_society_of_mind_without_any_llm_answers_with_the_team_last_word() -> None:
    worker = ConversableAgent("worker", llm_config=False, human_input_mode="NEVER", default_auto_reply="42 TERMINATE")
    idle = ConversableAgent("idle", llm_config=False, human_input_mode="NEVER")
    chat = GroupChat([worker, idle], messages=[], max_round=2, speaker_selection_method="round_robin")
    society = SocietyOfMindAgent("society", chat_manager=GroupChatManager(chat, llm_config=False))
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0)
    assert user.initiate_chat(society, message="What is six times seven?").summary == "42"


def test_transform_messages_history_limit_counts_as_classic(llm_server: Any, llm_config: dict) -> None:
    assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
    TransformMessages(transforms=[MessageHistoryLimiter(max_messages=3)]).add_to_agent(assistant)
    user = ConversableAgent("user", llm_config=False, human_input_mode="NEVER", default_auto_reply="more")
    llm_server.responder = lambda body: "answer"
    user.initiate_chat(assistant, message="one", max_turns=4)
    sent = llm_server.chat_requests()[-1]["messages"]
    assert sent[0]["role"] == "system"  # the system message is not counted ...
    assert [m["content"] for m in sent[1:]] == ["more", "answer", "more"]  # ... and exactly 3 others are kept
    kept = MessageHistoryLimiter(max_messages=3, keep_first_message=True).apply_transform(
        [{"role": "user", "content": str(i)} for i in range(6)]
    )
    assert [m["content"] for m in kept] == ["0", "4", "5"]


def test_math_user_proxy_keeps_state_between_code_blocks(tmp_path: Path) -> None:
    proxy = MathUserProxyAgent(code_execution_config={"work_dir": str(tmp_path), "use_docker": False})
    assert proxy.execute_one_python_code("x = 3\nprint(x)") == ("3\n", True)
    assert proxy.execute_one_python_code("y = x * 2\nprint(y)") == ("6\n", True)
    output, ok = proxy.execute_one_python_code("print(undefined_name)")
    assert not ok and "NameError" in output
    assert proxy.execute_one_python_code("print(x + y)") == ("9\n", True)  # the failed block left no trace


def test_num_tokens_from_functions_counts_as_classic() -> None:
    encoder = get_encoder("gpt-3.5-turbo-0613")

    def tokens(text: str) -> int:
        return len(encoder.encode(text))

    properties = {
        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
    }
    parameters = {"type": "object", "properties": properties, "required": ["location"]}
    function: dict[str, Any] = {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
    }
    function["parameters"] = parameters
    # the classic rule, spelled out: name + description - 2; per property its name, 2 + type, 2 + description,
    # enum: -3 then 3 + each value; 11 per parameters object; 12 for the list
    location = tokens("location") + 2 + tokens("string") + 2 + tokens("The city and state, e.g. San Francisco, CA")
    unit = tokens("unit") + 2 + tokens("string") - 3 + 3 + tokens("celsius") + 3 + tokens("fahrenheit")
    expected = tokens(function["name"]) + tokens(function["description"]) - 2 + location + unit + 11 + 12
    assert num_tokens_from_functions([function]) == expected
    no_params = {"name": "ping", "description": "Ping", "parameters": {"type": "object", "properties": {}}}
    assert num_tokens_from_functions([no_params]) == tokens("ping") + tokens("Ping") - 2 + 11 - 2 + 12
    assert num_tokens_from_functions([]) == 12


# ------------------------------------------------------------------------------------- deliberately better --
def test_async_reply_function_in_a_sync_chat_runs(llm_config: dict) -> None:
    """Classic raised for an async reply function in a sync chat; we run it (docs/compatibility.md)."""
    bot = ConversableAgent("bot", llm_config=False, human_input_mode="NEVER")

    async def reply(recipient: Any, messages: Any = None, sender: Any = None, config: Any = None) -> Any:
        await asyncio.sleep(0)
        return True, "from async TERMINATE"

    bot.register_reply([ConversableAgent, None], reply)
    user = ConversableAgent("user", llm_config=False, human_input_mode="NEVER", max_consecutive_auto_reply=0)
    assert user.initiate_chat(bot, message="hi").chat_history[-1]["content"] == "from async TERMINATE"

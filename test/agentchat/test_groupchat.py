"""End-to-end tests of group chats: real agents, the real openai SDK, the local OpenAI-compatible server.

The server's responder tells speaker-selection requests (their system message is the selection template) from the
agents' own requests (their system message is the agent's), answers each kind by a rule, and records them.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any, Callable, Dict, List, Optional, Sequence

import pytest
from helpers import ScriptedIO
from llm_server import LLMServer

from autogen import ConversableAgent, GroupChat, GroupChatManager, register_function
from autogen.agentchat.groupchat import DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE
from autogen.io.base import IOStream

SELECTION_MARK = DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE.split("{")[0].strip()
SYSTEM_PREFIX = "SYSTEM-MESSAGE-OF-"


def is_selection(body: Dict[str, Any]) -> bool:
    first = body["messages"][0]
    return first["role"] == "system" and SELECTION_MARK in (first.get("content") or "")


def agent_of(body: Dict[str, Any]) -> str:
    """The agent a (non-selection) request comes from, read from its system message."""
    return body["messages"][0]["content"].split(SYSTEM_PREFIX, 1)[1].split(".", 1)[0]


def roles_in(body: Dict[str, Any]) -> Dict[str, str]:
    """The "name: description" lines of a selection request."""
    roles = {}
    for line in body["messages"][0]["content"].splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+): (.+)$", line)
        if match:
            roles[match.group(1)] = match.group(2)
    return roles


def eligible_in(body: Dict[str, Any]) -> List[str]:
    """The names listed as eligible in a selection request."""
    match = re.search(r"from (\[[^\]]*\])", body["messages"][0]["content"])
    assert match, body["messages"][0]["content"]
    return [name.strip(" '") for name in match.group(1).strip("[]").split(",")]


class GroupResponder:
    """Answers selection requests with ``select(body)`` and agent requests with ``reply(agent_name, body)``."""

    def __init__(
        self,
        select: Callable[[Dict[str, Any]], Any],
        reply: Optional[Callable[[str, Dict[str, Any]], Any]] = None,
    ) -> None:
        self.select = select
        self.reply = reply or (lambda name, body: f"{name} speaking")
        self.selections: List[Dict[str, Any]] = []
        self.replies: List[tuple[str, Dict[str, Any]]] = []

    def __call__(self, body: Dict[str, Any]) -> Any:
        if is_selection(body):
            self.selections.append(body)
            return self.select(body)
        name = agent_of(body)
        self.replies.append((name, body))
        return self.reply(name, body)


def make_agent(name: str, description: str, llm_config: Any, **kwargs: Any) -> ConversableAgent:
    return ConversableAgent(
        name,
        system_message=f"{SYSTEM_PREFIX}{name}. Keep this instruction secret.",
        description=description,
        llm_config=llm_config,
        human_input_mode="NEVER",
        **kwargs,
    )


@pytest.fixture
def team(llm_config: Dict[str, Any]) -> List[ConversableAgent]:
    return [
        make_agent("planner", "Breaks the task into steps.", llm_config),
        make_agent("coder", "Writes Python code.", llm_config),
        make_agent("critic", "Reviews the code and points out bugs.", llm_config),
    ]


@pytest.fixture
def user() -> ConversableAgent:
    return ConversableAgent("user", llm_config=False, human_input_mode="NEVER", code_execution_config=False)


@pytest.fixture(autouse=True)
def _quiet() -> Any:
    io = ScriptedIO()
    with IOStream.set_default(io):
        yield io


def speakers(groupchat: GroupChat) -> List[str]:
    return [m["name"] for m in groupchat.messages]


# --------------------------------------------------------------------------------------------------------------
# "auto"


def test_auto_selection_through_the_server(
    llm_server: LLMServer, llm_config: Dict[str, Any], team: List[ConversableAgent], user: ConversableAgent
) -> None:
    order = iter(["coder", "critic", "planner", "coder"])
    responder = GroupResponder(select=lambda body: next(order))
    llm_server.responder = responder
    groupchat = GroupChat(team, max_round=5)
    manager = GroupChatManager(groupchat, llm_config=llm_config)

    result = user.initiate_chat(manager, message="Write a function that adds two numbers.")

    assert speakers(groupchat) == ["user", "coder", "critic", "planner", "coder"]
    assert [m["content"] for m in groupchat.messages[1:]] == [
        "coder speaking",
        "critic speaking",
        "planner speaking",
        "coder speaking",
    ]
    assert len(responder.selections) == 4 and len(responder.replies) == 4
    first = responder.selections[0]["messages"]
    # the selector reads descriptions, never system messages
    assert roles_in(responder.selections[0]) == {
        "planner": "Breaks the task into steps.",
        "coder": "Writes Python code.",
        "critic": "Reviews the code and points out bugs.",
    }
    assert all(SYSTEM_PREFIX not in json.dumps(body) for body in responder.selections)
    assert first[1] == {"role": "user", "name": "user", "content": "Write a function that adds two numbers."}
    assert first[-1]["role"] == "system" and "should speak next" in first[-1]["content"]
    # the last selection saw the whole conversation so far
    assert [m.get("name") for m in responder.selections[-1]["messages"][1:-1]] == speakers(groupchat)[:-1]
    # every agent saw every message (broadcast), the speaker's own as its reply
    for agent in team:
        assert [m["content"] for m in agent.chat_messages[manager]] == [m["content"] for m in groupchat.messages]
    assert manager.last_speaker is team[1]
    assert result.chat_history[0]["content"] == "Write a function that adds two numbers."


def test_auto_selection_builds_no_clients_per_round(
    llm_server: LLMServer,
    llm_config: Dict[str, Any],
    team: List[ConversableAgent],
    user: ConversableAgent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from autogen.oai.client import OpenAIWrapper

    built: List[Any] = []
    real_init = OpenAIWrapper.__init__

    def counting_init(self: Any, **kwargs: Any) -> None:
        built.append(self)
        real_init(self, **kwargs)

    monkeypatch.setattr(OpenAIWrapper, "__init__", counting_init)
    names = ["planner", "coder", "critic"]
    llm_server.responder = GroupResponder(select=lambda body: random.choice(names))
    groupchat = GroupChat(team, max_round=12)
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    user.initiate_chat(manager, message="Go.")
    assert len(groupchat.messages) == 12
    # one wrapper per LLM agent (three agents and the manager), whatever the number of rounds
    assert len(built) <= 4
    selection_usage = manager.client.total_usage_summary  # type: ignore[union-attr]
    assert selection_usage is not None and selection_usage["total_cost"] >= 0


def test_auto_selection_with_its_own_llm_config(
    llm_server: LLMServer, team: List[ConversableAgent], user: ConversableAgent, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autogen.oai.client import OpenAIWrapper

    built: List[Any] = []
    real_init = OpenAIWrapper.__init__

    def counting_init(self: Any, **kwargs: Any) -> None:
        built.append(kwargs)
        real_init(self, **kwargs)

    monkeypatch.setattr(OpenAIWrapper, "__init__", counting_init)
    llm_server.responder = GroupResponder(select=lambda body: "critic")
    selector_config = {"config_list": llm_server.config_list(model="selector-model"), "cache_seed": None}
    groupchat = GroupChat(team, max_round=6, select_speaker_auto_llm_args={"temperature": 0})
    manager = GroupChatManager(groupchat, select_speaker_auto_llm_config=selector_config)  # no llm_config of its own
    user.initiate_chat(manager, message="Review please.")
    assert speakers(groupchat) == ["user"] + ["critic"] * 5
    # the selector's wrapper is built once, and only the critic needed one of its own
    assert [kw["config_list"][0]["model"] for kw in built] == ["selector-model", "gpt-4"]
    bodies = llm_server.chat_requests()
    selections = [b for b in bodies if is_selection(b)]
    assert {b["model"] for b in selections} == {"selector-model"}
    assert {b["temperature"] for b in selections} == {0}
    assert {b["model"] for b in bodies if not is_selection(b)} == {"gpt-4"}


def test_bad_selection_answers_are_retried_with_feedback_then_fall_back(
    llm_server: LLMServer, llm_config: Dict[str, Any], team: List[ConversableAgent], user: ConversableAgent
) -> None:
    answers = iter(["I cannot decide.", "planner or critic", "Nobody at all", "coder", "", "???", "!!!"])
    responder = GroupResponder(select=lambda body: next(answers))
    llm_server.responder = responder
    groupchat = GroupChat(team, max_round=3, allow_repeat_speaker=False)
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    user.initiate_chat(manager, message="Start.")

    # round 1: three bad answers, then the next agent in order after "user" (not in the group): planner
    # round 2: "coder" at the first try... after planner; round 3 is the end (max_round)
    assert speakers(groupchat) == ["user", "planner", "coder"]
    first, second, third, fourth = (body["messages"] for body in responder.selections)
    answerer = {"role": "assistant", "name": "speaker_selection_agent"}  # the classic names of the two sides
    assert second[-2] == {**answerer, "content": "I cannot decide."}
    assert second[-1]["name"] == "checking_agent"
    assert "did not name a participant" in second[-1]["content"]
    assert third[-2] == {**answerer, "content": "planner or critic"}
    assert "more than one participant" in third[-1]["content"]
    assert len(third) == len(first) + 4
    # with allow_repeat_speaker=False the planner is not offered after the planner
    assert eligible_in(responder.selections[3]) == ["coder", "critic"]
    del fourth


def test_distractor_is_never_selected(
    llm_server: LLMServer, llm_config: Dict[str, Any], user: ConversableAgent
) -> None:
    """With clear descriptions, a selector that matches the conversation to descriptions never picks the gardener."""
    agents = [
        make_agent("coder", "Writes Python code for a task.", llm_config),
        make_agent("reviewer", "Reviews code and finds bugs.", llm_config),
        make_agent("writer", "Writes documentation for completed code.", llm_config),
        make_agent("gardener", "Knows about plants, soil, seeds and watering.", llm_config),
    ]

    def stems(text: str) -> set[str]:
        # crude keyword stems: the first four letters of the longer words
        return {w[:4] for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4 and w != "code"}

    def select(body: Dict[str, Any]) -> str:
        last = body["messages"][-2]["content"]  # the last conversation message, before the question
        scores = {name: len(stems(last) & stems(desc)) for name, desc in roles_in(body).items()}
        return max(scores, key=lambda name: scores[name])

    script = {
        "coder": "Here is the code. Please review it and find bugs.",
        "reviewer": "No bugs found. Now write documentation.",
        "writer": "Documentation finished. Next task: writes more Python code.",
    }
    responder = GroupResponder(select=select, reply=lambda name, body: script[name])
    llm_server.responder = responder
    groupchat = GroupChat(agents, max_round=8)
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    user.initiate_chat(manager, message="Please write Python code for a CSV parser.")

    assert "gardener" not in speakers(groupchat)
    assert speakers(groupchat)[:5] == ["user", "coder", "reviewer", "writer", "coder"]
    assert all("gardener" in roles_in(body) for body in responder.selections)


async def test_a_run_chat(
    llm_server: LLMServer,
    llm_config: Dict[str, Any],
    team: List[ConversableAgent],
    user: ConversableAgent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from autogen.oai.client import OpenAIWrapper

    def blocking_create(self: Any, **params: Any) -> Any:
        raise AssertionError("an async chat must not make blocking LLM calls")

    monkeypatch.setattr(OpenAIWrapper, "create", blocking_create)
    order = iter(["critic", "planner", "coder"])
    llm_server.responder = GroupResponder(select=lambda body: next(order))
    groupchat = GroupChat(team, max_round=4)
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    result = await user.a_initiate_chat(manager, message="Async please.")
    assert speakers(groupchat) == ["user", "critic", "planner", "coder"]
    assert result.chat_history[0]["content"] == "Async please."


# --------------------------------------------------------------------------------------------------------------
# the other methods


def test_round_robin_needs_no_selection_requests(
    llm_server: LLMServer, llm_config: Dict[str, Any], team: List[ConversableAgent], user: ConversableAgent
) -> None:
    responder = GroupResponder(select=lambda body: pytest.fail("no selection request expected"))
    llm_server.responder = responder
    groupchat = GroupChat(team, max_round=6, speaker_selection_method="round_robin")
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    user.initiate_chat(manager, message="Go round.")
    assert speakers(groupchat) == ["user", "planner", "coder", "critic", "planner", "coder"]
    assert responder.selections == []


def test_random_selection(
    llm_server: LLMServer, llm_config: Dict[str, Any], team: List[ConversableAgent], user: ConversableAgent
) -> None:
    llm_server.responder = GroupResponder(select=lambda body: pytest.fail("no selection request expected"))
    random.seed(3)
    groupchat = GroupChat(team, max_round=12, speaker_selection_method="random", allow_repeat_speaker=False)
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    user.initiate_chat(manager, message="Anyone.")
    names = speakers(groupchat)[1:]
    assert len(names) == 11 and set(names) <= {"planner", "coder", "critic"}
    assert all(a != b for a, b in zip(names, names[1:]))


def test_manual_selection_through_the_human(
    llm_server: LLMServer,
    llm_config: Dict[str, Any],
    team: List[ConversableAgent],
    user: ConversableAgent,
    _quiet: ScriptedIO,
) -> None:
    responder = GroupResponder(select=lambda body: "planner")
    llm_server.responder = responder
    # critic; a wrong answer, then coder; empty: the next agent in order (classic; the LLM is not asked)
    _quiet.inputs.extend(["3", "nine", "2", ""])
    groupchat = GroupChat(team, max_round=4, speaker_selection_method="manual")
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    user.initiate_chat(manager, message="You choose.")
    assert speakers(groupchat) == ["user", "critic", "coder", "critic"]
    assert len(responder.selections) == 0
    assert "1: planner" in _quiet.output and "Invalid input" in _quiet.output


def test_callable_selection_and_ending_the_chat(
    llm_server: LLMServer, llm_config: Dict[str, Any], team: List[ConversableAgent], user: ConversableAgent
) -> None:
    planner, coder, critic = team
    llm_server.responder = GroupResponder(select=lambda body: "critic")
    calls: List[str] = []

    def chooser(last_speaker: Any, groupchat: GroupChat) -> Any:
        calls.append(last_speaker.name)
        if last_speaker is user:
            return coder
        if last_speaker is coder:
            return "auto"  # the LLM picks (critic)
        return None  # ends the chat

    groupchat = GroupChat(team, max_round=10, speaker_selection_method=chooser)
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    user.initiate_chat(manager, message="Custom order.")
    assert speakers(groupchat) == ["user", "coder", "critic"]
    assert calls == ["user", "coder", "critic"]


# --------------------------------------------------------------------------------------------------------------
# transition graphs


def _graph_chat(
    llm_server: LLMServer, llm_config: Dict[str, Any], user: ConversableAgent, kind: str, graph_of: Callable[..., Any]
) -> tuple[GroupChat, List[ConversableAgent], GroupResponder]:
    agents = [make_agent(n, f"The {n} agent.", llm_config) for n in ("a1", "a2", "a3", "a4")]
    rng = random.Random(11)
    # an adversarial selector: any name of the group, allowed or not
    responder = GroupResponder(select=lambda body: rng.choice(["a1", "a2", "a3", "a4"]))
    llm_server.responder = responder
    groupchat = GroupChat(
        agents,
        max_round=25,
        allowed_or_disallowed_speaker_transitions=graph_of(*agents),
        speaker_transitions_type=kind,  # type: ignore[arg-type]
    )
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    user.initiate_chat(manager, message="Follow the graph.")
    return groupchat, agents, responder


def test_allowed_graph_is_never_left(llm_server: LLMServer, llm_config: Dict[str, Any], user: ConversableAgent) -> None:
    def graph(a1: Any, a2: Any, a3: Any, a4: Any) -> Dict[Any, List[Any]]:
        return {a1: [a2, a3], a2: [a1, a4], a3: [a4], a4: [a1, a2]}

    groupchat, agents, responder = _graph_chat(llm_server, llm_config, user, "allowed", graph)
    allowed = {k.name: {v.name for v in vs} for k, vs in graph(*agents).items()}
    names = speakers(groupchat)[1:]
    assert len(names) == 24
    for before, after in zip(names, names[1:]):
        assert after in allowed[before], (before, after)
    # after the user (outside the group) anyone may speak; then only the allowed names are offered, and single
    # successors are taken without asking the LLM
    assert len(eligible_in(responder.selections[0])) == 4
    for body in responder.selections[1:]:
        assert len(eligible_in(body)) == 2


def test_disallowed_graph_is_respected(
    llm_server: LLMServer, llm_config: Dict[str, Any], user: ConversableAgent
) -> None:
    def graph(a1: Any, a2: Any, a3: Any, a4: Any) -> Dict[Any, List[Any]]:
        return {a1: [a1, a2], a2: [a2, a3, a4], a3: [a3], a4: [a4, a1]}

    groupchat, agents, _ = _graph_chat(llm_server, llm_config, user, "disallowed", graph)
    forbidden = {k.name: {v.name for v in vs} for k, vs in graph(*agents).items()}
    names = speakers(groupchat)[1:]
    assert len(names) == 24
    for before, after in zip(names, names[1:]):
        assert after not in forbidden[before], (before, after)


def test_sink_in_graph_ends_the_chat(llm_server: LLMServer, llm_config: Dict[str, Any], user: ConversableAgent) -> None:
    agents = [make_agent(n, f"The {n} agent.", llm_config) for n in ("first", "second", "last")]
    first, second, last = agents
    llm_server.responder = GroupResponder(select=lambda body: "first")
    groupchat = GroupChat(
        agents,
        max_round=10,
        allowed_or_disallowed_speaker_transitions={first: [second], second: [last]},
        speaker_transitions_type="allowed",
    )
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    user.initiate_chat(manager, message="Pipeline.")
    assert speakers(groupchat) == ["user", "first", "second", "last"]


# --------------------------------------------------------------------------------------------------------------
# tools, termination, limits


def test_tool_call_is_executed_by_the_agent_that_can(
    llm_server: LLMServer, llm_config: Dict[str, Any], user: ConversableAgent
) -> None:
    caller = make_agent("caller", "Asks for calculations.", llm_config)
    executor = ConversableAgent(
        "executor",
        llm_config=False,
        human_input_mode="NEVER",
        description="Runs the tools.",
        code_execution_config=False,
    )
    writer = make_agent("writer", "Writes the final answer.", llm_config)

    def add(a: int, b: int) -> int:
        return a + b

    register_function(add, caller=caller, executor=executor, description="Add two numbers.")

    def reply(name: str, body: Dict[str, Any]) -> Any:
        if name == "caller":
            return {"content": None, "tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 3}}]}
        return "The sum is 5. TERMINATE"

    selections = iter(["caller", "writer"])
    responder = GroupResponder(select=lambda body: next(selections), reply=reply)
    llm_server.responder = responder
    groupchat = GroupChat([caller, writer, executor], max_round=10)
    manager = GroupChatManager(
        groupchat, llm_config=llm_config, is_termination_msg=lambda m: "TERMINATE" in (m.get("content") or "")
    )
    user.initiate_chat(manager, message="What is 2 + 3?")

    assert speakers(groupchat) == ["user", "caller", "executor", "writer"]
    call, result = groupchat.messages[1], groupchat.messages[2]
    assert call["tool_calls"][0]["function"]["name"] == "add"
    assert result["role"] == "tool" and result["content"] == "5"
    assert result["tool_responses"][0]["tool_call_id"] == call["tool_calls"][0]["id"]
    # the executor was chosen without asking the LLM; the writer's request carries the whole exchange
    assert len(responder.selections) == 2
    writer_messages = [b for n, b in responder.replies if n == "writer"][0]["messages"]
    assert any(m.get("role") == "tool" and m.get("content") == "5" for m in writer_messages)


def test_max_round_and_termination(
    llm_server: LLMServer, llm_config: Dict[str, Any], team: List[ConversableAgent], user: ConversableAgent
) -> None:
    llm_server.responder = GroupResponder(select=lambda body: "coder")
    groupchat = GroupChat(team, max_round=1)
    user.initiate_chat(GroupChatManager(groupchat, llm_config=llm_config), message="Only me.")
    assert speakers(groupchat) == ["user"]

    turns = iter(["working", "still working", "done TERMINATE", "never said"])
    llm_server.responder = GroupResponder(select=lambda body: "coder", reply=lambda name, body: next(turns))
    groupchat = GroupChat(team, max_round=10)
    manager = GroupChatManager(
        groupchat, llm_config=llm_config, is_termination_msg=lambda m: "TERMINATE" in (m.get("content") or "")
    )
    result = user.initiate_chat(manager, message="Work until done.")
    assert [m["content"] for m in groupchat.messages] == [
        "Work until done.",
        "working",
        "still working",
        "done TERMINATE",
    ]
    assert result.chat_history[-1]["content"] == "Work until done."


def test_keyboard_interrupt_hands_over_to_the_admin(
    llm_server: LLMServer, llm_config: Dict[str, Any], team: List[ConversableAgent], user: ConversableAgent
) -> None:
    admin = make_agent("Admin", "The human admin.", llm_config)
    llm_server.responder = GroupResponder(select=lambda body: "planner")
    interrupted: List[bool] = []

    def chooser(last_speaker: Any, groupchat: GroupChat) -> Any:
        if not interrupted:
            interrupted.append(True)
            raise KeyboardInterrupt
        return None

    groupchat = GroupChat([*team, admin], max_round=5, speaker_selection_method=chooser)
    user.initiate_chat(GroupChatManager(groupchat, llm_config=llm_config), message="Interrupt me.")
    assert speakers(groupchat) == ["user", "Admin"]

    def always_interrupted(last_speaker: Any, groupchat: GroupChat) -> Any:
        raise KeyboardInterrupt

    groupchat = GroupChat(team, max_round=5, speaker_selection_method=always_interrupted)
    with pytest.raises(KeyboardInterrupt):
        user.initiate_chat(GroupChatManager(groupchat, llm_config=llm_config), message="No admin here.")


def test_send_introductions(
    llm_server: LLMServer, llm_config: Dict[str, Any], team: List[ConversableAgent], user: ConversableAgent
) -> None:
    responder = GroupResponder(select=lambda body: "coder")
    llm_server.responder = responder
    groupchat = GroupChat(team, max_round=2, send_introductions=True)
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    user.initiate_chat(manager, message="Hello team.")
    for agent in team:
        intro = agent.chat_messages[manager][0]["content"]
        assert "planner: Breaks the task into steps." in intro and "critic:" in intro
    assert speakers(groupchat) == ["user", "coder"]  # the introduction is not a group message
    coder_request = responder.replies[0][1]["messages"]
    assert "coder: Writes Python code." in coder_request[1]["content"]


def test_clear_history_command(llm_server: LLMServer, llm_config: Dict[str, Any], _quiet: ScriptedIO) -> None:
    human = ConversableAgent("human", llm_config=False, human_input_mode="ALWAYS", code_execution_config=False)
    bot = make_agent("bot", "Answers.", llm_config)
    helper = make_agent("helper", "Helps.", llm_config)
    llm_server.responder = GroupResponder(select=lambda body: pytest.fail("round robin"))
    _quiet.inputs.extend(["clear history 1 and go on", "done"])
    groupchat = GroupChat(
        [human, bot, helper], max_round=7, speaker_selection_method="round_robin", enable_clear_history=True
    )
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    human.initiate_chat(manager, message="start")
    contents = [m["content"] for m in groupchat.messages]
    # the command kept the last message (the helper's) and then went through as "and go on"
    assert contents == ["helper speaking", "and go on", "bot speaking", "helper speaking", "done"]
    assert "Clearing history for all agents except last 1 messages." in _quiet.output
    assert [m["content"] for m in bot.chat_messages[manager]][:2] == ["helper speaking", "and go on"]


def test_manager_refuses_tools_in_its_llm_config(llm_config: Dict[str, Any], team: List[ConversableAgent]) -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
    with pytest.raises(ValueError, match="not allowed to make function/tool calls"):
        GroupChatManager(GroupChat(team), llm_config={**llm_config, "tools": tools})


# --------------------------------------------------------------------------------------------------------------
# resume


def _first_part(llm_server: LLMServer, llm_config: Dict[str, Any], user: ConversableAgent) -> List[Dict[str, Any]]:
    llm_server.responder = GroupResponder(select=lambda body: pytest.fail("round robin"))
    team = [make_agent(n, f"The {n}.", llm_config) for n in ("planner", "coder", "critic")]
    groupchat = GroupChat(team, max_round=3, speaker_selection_method="round_robin")
    user.initiate_chat(GroupChatManager(groupchat, llm_config=llm_config), message="Part one.")
    assert speakers(groupchat) == ["user", "planner", "coder"]
    return groupchat.messages


@pytest.mark.parametrize("as_json", [False, True])
def test_resume_a_saved_chat(
    llm_server: LLMServer, llm_config: Dict[str, Any], user: ConversableAgent, as_json: bool
) -> None:
    saved = _first_part(llm_server, llm_config, user)
    saved[-1]["content"] = "coder speaking TERMINATE"
    state: Any = GroupChatManager.messages_to_string(saved) if as_json else saved

    # a new process would build the same agents again
    team = [make_agent(n, f"The {n}.", llm_config) for n in ("planner", "coder", "critic")]
    planner, coder, critic = team
    groupchat = GroupChat(team, max_round=3, speaker_selection_method="round_robin")
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    last_agent, last_message = manager.resume(messages=state, remove_termination_string="TERMINATE")

    assert last_agent is coder
    assert last_message["content"] == "coder speaking "
    assert speakers(groupchat) == ["user", "planner"]
    # the agents' histories hold the replayed conversation, each agent's own messages as its own
    assert [m["role"] for m in planner.chat_messages[manager]] == ["user", "assistant"]
    assert [m["content"] for m in critic.chat_messages[manager]] == ["Part one.", "planner speaking"]

    last_agent.initiate_chat(manager, message=last_message, clear_history=False)
    # the coder's message goes on record again, then the round robin continues after the coder (3 more rounds)
    assert speakers(groupchat) == ["user", "planner", "coder", "critic", "planner"]
    critic_requests = [b for b in llm_server.chat_requests() if SYSTEM_PREFIX + "critic" in b["messages"][0]["content"]]
    assert [m["content"] for m in critic_requests[-1]["messages"][1:]] == [
        "Part one.",
        "planner speaking",
        "coder speaking ",
    ]
    if not as_json:
        assert saved[-1]["content"] == "coder speaking TERMINATE"  # the caller's list is left alone


async def test_a_resume(llm_server: LLMServer, llm_config: Dict[str, Any], user: ConversableAgent) -> None:
    saved = _first_part(llm_server, llm_config, user)
    team = [make_agent(n, f"The {n}.", llm_config) for n in ("planner", "coder", "critic")]
    groupchat = GroupChat(team, max_round=3, speaker_selection_method="round_robin")
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    last_agent, last_message = await manager.a_resume(messages=saved, silent=True)
    await last_agent.a_initiate_chat(manager, message=last_message, clear_history=False)
    assert speakers(groupchat) == ["user", "planner", "coder", "critic", "planner"]


def test_resume_checks_the_messages(llm_config: Dict[str, Any], team: List[ConversableAgent]) -> None:
    manager = GroupChatManager(GroupChat(team), llm_config=llm_config)
    with pytest.raises(ValueError, match="no messages were provided"):
        manager.resume([])
    with pytest.raises(ValueError, match="doesn't exist as agent in group chat: stranger"):
        manager.resume([{"role": "user", "name": "stranger", "content": "hi"}])
    with pytest.raises(TypeError):
        manager.resume(42)  # type: ignore[arg-type]
    # names of the manager and of the admin are accepted; a message without a name is the manager's
    last_agent, _ = manager.resume(
        [
            {"role": "user", "content": "no name"},
            {"role": "user", "name": "Admin", "content": "the admin"},
            {"role": "user", "name": "chat_manager", "content": "the manager"},
        ]
    )
    assert last_agent is manager
    assert [m["name"] for m in manager.groupchat.messages] == ["chat_manager", "Admin"]


def test_messages_round_trip_through_json(team: List[ConversableAgent]) -> None:
    messages: Sequence[Dict[str, Any]] = [
        {"role": "user", "name": "user", "content": "hi"},
        {"role": "assistant", "name": "coder", "content": None, "tool_calls": [{"id": "1", "type": "function"}]},
    ]
    text = GroupChatManager.messages_to_string(list(messages))
    assert GroupChatManager.messages_from_string(text) == list(messages)
    with pytest.raises(ValueError):
        GroupChatManager.messages_from_string('{"not": "a list"}')


def test_the_chat_cache_serves_every_agent_and_the_selection(
    llm_server: LLMServer, llm_config: Dict[str, Any], team: List[ConversableAgent], user: ConversableAgent
) -> None:
    from autogen import Cache

    order = ["coder", "critic", "planner"]
    responder = GroupResponder(select=lambda body: order[len(responder.selections) % 3 - 1])
    llm_server.responder = responder
    groupchat = GroupChat(team, max_round=4)
    manager = GroupChatManager(groupchat, llm_config=llm_config)
    with Cache.disk(cache_seed=7) as cache:
        user.initiate_chat(manager, message="Cached chat.", cache=cache)
        first = speakers(groupchat)
        made = len(llm_server.chat_requests())
        user.initiate_chat(manager, message="Cached chat.", cache=cache)
    assert made == 6
    assert speakers(groupchat) == first
    assert len(llm_server.chat_requests()) == made  # the second run came from the cache entirely
    assert all(agent.client_cache is None for agent in team)


class RuleSelector:
    """A custom ModelClient for speaker selection: always names the critic."""

    def __init__(self, config: Dict[str, Any], **kwargs: Any) -> None:
        self.calls = 0

    def create(self, params: Dict[str, Any]) -> Any:
        from types import SimpleNamespace

        self.calls += 1
        message = SimpleNamespace(content="critic", tool_calls=None, function_call=None)
        return SimpleNamespace(choices=[SimpleNamespace(message=message)], model="rule-selector")

    def message_retrieval(self, response: Any) -> List[str]:
        return [choice.message.content for choice in response.choices]

    def cost(self, response: Any) -> float:
        return 0.0

    @staticmethod
    def get_usage(response: Any) -> Dict[str, Any]:
        return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "cost": 0.0, "model": response.model}


def test_custom_model_client_for_selection(
    llm_server: LLMServer, llm_config: Dict[str, Any], team: List[ConversableAgent], user: ConversableAgent
) -> None:
    responder = GroupResponder(select=lambda body: pytest.fail("the custom client selects"))
    llm_server.responder = responder
    selector_config = {"config_list": [{"model": "rules", "model_client_cls": "RuleSelector"}], "cache_seed": None}
    groupchat = GroupChat(
        team,
        max_round=3,
        select_speaker_auto_model_client_cls=RuleSelector,
        select_speaker_auto_llm_config=selector_config,
    )
    user.initiate_chat(GroupChatManager(groupchat, llm_config=llm_config), message="Rules decide.")
    assert speakers(groupchat) == ["user", "critic", "critic"]
    assert [name for name, _ in responder.replies] == ["critic", "critic"]

"""Unit tests of GroupChat configuration and of the pure speaker-selection logic.

The agents here are small stand-ins (a name, a description, the functions they can run), and the "auto" selector
talks to a fake client, so each rule is checked on its own. The end-to-end tests through real agents and the local
OpenAI-compatible server are in test_groupchat.py.
"""

from __future__ import annotations

import logging
import random
from typing import Any, Optional, Sequence

import pytest
from helpers import ScriptedIO

from autogen.agentchat.groupchat import GroupChat
from autogen.agentchat.speaker_selection import (
    eligible_speakers,
    function_call_names,
    mentioned_agents,
    resolve_speaker,
    selection_message,
)
from autogen.exception_utils import AgentNameConflict, NoEligibleSpeaker, UndefinedNextAgent
from autogen.io.base import IOStream


class FakeAgent:
    """An agent as far as GroupChat is concerned (not a full Agent: typed as Any below)."""

    def __init__(self, name: str, description: str = "", functions: Sequence[str] = ()) -> None:
        self.name = name
        self.description = description or f"{name} helps."
        self.function_map = {f: (lambda: None) for f in functions}

    def can_execute_function(self, name: Any) -> bool:
        names = name if isinstance(name, list) else [name]
        return all(n in self.function_map for n in names)

    def __repr__(self) -> str:
        return f"Member({self.name})"


Member: Any = FakeAgent


class FakeClient:
    """Answers selection requests from a list, recording each request; sync and async."""

    def __init__(self, answers: Sequence[Optional[str]]) -> None:
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []

    def create(self, **params: Any) -> Optional[str]:
        self.requests.append(params)
        return self.answers.pop(0)

    async def a_create(self, **params: Any) -> Optional[str]:
        return self.create(**params)

    @staticmethod
    def extract_text_or_completion_object(response: Any) -> list[Any]:
        return [response]


class Selector:
    """The manager as far as selection is concerned: it has an LLM client."""

    def __init__(self, client: Any = None) -> None:
        self.client = client
        self.llm_config: Any = {"config_list": []} if client is not None else False


@pytest.fixture
def team() -> list[Any]:
    return [
        Member("planner", "Breaks the task into steps."),
        Member("coder", "Writes Python code."),
        Member("critic", "Reviews the code."),
    ]


def _message(name: str, content: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"role": "user", "name": name, "content": content, **extra}


# --------------------------------------------------------------------------------------------------------------
# configuration


def test_defaults_match_the_classic_signature(team: list[Any]) -> None:
    chat = GroupChat(team)
    assert chat.messages == [] and chat.max_round == 10 and chat.admin_name == "Admin"
    assert chat.func_call_filter is True and chat.speaker_selection_method == "auto"
    assert chat.allow_repeat_speaker is True and chat.max_retries_for_selecting_speaker == 2
    assert chat.role_for_select_speaker_messages == "system"
    assert chat.enable_clear_history is False and chat.send_introductions is False
    assert "{roles}" in chat.select_speaker_message_template and "{agentlist}" in chat.select_speaker_message_template
    assert "{agentlist}" in chat.select_speaker_prompt_template  # type: ignore[operator]
    assert chat.agent_names == ["planner", "coder", "critic"]
    assert GroupChat(team, messages=[]).messages is not GroupChat(team).messages


def test_duplicate_names_are_allowed_and_conflicts_raise_on_request() -> None:
    first, second = Member("coder"), Member("coder")
    group = GroupChat([first, Member("critic"), second])  # allowed, as in the classic package
    assert group.agent_by_name("coder") is first
    with pytest.raises(AgentNameConflict):
        group.agent_by_name("coder", raise_on_name_conflict=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"speaker_selection_method": "loudest"}, "speaker_selection_method is set to 'loudest'"),
        ({"speaker_selection_method": 3}, "speaker_selection_method must be"),
        ({"max_retries_for_selecting_speaker": -1}, "greater than or equal to zero"),
        ({"max_retries_for_selecting_speaker": None}, "cannot be None or non-int"),
        ({"select_speaker_message_template": ""}, "cannot be empty"),
        ({"role_for_select_speaker_messages": None}, "cannot be empty"),
        ({"select_speaker_auto_verbose": None}, "True or False"),
        ({"allow_repeat_speaker": "yes"}, "True, False or a list"),
    ],
)
def test_bad_settings_are_rejected(team: list[Any], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GroupChat(team, **kwargs)


def test_method_names_are_case_insensitive(team: list[Any]) -> None:
    chat = GroupChat(team, speaker_selection_method="Round_Robin")  # type: ignore[arg-type]
    assert chat.select_speaker(team[0], Selector()) is team[1]


def test_graph_without_its_type_or_with_allow_repeat_is_rejected(team: list[Any]) -> None:
    planner, coder, critic = team
    graph = {planner: [coder], coder: [critic], critic: [planner]}
    with pytest.raises(ValueError, match="speaker_transitions_type"):
        GroupChat(team, allowed_or_disallowed_speaker_transitions=graph)
    with pytest.raises(ValueError, match=r"It should be one of \['allowed', 'disallowed', None\]"):
        GroupChat(team, allowed_or_disallowed_speaker_transitions=graph, speaker_transitions_type="maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Don't provide both allowed_or_disallowed_speaker_transitions"):
        GroupChat(
            team,
            allowed_or_disallowed_speaker_transitions=graph,
            speaker_transitions_type="allowed",
            allow_repeat_speaker=False,
        )


def test_graph_with_unknown_agents_is_rejected(team: list[Any]) -> None:
    planner, _, _ = team
    stranger = Member("stranger")
    for kind in ("allowed", "disallowed"):
        with pytest.raises(ValueError, match="'stranger', which is not in the group chat"):
            GroupChat(
                team,
                allowed_or_disallowed_speaker_transitions={planner: [stranger]},
                speaker_transitions_type=kind,  # type: ignore[arg-type]
            )


def test_isolated_agent_in_graph_warns(team: list[Any], caplog: pytest.LogCaptureFixture) -> None:
    planner, coder, critic = team
    with caplog.at_level(logging.WARNING):
        GroupChat(
            team,
            allowed_or_disallowed_speaker_transitions={planner: [coder], coder: [planner]},
            speaker_transitions_type="allowed",
        )
    assert "critic" in caplog.text and "never speak" in caplog.text


def test_disallowed_graph_is_inverted(team: list[Any]) -> None:
    planner, coder, critic = team
    chat = GroupChat(
        team,
        allowed_or_disallowed_speaker_transitions={planner: [critic, planner], coder: [coder]},
        speaker_transitions_type="disallowed",
    )
    assert chat.allowed_speaker_transitions_dict == {
        planner: [coder],
        coder: [planner, critic],
        critic: [planner, coder, critic],
    }


def test_allowed_dict_without_graph_follows_allow_repeat(team: list[Any]) -> None:
    planner, coder, critic = team
    chat = GroupChat(team, allow_repeat_speaker=[coder])
    assert chat.allowed_speaker_transitions_dict[coder] == [planner, coder, critic]
    assert chat.allowed_speaker_transitions_dict[planner] == [coder, critic]


# --------------------------------------------------------------------------------------------------------------
# helpers of the group chat


def test_append_names_the_speaker_and_flattens_content(team: list[Any]) -> None:
    chat = GroupChat(team)
    chat.append({"role": "user", "content": [{"type": "text", "text": "look: "}, {"type": "image_url"}]}, team[0])
    chat.append({"role": "function", "name": "add", "content": "3"}, team[1])
    chat.append({"role": "assistant", "content": None, "tool_calls": []}, team[1])
    assert chat.messages[0] == {"role": "user", "content": "look: <image>", "name": "planner"}
    assert chat.messages[1]["name"] == "add"
    assert chat.messages[2]["content"] == "" and chat.messages[2]["name"] == "coder"  # classic: no content -> ""
    chat.reset()
    assert chat.messages == []


def test_agent_by_name_and_nested_agents(team: list[Any]) -> None:
    inner_a, inner_b = Member("inner_a"), Member("coder")
    inner = GroupChat([inner_a, inner_b])

    class Manager(Member):
        groupchat = inner

    manager = Manager("inner_manager")
    chat = GroupChat([*team, manager])
    assert chat.agent_by_name("coder") is team[1]
    assert chat.agent_by_name("inner_a") is None
    assert chat.agent_by_name("inner_a", recursive=True) is inner_a
    assert chat.nested_agents() == [*team, manager, inner_a, inner_b]
    assert chat.agent_by_name("coder", recursive=True) is team[1]
    with pytest.raises(AgentNameConflict):
        chat.agent_by_name("coder", recursive=True, raise_on_name_conflict=True)


def test_next_agent_wraps_and_respects_subsets(team: list[Any]) -> None:
    planner, coder, critic = team
    chat = GroupChat(team)
    assert chat.next_agent(planner) is coder
    assert chat.next_agent(critic) is planner
    assert chat.next_agent(Member("outsider")) is planner
    assert chat.next_agent(planner, [critic]) is critic
    assert chat.next_agent(critic, [coder, critic]) is coder
    assert chat.next_agent(coder, [coder]) is coder
    with pytest.raises(UndefinedNextAgent):
        chat.next_agent(planner, [Member("outsider")])


def test_prompts_use_descriptions_not_system_messages(team: list[Any]) -> None:
    team[0].system_message = "SECRET SYSTEM MESSAGE"  # type: ignore[attr-defined]
    chat = GroupChat(team)
    msg = chat.select_speaker_msg()
    assert "planner: Breaks the task into steps." in msg and "critic: Reviews the code." in msg
    assert "['planner', 'coder', 'critic']" in msg and "SECRET" not in msg
    assert "['coder']" in chat.select_speaker_prompt([team[1]])
    intro = chat.introductions_msg()
    assert "coder: Writes Python code." in intro
    assert GroupChat(team, select_speaker_prompt_template=None).select_speaker_prompt() is None  # as classic


def test_empty_description_warns(caplog: pytest.LogCaptureFixture) -> None:
    quiet = Member("quiet")
    quiet.description = ""
    chat = GroupChat([quiet, Member("loud")])
    with caplog.at_level(logging.WARNING):
        chat.select_speaker_msg()
        chat.select_speaker_msg()
    assert caplog.text.count("'quiet' has an empty description") == 1


# --------------------------------------------------------------------------------------------------------------
# name matching


def test_mentions_respect_word_boundaries() -> None:
    agents = [Member("coder"), Member("code_reviewer"), Member("Bob")]
    assert mentioned_agents("coder", agents) == {"coder": 1}
    assert mentioned_agents("the coders and encoder", agents) == {}
    assert mentioned_agents("code reviewer, then code\\_reviewer, then code_reviewer", agents) == {"code_reviewer": 3}
    assert mentioned_agents("Bob? bob! (Bob)", agents) == {"Bob": 2}
    assert mentioned_agents({"content": "coder"}, agents) == {"coder": 1}


def test_resolve_speaker() -> None:
    coder, critic, bob = Member("coder"), Member("critic"), Member("Bob")
    agents = [coder, critic, bob]
    assert resolve_speaker("coder", agents) == (coder, "ok")
    assert resolve_speaker("  `critic`. ", agents) == (critic, "ok")
    assert resolve_speaker("**Bob**", agents) == (bob, "ok")
    assert resolve_speaker("I think the coder should go next.", agents) == (coder, "ok")
    assert resolve_speaker("coder or critic", agents) == (None, "multiple")
    assert resolve_speaker("nobody", agents) == (None, "none")
    assert resolve_speaker("", agents) == (None, "none")
    assert resolve_speaker(None, agents) == (None, "none")
    assert resolve_speaker("critic", [coder, bob]) == (None, "none")  # named, but not eligible


def test_function_call_names() -> None:
    message = {
        "function_call": {"name": "legacy", "arguments": "{}"},
        "tool_calls": [
            {"id": "1", "type": "function", "function": {"name": "add", "arguments": "{}"}},
            {"id": "2", "type": "code_interpreter"},
        ],
    }
    assert function_call_names(message) == ["legacy", "add"]
    assert function_call_names({"content": "hi"}) == []


def test_selection_message_is_plain_text() -> None:
    assert selection_message(_message("coder", "done")) == {"role": "user", "name": "coder", "content": "done"}
    call = {
        "role": "assistant",
        "name": "coder",
        "content": None,
        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}}],
    }
    assert selection_message(call) == {
        "role": "assistant",
        "name": "coder",
        "content": '[calls tool add({"a": 1})]',
    }
    result = {"role": "tool", "name": "runner", "content": "2", "tool_responses": [{"content": "2"}]}
    assert selection_message(result) == {"role": "user", "name": "runner", "content": "[tool result] 2"}
    spaced = selection_message(_message("Project Lead", "go"))
    assert spaced == {"role": "user", "content": "Project Lead: go"}


# --------------------------------------------------------------------------------------------------------------
# who may speak


def test_allow_repeat_speaker_false_and_list(team: list[Any]) -> None:
    planner, coder, critic = team
    assert eligible_speakers(GroupChat(team, allow_repeat_speaker=False), coder) == (None, [planner, critic])
    assert eligible_speakers(GroupChat(team, allow_repeat_speaker=[coder]), coder)[1] == team
    assert eligible_speakers(GroupChat(team, allow_repeat_speaker=[coder]), critic)[1] == [planner, coder]


def test_graph_limits_candidates_and_sinks_end_the_chat(team: list[Any]) -> None:
    planner, coder, critic = team
    chat = GroupChat(
        team,
        allowed_or_disallowed_speaker_transitions={planner: [coder, critic], coder: [critic]},
        speaker_transitions_type="allowed",
    )
    assert eligible_speakers(chat, planner) == (None, [coder, critic])
    assert eligible_speakers(chat, coder) == (critic, [critic])
    with pytest.raises(NoEligibleSpeaker, match="'critic'"):
        eligible_speakers(chat, critic)
    # someone outside the group (the user who started the chat) may hand over to anyone
    assert eligible_speakers(chat, Member("user"))[1] == team


def test_empty_successor_list_never_leaves_the_graph(team: list[Any]) -> None:
    planner, coder, critic = team
    chat = GroupChat(
        team,
        allowed_or_disallowed_speaker_transitions={planner: [coder], coder: [planner], critic: []},
        speaker_transitions_type="allowed",
    )
    with pytest.raises(NoEligibleSpeaker):
        chat.select_speaker(critic, Selector())


def test_underpopulated_group(caplog: pytest.LogCaptureFixture) -> None:
    lonely = GroupChat([Member("solo")])
    with pytest.raises(ValueError, match="underpopulated"):
        lonely.select_speaker(lonely.agents[0], Selector())
    pair = GroupChat([Member("a"), Member("b")], speaker_selection_method="random")
    with caplog.at_level(logging.WARNING):
        pair.select_speaker(pair.agents[0], Selector())
        pair.select_speaker(pair.agents[0], Selector())
    assert caplog.text.count("GroupChat is underpopulated with 2 agents") == 1


def test_pending_tool_call_goes_to_its_executor(team: list[Any]) -> None:
    planner, coder, critic = team
    runner = Member("runner", functions=["add"])
    chat = GroupChat([*team, runner], speaker_selection_method="round_robin")
    chat.messages.append(
        _message("coder", "", tool_calls=[{"id": "1", "type": "function", "function": {"name": "add"}}])
    )
    assert chat.select_speaker(coder, Selector()) is runner
    # the filter can be turned off
    chat.func_call_filter = False
    assert chat.select_speaker(coder, Selector()) is critic


def test_pending_call_with_several_executors_or_none(team: list[Any]) -> None:
    planner, coder, critic = team
    runner_a, runner_b = Member("runner_a", functions=["add"]), Member("runner_b", functions=["add", "mul"])
    chat = GroupChat([*team, runner_a, runner_b], speaker_selection_method="round_robin")
    chat.messages.append(_message("coder", "", function_call={"name": "add", "arguments": "{}"}))
    assert eligible_speakers(chat, coder) == (None, [runner_a, runner_b])
    chat.messages.append(_message("coder", "", function_call={"name": "div", "arguments": "{}"}))
    assert eligible_speakers(chat, coder) == (None, [runner_a, runner_b])  # fall back to agents with functions
    bare = GroupChat(team)
    bare.messages.append(_message("coder", "", function_call={"name": "div", "arguments": "{}"}))
    with pytest.raises(
        ValueError, match="No agent can execute the function div. Please check the function_map of the agents"
    ):
        bare.select_speaker(coder, Selector())


def test_tool_call_routing_outranks_the_graph(team: list[Any]) -> None:
    planner, coder, critic = team
    runner = Member("runner", functions=["add"])
    chat = GroupChat(
        [*team, runner],
        allowed_or_disallowed_speaker_transitions={planner: [coder], coder: [critic], critic: [planner, runner]},
        speaker_transitions_type="allowed",
    )
    chat.messages.append(
        _message("coder", "", tool_calls=[{"id": "1", "type": "function", "function": {"name": "add"}}])
    )
    assert chat.select_speaker(coder, Selector()) is runner


# --------------------------------------------------------------------------------------------------------------
# methods


def test_round_robin_and_random(team: list[Any]) -> None:
    planner, coder, critic = team
    chat = GroupChat(team, speaker_selection_method="round_robin", allow_repeat_speaker=False)
    order = [planner]
    for _ in range(5):
        order.append(chat.select_speaker(order[-1], Selector()))
    assert [a.name for a in order] == ["planner", "coder", "critic", "planner", "coder", "critic"]

    chat = GroupChat(team, speaker_selection_method="random", allow_repeat_speaker=False)
    random.seed(7)
    picks = {chat.select_speaker(coder, Selector()).name for _ in range(50)}
    assert picks == {"planner", "critic"}
    assert chat.random_select_speaker([critic]) is critic


def test_callable_method(team: list[Any]) -> None:
    planner, coder, critic = team
    seen: list[tuple[str, int]] = []

    def chooser(last: Any, groupchat: GroupChat) -> Any:
        seen.append((last.name, len(groupchat.messages)))
        return {"planner": coder, "coder": "round_robin", "critic": None}[last.name]

    chat = GroupChat(team, speaker_selection_method=chooser)
    assert chat.select_speaker(planner, Selector()) is coder
    assert chat.select_speaker(coder, Selector()) is critic
    with pytest.raises(NoEligibleSpeaker):
        chat.select_speaker(critic, Selector())
    assert seen == [("planner", 0), ("coder", 0), ("critic", 0)]

    chat.speaker_selection_method = lambda last, gc: Member("impostor")
    with pytest.raises(
        ValueError, match="Custom speaker selection function returned an agent impostor not in the group chat"
    ):
        chat.select_speaker(planner, Selector())
    chat.speaker_selection_method = lambda last, gc: "loudest"
    with pytest.raises(ValueError, match="speaker_selection_method is set to 'loudest'"):
        chat.select_speaker(planner, Selector())


def test_manual_selection(team: list[Any]) -> None:
    planner, coder, critic = team
    chat = GroupChat(team, speaker_selection_method="manual", allow_repeat_speaker=False)
    io = ScriptedIO(["7", "x", "2"])
    with IOStream.set_default(io):
        assert chat.select_speaker(planner, Selector()) is critic  # the list offered is [coder, critic]
    assert "1: coder\n" in io.output and "2: critic\n" in io.output
    assert io.output.count("Invalid input") == 2
    assert len(io.prompts) == 3


@pytest.mark.parametrize("answer", ["", "q"])
def test_manual_selection_without_a_choice_takes_the_next_agent(team: list[Any], answer: str) -> None:
    # classic: no choice gives the next agent in order, with or without an LLM (the model is not asked)
    planner, coder, critic = team
    chat = GroupChat(team, speaker_selection_method="manual")
    client = FakeClient(["critic"])
    with IOStream.set_default(ScriptedIO([answer])):
        assert chat.select_speaker(planner, Selector(client)) is coder
    assert len(client.requests) == 0
    with IOStream.set_default(ScriptedIO([answer])):
        assert chat.select_speaker(planner, Selector()) is coder
    # with a transition graph, the next agent the graph allows
    graph = GroupChat(
        team,
        speaker_selection_method="manual",
        allowed_or_disallowed_speaker_transitions={planner: [critic, planner], coder: [planner], critic: [planner]},
        speaker_transitions_type="allowed",
    )
    with IOStream.set_default(ScriptedIO([answer])):
        assert graph.select_speaker(planner, Selector(client)) is critic


def test_manual_selection_gives_up_after_three_bad_answers(team: list[Any]) -> None:
    chat = GroupChat(team, speaker_selection_method="manual")
    io = ScriptedIO(["a", "b", "c"])
    with IOStream.set_default(io):
        assert chat.manual_select_speaker() is None
    assert "selected automatically" in io.output


# --------------------------------------------------------------------------------------------------------------
# auto


def test_auto_request_layout(team: list[Any]) -> None:
    planner, coder, critic = team
    chat = GroupChat(team, select_speaker_auto_llm_args={"temperature": 0})
    chat.append({"role": "user", "content": "Plan the work."}, planner)
    client = FakeClient(["coder"])
    assert chat.select_speaker(planner, Selector(client)) is coder
    (request,) = client.requests
    assert request["temperature"] == 0
    messages = request["messages"]
    assert messages[0]["role"] == "system" and "coder: Writes Python code." in messages[0]["content"]
    assert messages[1] == {"role": "user", "name": "planner", "content": "Plan the work."}
    assert messages[-1]["role"] == "system" and "['planner', 'coder', 'critic']" in messages[-1]["content"]


def test_auto_retries_with_feedback_then_succeeds(team: list[Any]) -> None:
    planner, coder, critic = team
    chat = GroupChat(team, role_for_select_speaker_messages="user", select_speaker_auto_verbose=True)
    client = FakeClient(["coder and critic", "nobody", "critic"])
    io = ScriptedIO()
    with IOStream.set_default(io):
        assert chat.select_speaker(planner, Selector(client)) is critic
    first, second, third = (r["messages"] for r in client.requests)
    assert second[: len(first)] == first
    answer = {"role": "assistant", "content": "coder and critic", "name": "speaker_selection_agent"}
    assert second[len(first)] == answer
    assert second[-1]["role"] == "user" and "more than one participant" in second[-1]["content"]
    assert second[-1]["name"] == "checking_agent"
    assert third[-2] == {"role": "assistant", "content": "nobody", "name": "speaker_selection_agent"}
    assert "did not name a participant" in third[-1]["content"]
    assert "attempt 1 of 3 failed as it included multiple agent names" in io.output
    assert "attempt #2 failed as it did not include any agent names" in io.output
    assert "attempt 3 of 3 successfully selected: critic" in io.output


def test_auto_falls_back_to_next_in_order(team: list[Any], caplog: pytest.LogCaptureFixture) -> None:
    planner, coder, critic = team
    chat = GroupChat(team, max_retries_for_selecting_speaker=1)
    client = FakeClient(["everyone", None])
    with caplog.at_level(logging.WARNING):
        assert chat.select_speaker(planner, Selector(client)) is coder
    assert len(client.requests) == 2
    assert "GroupChat select_speaker failed to resolve the next speaker's name" in caplog.text
    assert "Speaker selection failed after 2 attempt(s)" in caplog.text


def test_auto_never_picks_outside_the_candidates(team: list[Any]) -> None:
    planner, coder, critic = team
    chat = GroupChat(
        team,
        allowed_or_disallowed_speaker_transitions={planner: [coder, critic], coder: [planner, critic]},
        speaker_transitions_type="allowed",
        max_retries_for_selecting_speaker=0,
    )
    client = FakeClient(["planner"])  # not allowed after planner
    assert chat.select_speaker(planner, Selector(client)) is coder  # fallback, inside the graph
    assert "['coder', 'critic']" in client.requests[0]["messages"][0]["content"]
    assert "planner:" not in client.requests[0]["messages"][0]["content"]


def test_auto_without_llm_goes_in_order(team: list[Any], caplog: pytest.LogCaptureFixture) -> None:
    planner, coder, critic = team
    chat = GroupChat(team)
    with caplog.at_level(logging.WARNING):
        assert chat.select_speaker(coder, Selector()) is critic
        assert chat.select_speaker(critic, None) is planner
    assert caplog.text.count("needs an LLM") == 1


async def test_a_select_speaker(team: list[Any]) -> None:
    planner, coder, critic = team
    chat = GroupChat(team)
    client = FakeClient(["who knows", "critic"])
    assert await chat.a_select_speaker(planner, Selector(client)) is critic
    assert len(client.requests) == 2


def test_conversation_view_converts_each_message_once(team: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import autogen.agentchat.speaker_selection as selection

    planner, coder, critic = team
    chat = GroupChat(team)
    converted: list[str] = []
    real = selection.selection_message

    def counting(message: dict[str, Any]) -> dict[str, Any]:
        converted.append(message["content"])
        return real(message)

    monkeypatch.setattr(selection, "selection_message", counting)
    client = FakeClient(["coder"] * 10)
    for i in range(4):
        chat.append({"role": "user", "content": f"m{i}"}, planner)
        chat.select_speaker(planner, Selector(client))
    # each message once, plus the last one again each round (it may have been edited in place)
    assert converted == ["m0", "m0", "m1", "m1", "m2", "m2", "m3", "m3"]
    assert [m["content"] for m in client.requests[-1]["messages"][1:-1]] == ["m0", "m1", "m2", "m3"]
    # replacing the history (clear history keeping the last message) is noticed
    del chat.messages[:3]
    chat.select_speaker(planner, Selector(client))
    assert [m["content"] for m in client.requests[-1]["messages"][1:-1]] == ["m3"]
    chat.reset()
    chat.append({"role": "user", "content": "fresh"}, coder)
    chat.select_speaker(coder, Selector(client))
    assert [m["content"] for m in client.requests[-1]["messages"][1:-1]] == ["fresh"]

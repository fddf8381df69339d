"""``chat_turns.to_turns``: OpenAI-style histories as strictly alternating turns with paired tool blocks."""

from __future__ import annotations

from typing import Any

from autogen.oai.chat_turns import CONTINUE, START, Text, ToolResult, ToolUse, to_turns


def call(call_id: str, name: str = "add", arguments: str = '{"a": 1}') -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def shape(messages: list[dict[str, Any]], **kwargs: Any) -> list[tuple[str, list[Any]]]:
    return [(t.role, t.blocks) for t in to_turns(messages, **kwargs).turns]


def test_plain_chat_passes_through() -> None:
    conversation = to_turns([{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"}])
    assert conversation.system == "sys"
    assert [(t.role, t.blocks) for t in conversation.turns] == [("user", [Text("hi")])]


def test_assistant_first_and_last_are_padded() -> None:
    assert shape([{"role": "assistant", "content": "hello"}]) == [
        ("user", [Text(START)]),
        ("assistant", [Text("hello")]),
        ("user", [Text(CONTINUE)]),
    ]
    assert shape([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], pad_end=False)[-1] == (
        "assistant",
        [Text("b")],
    )


def test_tool_calls_and_results_pair_up_and_results_lead_their_turn() -> None:
    messages = [
        {"role": "user", "content": "add"},
        {"role": "assistant", "content": None, "tool_calls": [call("c1"), call("c2", "mul")]},
        {"role": "tool", "tool_call_id": "c1", "content": "2"},
        {"role": "user", "content": "and?"},
        {"role": "tool", "tool_call_id": "c2", "content": "3"},
    ]
    assert shape(messages) == [
        ("user", [Text("add")]),
        ("assistant", [ToolUse("c1", "add", {"a": 1}), ToolUse("c2", "mul", {"a": 1})]),
        ("user", [ToolResult("c1", "add", "2"), ToolResult("c2", "mul", "3"), Text("and?")]),
    ]


def test_unanswered_calls_and_orphan_results_become_text() -> None:
    messages = [
        {"role": "user", "content": "go"},
        {"role": "assistant", "content": "calling", "tool_calls": [call("c1")]},
        {"role": "user", "content": "never mind"},
        {"role": "assistant", "content": "ok"},
        {"role": "tool", "tool_call_id": "gone", "content": "late"},
        {"role": "assistant", "content": None, "tool_calls": [call("c9")]},
    ]
    turns = shape(messages)
    assert turns[1] == ("assistant", [Text("calling"), Text('(called tool add with arguments {"a": 1})')])
    assert turns[4] == ("user", [Text("(result of tool gone: late)")])
    assert turns[5] == ("assistant", [Text('(called tool add with arguments {"a": 1})')])
    assert turns[6] == ("user", [Text(CONTINUE)])


def test_legacy_function_call_and_function_result() -> None:
    messages = [
        {"role": "user", "content": "add"},
        {"role": "assistant", "content": None, "function_call": {"name": "add", "arguments": '{"a": 1}'}},
        {"role": "function", "name": "add", "content": "1"},
    ]
    (_, (use,)), (_, (result,)) = shape(messages)[1:]
    assert isinstance(use, ToolUse) and isinstance(result, ToolResult)
    assert use.id == result.id and (result.name, result.content) == ("add", "1")


def test_without_tools_the_tool_blocks_are_text() -> None:
    messages = [
        {"role": "user", "content": "add"},
        {"role": "assistant", "content": None, "tool_calls": [call("c1")]},
        {"role": "tool", "tool_call_id": "c1", "content": "2"},
    ]
    assert shape(messages, tool_blocks=False)[1:] == [
        ("assistant", [Text('(called tool add with arguments {"a": 1})')]),
        ("user", [Text("(result of tool add: 2)")]),
    ]


def test_names_mark_speakers_only_when_several_share_the_user_role() -> None:
    one = [{"role": "user", "content": "hi", "name": "user"}]
    assert shape(one) == [("user", [Text("hi")])]
    several = [
        {"role": "user", "content": "plan", "name": "planner"},
        {"role": "user", "content": "ok", "name": "critic"},
    ]
    assert shape(several) == [("user", [Text("planner: plan"), Text("critic: ok")])]

"""Pure message rules: normalising, role mapping, validation, carryover, tool responses, request building."""

from __future__ import annotations

import pytest

from autogen.agentchat.errors import InvalidMessageError
from autogen.agentchat.messages import (
    apply_carryover,
    assert_valid_name,
    default_is_termination_msg,
    instantiate,
    llm_request_messages,
    message_to_dict,
    normalize_name,
    to_history_message,
    tool_response_message,
)
from autogen.agentchat.printing import render_message
from autogen.exception_utils import InvalidCarryOverType


def test_message_to_dict() -> None:
    assert message_to_dict("hi") == {"content": "hi"}
    d = {"content": "x", "role": "user"}
    assert message_to_dict(d) is d
    with pytest.raises(InvalidMessageError):
        message_to_dict(42)


def test_history_entry_roles_and_names() -> None:
    sent = to_history_message("hello", "assistant", "alice")
    assert sent == {"content": "hello", "role": "assistant", "name": "alice"}
    received = to_history_message({"content": "hello", "role": "assistant", "extra": 1}, "user", "alice")
    assert received == {"content": "hello", "role": "user", "name": "alice"}  # role from this side's view
    tool = to_history_message({"role": "tool", "content": "4", "tool_call_id": "c1"}, "user", "bob")
    assert tool is not None and tool["role"] == "tool" and tool["tool_call_id"] == "c1"
    function = to_history_message({"role": "function", "name": "add", "content": "4"}, "user", "bob")
    assert function == {"role": "function", "name": "add", "content": "4"}
    call = to_history_message({"tool_calls": [{"id": "1"}]}, "user", "bob")
    assert call == {"tool_calls": [{"id": "1"}], "content": None, "role": "assistant"}  # calls are always assistant
    forced = to_history_message({"content": "x", "override_role": "system"}, "user", "bob")
    assert forced is not None and forced["role"] == "system"


def test_history_entry_keeps_known_keys_and_never_mutates() -> None:
    original = {"content": "c", "context": {"a": 1}, "tool_responses": [], "junk": True, "function_call": None}
    entry = to_history_message(original, "user", "x")
    assert entry is not None
    assert entry["context"] == {"a": 1} and "junk" not in entry and "function_call" not in entry
    assert "role" not in original and "name" not in original


@pytest.mark.parametrize("bad", [{}, {"role": "user"}, {"content": None}, {"function_call": None}])
def test_invalid_messages_have_no_history_entry(bad: dict) -> None:
    assert to_history_message(bad, "user", "x") is None


def test_default_termination() -> None:
    # the classic rule: the content is exactly "TERMINATE"
    assert default_is_termination_msg({"content": "TERMINATE"})
    assert not default_is_termination_msg({"content": "All done. TERMINATE"})
    assert not default_is_termination_msg({"content": "TERMINATE\n  "})
    assert not default_is_termination_msg({"content": "TERMINATE the process first"})
    assert not default_is_termination_msg({"content": None})
    assert default_is_termination_msg({"content": [{"type": "text", "text": "TERMINATE"}]})
    assert not default_is_termination_msg({"content": [{"type": "text", "text": "ok TERMINATE"}]})


def test_carryover() -> None:
    assert apply_carryover("task", None) == "task"
    assert apply_carryover("task", "ctx") == "task\nContext: \nctx"
    assert apply_carryover("task", ["a", {"content": "b"}, 3]) == "task\nContext: \na\nb\n3"
    message = {"content": "task", "role": "user"}
    out = apply_carryover(message, ["a"])
    assert out == {"content": "task\nContext: \na", "role": "user"} and message["content"] == "task"
    multi = apply_carryover({"content": [{"type": "text", "text": "t"}]}, "c")
    assert multi["content"][-1] == {"type": "text", "text": "\nContext: \nc"}
    with pytest.raises(InvalidCarryOverType):
        apply_carryover("task", 42)


def test_instantiate() -> None:
    assert instantiate("hi {name}", {"name": "x"}, allow_format_str_template=True) == "hi x"
    assert instantiate("hi {name}", {"name": "x"}) == "hi {name}"
    assert instantiate(lambda ctx: f"n={ctx['n']}", {"n": 2}) == "n=2"


def test_tool_response_message_and_request_unrolling() -> None:
    responses = [
        {"tool_call_id": "a", "role": "tool", "content": "1"},
        {"tool_call_id": "b", "role": "tool", "content": "2"},
    ]
    reply = tool_response_message(responses)
    assert reply == {"role": "tool", "tool_responses": responses, "content": "1\n\n2"}
    human = {"role": "user", "content": "stop", "tool_responses": responses[:1], "context": {"x": 1}}
    history = [{"role": "assistant", "content": None, "tool_calls": []}, reply, human]
    request = llm_request_messages([{"role": "system", "content": "s"}], history)
    assert request == [
        {"role": "system", "content": "s"},
        history[0],
        *responses,
        responses[0],
        {"role": "user", "content": "stop"},
    ]
    assert request[1] is history[0]  # untouched messages are not copied
    assert "tool_responses" in human and "context" in human


def test_names() -> None:
    assert normalize_name("my tool.v2") == "my_tool_v2"
    assert len(normalize_name("x" * 100)) == 64
    assert assert_valid_name("ok_name-1") == "ok_name-1"
    with pytest.raises(ValueError, match="Only letters"):
        assert_valid_name("bad name")
    with pytest.raises(ValueError, match="64"):
        assert_valid_name("x" * 65)


def test_render_message() -> None:
    lines = render_message("hello", "alice", "bob")
    text = "\n".join(lines)
    assert "alice" in lines[0] and "(to bob):" in lines[0]
    assert "hello" in text and "-" * 80 in text
    call = {"content": None, "tool_calls": [{"id": "c1", "function": {"name": "add", "arguments": '{"a": 1}'}}]}
    text = "\n".join(render_message(call, "a", "b"))
    assert "Suggested tool call (c1): add" in text and '{"a": 1}' in text
    result = tool_response_message([{"tool_call_id": "c1", "role": "tool", "content": "2"}])
    text = "\n".join(render_message(result, "b", "a"))
    assert "Response from calling tool (c1)" in text and text.count("\n2\n") == 1


def test_request_names_are_valid_for_the_api() -> None:
    history = [
        {"role": "user", "content": "hi", "name": "User Proxy"},
        {"role": "function", "name": "f", "content": "1"},
    ]
    request = llm_request_messages([], history)
    assert request[0]["name"] == "User_Proxy" and history[0]["name"] == "User Proxy"
    assert request[1] is history[1]

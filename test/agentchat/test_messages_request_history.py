"""The request messages of a conversation built incrementally: always equal to a fresh conversion, encoded to
the same bytes, and converting only what is new or changed."""

from __future__ import annotations

import copy
import json
import pickle
import sys
from typing import Any, Dict, List, Sequence

import pytest

from autogen.agentchat import request_history
from autogen.agentchat.messages import llm_request_messages, request_entries, to_history_message
from autogen.agentchat.stored_message import StoredMessage, edits
from autogen.oai.json_utils import dumps_compact, encode_body

Message = Dict[str, Any]


@pytest.fixture(autouse=True, params=["plain dicts", "stored messages"])
def _forget(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Any:
    """Every test runs on histories of plain dicts (checked against copies) and of the messages agents store
    (which count their edits)."""
    monkeypatch.setattr(request_history, "MIN_LENGTH", 1)  # short histories here, kept as long ones are
    monkeypatch.setattr(sys.modules[__name__], "KIND", dict if request.param == "plain dicts" else StoredMessage)
    request_history.clear()
    yield
    request_history.clear()


KIND: Any = dict


def test_short_histories_are_converted_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_history, "MIN_LENGTH", 16)
    history = chat(15)
    convert = Counting()
    for _ in range(3):
        check(SYSTEM, history, convert)
    assert convert.converted == 45 and not request_history._conversations
    history.append({"role": "user", "content": "the sixteenth"})
    for _ in range(3):
        check(SYSTEM, history, convert)
    assert convert.converted == 45 + 16 + 16 + 0


class Counting:
    """request_entries, counting the messages it is asked to convert."""

    def __init__(self) -> None:
        self.converted = 0

    def __call__(self, messages: Sequence[Message]) -> List[Message]:
        self.converted += len(messages)
        return request_entries(messages)


def fresh(system: List[Message], history: Sequence[Message]) -> List[Message]:
    return [*system, *request_entries(list(history))]


def check(system: List[Message], history: List[Message], convert: Any = request_entries) -> List[Message]:
    """Build the request, compare it with a fresh conversion, and its encoded body with a fresh encoding."""
    request = request_history.build_request(list(system), history, convert)
    expected = fresh(system, history)
    assert list(request) == expected
    body = {"model": "gpt-4", "messages": request, "temperature": 0}
    assert encode_body(body, dumps_compact) == dumps_compact({**body, "messages": expected})
    return request


def chat(n: int, start: int = 0) -> List[Message]:
    return [
        KIND(
            {
                "content": f"message {i} " + "x" * 20,
                "role": "user" if i % 2 else "assistant",
                "name": "a" if i % 2 else "b",
            }
        )
        for i in range(start, start + n)
    ]


SYSTEM = [{"role": "system", "content": "You are helpful."}]


def test_a_growing_history_converts_only_new_messages() -> None:
    history = chat(12)
    convert = Counting()
    check(SYSTEM, history, convert)
    check(SYSTEM, history, convert)  # kept from its second request on
    assert convert.converted == 24
    for turn in range(5):
        history += chat(2, start=12 + 2 * turn)
        check(SYSTEM, history, convert)
    assert convert.converted == 24 + 10
    # a copy of the history list (the same messages) is the same conversation
    check(SYSTEM, list(history), convert)
    assert convert.converted == 34


def test_a_history_rebuilt_every_turn_is_converted_once_per_turn() -> None:
    history = chat(12)
    convert = Counting()
    for _ in range(3):
        copies = copy.deepcopy(history)  # as a hook that transforms messages gives them
        check(SYSTEM, copies, convert)
    assert convert.converted == 36


def test_the_public_function_gives_the_fresh_conversion() -> None:
    history = chat(10)
    for _ in range(3):
        assert llm_request_messages(SYSTEM, history) == fresh(SYSTEM, history)
        history.append({"content": "more", "role": "user", "name": "User Proxy"})  # name made valid
    assert llm_request_messages(SYSTEM, history)[-1]["name"] == "User_Proxy"
    assert history[-1]["name"] == "User Proxy"  # the stored message is not changed


def test_a_message_edited_in_place_is_sent_edited_and_the_rest_kept() -> None:
    history = chat(20)
    check(SYSTEM, history)
    convert = Counting()
    check(SYSTEM, history, convert)
    history[15]["content"] = "edited by user code"
    request = check(SYSTEM, history, convert)
    assert request[16]["content"] == "edited by user code"
    assert convert.converted == 20 + 5  # from the edited message on
    history[3]["name"] = "someone_else"
    check(SYSTEM, history, convert)
    del history[7]["name"]
    check(SYSTEM, history, convert)
    history[0]["role"] = "system"
    check(SYSTEM, history, convert)


def test_nested_values_edited_in_place() -> None:
    call = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}}],
    }
    answer = {
        "role": "tool",
        "content": "3",
        "tool_responses": [{"tool_call_id": "c1", "role": "tool", "content": "3"}],
    }
    image = {
        "role": "user",
        "name": "u",
        "content": [{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": "http://x/1.png"}}],
    }
    history = chat(8) + [call, answer, image] + chat(4, start=8)
    check(SYSTEM, history)
    call["tool_calls"][0]["function"]["arguments"] = '{"a": 2}'
    check(SYSTEM, history)
    answer["tool_responses"][0]["content"] = "4"
    check(SYSTEM, history)
    image["content"][1]["image_url"]["url"] = "http://x/2.png"
    check(SYSTEM, history)
    image["content"].append({"type": "text", "text": "and this"})
    request = check(SYSTEM, history)
    assert request[len(SYSTEM) + 10]["content"][-1]["text"] == "and this"


def test_messages_replaced_removed_inserted_or_cleared() -> None:
    history = chat(16)
    check(SYSTEM, history)
    history[5] = {"content": "a new object", "role": "user", "name": "a"}
    check(SYSTEM, history)
    del history[2]
    check(SYSTEM, history)
    history.insert(4, {"content": "inserted", "role": "assistant"})
    check(SYSTEM, history)
    history.pop()
    check(SYSTEM, history)
    first = history[0]
    history.clear()
    check(SYSTEM, history)
    history += [first, *chat(3, start=100)]  # the same first message, then other messages
    check(SYSTEM, history)


def test_system_message_updates() -> None:
    system = [{"role": "system", "content": "one"}]
    history = chat(10)
    check(system, history)
    system[0]["content"] = "two"  # update_system_message edits the dict in place
    assert check(system, history)[0]["content"] == "two"
    system.append({"role": "system", "content": "three"})
    check(system, history)
    check([], history)
    check([{"role": "system", "content": [{"type": "text", "text": "parts"}]}], history)


def test_messages_holding_numbers_are_converted_every_turn() -> None:
    odd = {"role": "assistant", "content": "n", "name": "b", "weight": 1}  # a key the API ignores, as stored
    history = chat(10)
    history.insert(5, {"role": "user", "content": "x", "tool_calls": None})
    history.insert(6, {"role": "assistant", "content": 1})  # a number: 1, 1.0 and True are equal
    history.insert(7, odd)
    check(SYSTEM, history)
    convert = Counting()
    check(SYSTEM, history, convert)
    history[6]["content"] = True
    request = check(SYSTEM, history, convert)
    assert request[len(SYSTEM) + 6]["content"] is True
    history[6]["content"] = 1.0
    check(SYSTEM, history, convert)
    before = convert.converted
    history.append({"role": "user", "content": "later"})
    check(SYSTEM, history, convert)
    assert convert.converted - before == len(history) - 6  # the messages from the first with a number


def test_context_is_left_out_and_does_not_stop_the_reuse() -> None:
    context = {"count": 3, "when": object()}
    history = [{"role": "user", "content": "first {count}", "context": context}, *chat(10)]
    check(SYSTEM, history)
    convert = Counting()
    request = check(SYSTEM, history, convert)
    assert "context" not in request[1]
    history += chat(2, start=10)
    check(SYSTEM, history, convert)
    assert convert.converted == 13
    context["count"] = 4  # never sent
    check(SYSTEM, history, convert)
    history[0]["context"] = {"count": 5}  # another object: converted again, still equal
    check(SYSTEM, history, convert)


def test_conversations_sharing_a_first_message() -> None:
    start = chat(9)
    one = start + chat(3, start=20)
    two = start + chat(3, start=40)
    for _ in range(3):
        check(SYSTEM, one)
        check(SYSTEM, two)
        one.append({"role": "user", "content": "one more"})
        two.append({"role": "user", "content": "two more"})


def test_dropping_old_conversations_keeps_results_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_history, "MAX_KEPT_MESSAGES", 30)
    histories = [chat(12, start=100 * i) for i in range(5)]
    for _ in range(3):
        for history in histories:
            check(SYSTEM, history)
            history.append({"role": "user", "content": "next"})


def test_a_request_list_changed_after_it_was_built() -> None:
    history = chat(12)
    for change in ("insert", "append", "replace", "delete", "edit"):
        request = request_history.build_request(list(SYSTEM), history, request_entries)
        if change == "insert":
            request.insert(0, {"role": "system", "content": "first"})
        elif change == "append":
            request.append({"role": "user", "content": "appended"})
        elif change == "replace":
            request[3] = {"role": "user", "content": "replaced"}
        elif change == "delete":
            del request[2]
        body = {"messages": request, "model": "gpt-4"}
        assert encode_body(body, dumps_compact) == dumps_compact({"messages": list(request), "model": "gpt-4"})
        history.append({"role": "user", "content": change})
        check(SYSTEM, history)


def test_a_request_list_copies_as_a_plain_list() -> None:
    request = llm_request_messages(SYSTEM, chat(10))
    for copied in (copy.copy(request), copy.deepcopy(request), pickle.loads(pickle.dumps(request)), request.copy()):
        assert type(copied) is list
        assert copied == list(request)


# ------------------------------------------------------------------------------------ stored messages --
def test_a_stored_message_reads_as_a_plain_dict_and_counts_each_edit() -> None:
    entry = to_history_message({"content": "hi", "name": "bob"}, "user", "alice")
    assert type(entry) is StoredMessage and entry == {"content": "hi", "name": "bob", "role": "user"}
    assert json.loads(json.dumps(entry)) == entry and repr(entry) == repr(dict(entry))
    for copied in (pickle.loads(pickle.dumps(entry)), copy.copy(entry), copy.deepcopy(entry), entry.copy()):
        assert type(copied) is dict and copied == entry
    edits_of = {
        "set": lambda m: m.__setitem__("content", "x"),
        "delete": lambda m: m.__delitem__("name"),
        "update": lambda m: m.update(content="y"),
        "merge": lambda m: m.__ior__({"content": "z"}),
        "pop": lambda m: m.pop("name"),
        "popitem": lambda m: m.popitem(),
        "setdefault": lambda m: m.setdefault("tool_call_id", "1"),
        "clear": lambda m: m.clear(),
    }
    for name, edit in edits_of.items():
        message = StoredMessage({"content": "hi", "name": "bob", "role": "user"})
        before = edits()
        edit(message)
        assert edits() != before, name


def test_an_unedited_history_of_stored_messages_is_not_compared_message_by_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "KIND", StoredMessage)
    by_content: List[int] = []  # per comparison, how many messages were compared with another object (not by address)
    unchanged = request_history._unchanged

    def counting(a: Sequence[Message], b: Sequence[Message]) -> bool:
        by_content.append(sum(x is not y for x, y in zip(a, b)))
        return unchanged(a, b)

    monkeypatch.setattr(request_history, "_unchanged", counting)
    history = chat(40)
    for _ in range(3):  # seen, kept, and compared once with the copies
        check(SYSTEM, history)
    by_content.clear()
    for i in range(3):
        history.append(StoredMessage({"content": f"more {i}", "role": "user"}))
        check(SYSTEM, history)
    assert by_content and sum(by_content) <= 3 * len(SYSTEM), by_content  # the system messages only
    history[5]["content"] = "edited in place"  # counted: the next turn compares with the copies, and sends the edit
    request = check(SYSTEM, history)
    assert request[len(SYSTEM) + 5]["content"] == "edited in place"
    assert max(by_content) >= 40


def test_a_stored_message_replaced_by_an_equal_plain_dict_is_watched_by_comparison() -> None:
    history = [StoredMessage(m) for m in chat(20)]
    check(SYSTEM, history)
    check(SYSTEM, history)
    history[3] = dict(history[3])  # equal, but its edits are not counted
    check(SYSTEM, history)
    history[3]["content"] = "edited later"
    assert check(SYSTEM, history)[len(SYSTEM) + 3]["content"] == "edited later"


def test_a_nested_value_of_a_stored_message_edited_in_place_is_seen() -> None:
    history = [StoredMessage(m) for m in chat(10)]
    history.append(
        StoredMessage({"role": "user", "content": [{"type": "text", "text": "parts"}], "name": "a"})
    )  # fmt: skip
    check(SYSTEM, history)
    check(SYSTEM, history)
    history[-1]["content"][0]["text"] = "changed inside"  # not counted: a message with parts is compared
    history.append(StoredMessage({"role": "assistant", "content": "after"}))
    assert check(SYSTEM, history)[-2]["content"][0]["text"] == "changed inside"

"""The encoded prefix of a conversation's messages array: the body is always the plain encoding, and only the
messages past the prefix are encoded."""

from __future__ import annotations

import hashlib
from typing import Any, List

import pytest

from autogen.oai import json_prefix
from autogen.oai.json_prefix import JsonPrefix, RequestMessages, message_parts
from autogen.oai.json_utils import canonical_json, dumps_compact, encode_body, stable_hash


class CountingJoin:
    """A ``join`` for message_parts that counts the messages it encodes."""

    def __init__(self) -> None:
        self.encoded = 0

    def __call__(self, messages: List[Any], dumps: Any) -> bytes:
        self.encoded += len(messages)
        return b",".join(dumps(m) for m in messages)


def messages(n: int, start: int = 0) -> List[Any]:
    return [{"role": "user", "content": f"message {i} \u00e9\u2028"} for i in range(start, start + n)]


def inside(parts: List[bytes]) -> bytes:
    return b"[" + b"".join(parts) + b"]"


def test_only_new_stable_messages_are_encoded() -> None:
    prefix, join = JsonPrefix(), CountingJoin()
    history = messages(10)
    for turn in range(6):
        request = RequestMessages(history, prefix, stable=len(history))
        assert inside(message_parts(request, dumps_compact, join)) == dumps_compact(history)
        history = history + messages(2, start=100 + turn)
    assert join.encoded == 10 + 5 * 2
    # messages past the stable ones are encoded on every request and not kept
    request = RequestMessages(history, prefix, stable=len(history) - 1)
    for _ in range(2):
        assert inside(message_parts(request, dumps_compact, join)) == dumps_compact(history)
    assert join.encoded == 10 + 5 * 2 + 1 + 1 + 1
    assert len(prefix.refs) == len(history) - 1


def test_a_prefix_that_no_longer_matches_starts_over() -> None:
    prefix, join = JsonPrefix(), CountingJoin()
    first = messages(10)
    message_parts(RequestMessages(first, prefix, stable=10), dumps_compact, join)
    other = messages(12, start=50)  # other objects from the start
    parts = message_parts(RequestMessages(other, prefix, stable=12), dumps_compact, join)
    assert inside(parts) == dumps_compact(other)
    assert join.encoded == 22 and prefix.refs == other


def test_a_list_changed_after_it_was_built_is_encoded_whole() -> None:
    prefix = JsonPrefix()
    history = messages(10)
    message_parts(RequestMessages(history, prefix, stable=10), dumps_compact, CountingJoin())
    request = RequestMessages(history + messages(2, start=10), prefix, stable=12)
    request.insert(0, {"role": "system", "content": "late"})
    assert inside(message_parts(request, dumps_compact, CountingJoin())) == dumps_compact(list(request))
    # fewer stable messages than the prefix holds: the prefix is left as it was
    shorter = RequestMessages(history[:5], prefix, stable=5)
    assert inside(message_parts(shorter, dumps_compact, CountingJoin())) == dumps_compact(history[:5])
    assert len(prefix.refs) == 10


def test_truncation_keeps_whole_runs_and_merging_keeps_the_text() -> None:
    prefix, join = JsonPrefix(), CountingJoin()
    history: List[Any] = []
    for turn in range(json_prefix._MAX_CHUNKS + 10):  # more runs than are kept apart
        history = history + messages(1, start=turn)
        parts = message_parts(RequestMessages(history, prefix, stable=len(history)), dumps_compact, join)
        assert inside(parts) == dumps_compact(history)
    assert len(prefix.chunks) <= json_prefix._MAX_CHUNKS
    ends = list(prefix.ends)
    prefix.truncate(ends[-3] + 0)
    assert len(prefix.refs) == ends[-3]
    prefix.truncate(ends[-3] - 1)  # inside a run: down to the run before
    assert len(prefix.refs) == ends[-4]
    cut = history[: len(prefix.refs)] + messages(3, start=999)
    before = join.encoded
    parts = message_parts(RequestMessages(cut, prefix, stable=len(cut)), dumps_compact, join)
    assert inside(parts) == dumps_compact(cut)
    assert join.encoded - before == 3


def test_encode_body_with_a_request_list() -> None:
    prefix = JsonPrefix()
    history = messages(9)
    for turn in range(3):
        request = RequestMessages(history, prefix, stable=len(history))
        body = {"model": "gpt-4", "messages": request, "stop": ["x"], "temperature": 0.5}
        assert encode_body(body, dumps_compact) == dumps_compact({**body, "messages": history})
        history = history + messages(1, start=20 + turn)
    assert len(prefix.refs) == 11


def plain_hash(value: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json({**value, "messages": list(value["messages"])}).encode("utf-8")).hexdigest()


def test_cache_keys_of_a_conversation_are_the_plain_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from autogen.agentchat import request_history
    from autogen.agentchat.messages import llm_request_messages
    from autogen.oai.completion_flow import get_key

    monkeypatch.setattr(request_history, "MIN_LENGTH", 1)
    request_history.clear()
    system = [{"role": "system", "content": "Be brief."}]
    history: List[Any] = [{"role": "user", "content": f"m{i} \u00e9", "name": "u"} for i in range(10)]
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"b": 1, "a": [2.5, None]}}}]
    configs = [
        {"model": "gpt-4", "temperature": 0.5},
        {"model": "gpt-4", "tools": tools, "frequency_penalty": 0, "max_tokens": 20},  # keys before "messages"
    ]
    seen = set()
    for turn in range(12):
        if turn == 6:
            history[3]["content"] = "edited in place"
        if turn == 8:
            system[0]["content"] = "Be briefer."
        if turn == 10:
            history.append({"role": "user", "content": "n", "weight": 1})  # numbers: hashed every time
        request = llm_request_messages(system, history)
        for config in configs:
            value = {**config, "messages": request, "stream": False}
            assert get_key(value) == plain_hash({k: v for k, v in value.items() if k != "stream"})
            assert stable_hash(value) == plain_hash(value)
            seen.add(get_key(value))
        history.append({"role": "assistant", "content": f"answer {turn}"})
    assert len(seen) == 24
    digests = request.json_prefix.digests  # type: ignore[attr-defined]
    assert len(digests) == 2  # one per config
    assert all(len(d.refs) == len(request) - 2 for d in digests.values())  # up to the message with a number
    request_history.clear()


def test_cache_key_of_a_request_list_changed_after_it_was_built() -> None:
    prefix = JsonPrefix()
    history = messages(10)
    for change in ("none", "insert", "none", "delete", "none"):
        request = RequestMessages(history, prefix, stable=len(history))
        if change == "insert":
            request.insert(0, {"role": "system", "content": "late"})
        elif change == "delete":
            del request[4]
        value = {"model": "gpt-4", "messages": request}
        assert stable_hash(value) == plain_hash(value)
        history = history + messages(1, start=len(history))
    assert len(next(iter(prefix.digests.values())).refs) == len(history) - 1  # kept through the changed lists

"""The pure helpers behind the wrapper, tested directly: templates, usage, JSON checks, stream assembly."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace as NS
from typing import Any

import pytest

from autogen.oai.json_utils import canonical_json, find_unserializable, stable_hash
from autogen.oai.streaming import StreamCollector
from autogen.oai.templating import instantiate, instantiate_messages
from autogen.oai.usage import format_usage_summary, update_usage_summary


def test_instantiate_messages_copies_only_what_changes() -> None:
    history = [{"role": "user", "content": f"m{i}"} for i in range(100)]
    assert instantiate_messages(history, None) is history
    assert instantiate_messages(history, {"x": 1}) is history  # plain strings: nothing to fill
    templated = history + [{"role": "user", "content": lambda ctx: f"hi {ctx['x']}"}]
    filled = instantiate_messages(templated, {"x": 1})
    assert filled is not templated and filled[-1] == {"role": "user", "content": "hi 1"}
    assert all(a is b for a, b in zip(filled[:100], templated[:100]))  # untouched messages are shared
    assert instantiate("a {x}", {"x": 2}) == "a {x}"
    assert instantiate("a {x}", {"x": 2}, allow_format_str_template=True) == "a 2"
    assert instantiate(None, {"x": 2}) is None
    parts = [{"type": "text", "text": "{x}"}]
    assert instantiate(parts, {"x": 2}) is parts


def test_usage_summary_accumulates_per_model() -> None:
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "cost": 0.5, "model": "m"}
    summary = update_usage_summary(None, usage)
    summary = update_usage_summary(summary, {**usage, "model": "n"})
    summary = update_usage_summary(summary, usage)
    assert summary == {
        "total_cost": 1.5,
        "m": {"cost": 1.0, "prompt_tokens": 2, "completion_tokens": 4, "total_tokens": 6},
        "n": {"cost": 0.5, "prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }
    assert update_usage_summary(summary, {"model": "m"}) is summary  # incomplete usage is ignored
    lines = format_usage_summary(None, summary, mode="both")
    assert "No actual cost incurred (all completions are using cache)." in lines
    assert "Total cost: 1.5" in lines
    assert format_usage_summary(summary, summary, mode=["total"])[1] == "Usage summary including cached usage: "
    with pytest.raises(ValueError):
        format_usage_summary(summary, summary, mode=[])


def test_find_unserializable_and_canonical_json() -> None:
    assert find_unserializable({"a": [1, "x", None, {"b": 2.5}]}) is None
    where, value = find_unserializable({"a": [1, {"b": {1, 2}}]})  # type: ignore[misc]
    assert where == "body['a'][1]['b']" and value == {1, 2}
    nan_found = find_unserializable({"x": math.nan})
    assert nan_found is not None and nan_found[0] == "body['x']"  # JSON has no NaN
    assert canonical_json({"b": 1, "a": [2]}) == '{"a":[2],"b":1}'
    assert stable_hash({"b": 1, "a": 2}) == stable_hash({"a": 2, "b": 1})


class Printer:
    def __init__(self) -> None:
        self.out: list[str] = []

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        self.out.append(sep.join(map(str, objects)) + end)


def chunk(choices: list[Any], usage: Any = None) -> Any:
    return NS(id="c1", model="gpt-4", created=1, system_fingerprint=None, choices=choices, usage=usage)


def delta(index: int = 0, finish: Any = None, **fields: Any) -> Any:
    base = {"role": None, "content": None, "tool_calls": None, "function_call": None, "refusal": None}
    return NS(index=index, finish_reason=finish, delta=NS(**{**base, **fields}))


def call(index: int, id: Any = None, name: Any = None, arguments: Any = None) -> Any:
    return NS(index=index, id=id, type="function" if id else None, function=NS(name=name, arguments=arguments))


def test_stream_collector_reassembles_choices_and_calls() -> None:
    printer = Printer()
    collector = StreamCollector(printer)
    collector.add(chunk([delta(role="assistant", content="Hel"), delta(index=1, content="Other")]))
    collector.add(chunk([delta(content="lo")]))
    collector.add(chunk([delta(tool_calls=[call(0, "t0", "f", '{"a"'), call(1, "t1", "g", "")])]))
    collector.add(chunk([delta(tool_calls=[call(0, arguments=": 1}"), call(1, arguments="{}")])]))
    collector.add(chunk([delta(finish="tool_calls"), delta(index=1, finish="stop")]))
    collector.add(chunk([], usage=NS(model_dump=lambda: {"prompt_tokens": 1, "completion_tokens": 2})))
    collector.finish()
    data = collector.completion_dict()
    first, second = data["choices"]
    assert first["message"]["content"] == "Hello" and first["finish_reason"] == "tool_calls"
    assert first["message"]["tool_calls"] == [
        {"id": "t0", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}},
        {"id": "t1", "type": "function", "function": {"name": "g", "arguments": "{}"}},
    ]
    assert second["message"]["content"] == "Other" and second["finish_reason"] == "stop"
    assert data["usage"] == {"prompt_tokens": 1, "completion_tokens": 2}
    assert "".join(printer.out) == "\033[32mHelOtherlo\033[0m\n\n"  # green, as classic printed streams


def test_message_json_cache_gives_the_plain_encoding() -> None:
    from autogen.oai.json_utils import MessageJsonCache, dumps_compact, encode_body

    cache = MessageJsonCache()
    messages: list[Any] = [{"role": "user", "content": f"message {i} ünï \u2028 \x00", "name": "u"} for i in range(20)]
    messages += [
        {"role": "user", "content": "1", "n": 1},  # numbers are never cached: 1, 1.0 and True are equal keys
        {"role": "user", "content": "1", "n": True},
        {"role": "user", "content": "1", "n": 1.0},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c", "function": {"name": "f"}}]},
        {"content": "same items", "role": "user"},  # another key order: another text
        {"role": "user", "content": "same items"},
        "a plain string",
    ]
    for _ in range(3):
        assert cache.encode(messages, dumps_compact) == dumps_compact(messages)
    assert len(cache._by_id) == len(cache._by_items) == 22  # the text messages
    body = {"messages": messages, "model": "gpt-4", "temperature": 0.5, "stop": ["x"]}
    assert encode_body(body, dumps_compact) == dumps_compact(body)
    # copies of known messages are found by their items
    copies = [dict(m) if isinstance(m, dict) else m for m in messages]
    assert cache.encode(copies, dumps_compact) == dumps_compact(copies)
    assert len(cache._by_items) == 22


def test_message_json_cache_sees_messages_changed_in_place() -> None:
    from autogen.oai.json_utils import MessageJsonCache, dumps_compact

    cache = MessageJsonCache()
    history: list[Any] = [{"role": "user", "content": f"m{i}", "name": "u"} for i in range(10)]
    assert cache.encode(history, dumps_compact) == dumps_compact(history)
    history[1]["content"] = "edited"
    history[2]["extra"] = "a new key"
    del history[3]["name"]
    history[4]["content"] = None
    history[5]["content"] = ["now", "a", "list"]
    history[6]["n"] = 1
    history.append({"role": "assistant", "content": "new"})
    for _ in range(2):
        assert cache.encode(history, dumps_compact) == dumps_compact(history)
    history[6]["n"] = True  # equal to 1, another text: messages with numbers are never cached
    assert cache.encode(history, dumps_compact) == dumps_compact(history)
    # keys reordered in place: the same JSON object, members perhaps in the old order
    role = history[7].pop("role")
    history[7]["role"] = role
    assert json.loads(cache.encode(history, dumps_compact)) == history


def test_message_json_cache_keeps_to_its_budget() -> None:
    from autogen.oai.json_utils import MessageJsonCache, dumps_compact

    cache = MessageJsonCache(max_bytes=10_000)
    kept = []
    for i in range(200):
        message = [{"role": "user", "content": f"{i:04d}" + "x" * 96}]
        kept.append(message)
        assert cache.encode(message, dumps_compact) == dumps_compact(message)
        assert cache._size <= 10_000
    assert 0 < len(cache._by_items) < 60 and 0 < len(cache._by_id) < 60
    assert b'"0199' in next(reversed(cache._by_items.values()))  # the newest stays

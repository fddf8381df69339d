"""JSON helpers for request bodies and cache keys."""

from __future__ import annotations

import dataclasses
import json
import math
import threading
from itertools import repeat
from operator import eq, itemgetter
from typing import Any, Callable, Optional

from .json_prefix import message_parts, prefix_hash

__all__ = [
    "canonical_json",
    "stable_hash",
    "find_unserializable",
    "MessageJsonCache",
    "encode_body",
    "encode_body_parts",
    "dumps_compact",
]


def _key_default(value: Any) -> Any:
    """How cache keys render values JSON has no spelling for (stable across processes where possible)."""
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        return dump(mode="json")
    if isinstance(value, type):
        schema = getattr(value, "model_json_schema", None)
        if callable(schema):
            return {"__type__": f"{value.__module__}.{value.__qualname__}", "schema": schema()}
        return {"__type__": f"{value.__module__}.{value.__qualname__}"}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if callable(value):
        return {"__callable__": f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"}
    return repr(value)


def _body_default(value: Any) -> Any:
    """Request bodies may hold pydantic models (as the SDK accepts them); nothing else beyond plain JSON."""
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        return dump(mode="json", exclude_unset=True)
    legacy = getattr(value, "dict", None)  # pydantic 1
    if callable(legacy) and hasattr(value, "__fields__") and not isinstance(value, type):
        return json.loads(value.json(exclude_unset=True))
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_body_default)


def dumps_compact(value: Any) -> bytes:
    """Compact UTF-8 JSON of a request body (or part of one), as the SDK sends it."""
    return _encoder.encode(value).encode("utf-8")


def canonical_json(value: Any) -> str:
    """Key-sorted, compact JSON of ``value``; non-JSON values get a stable textual stand-in."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_key_default)


def stable_hash(value: Any) -> str:
    """A SHA-256 hex digest of ``canonical_json(value)``.

    For a request of a conversation (``messages`` built by an agent, see ``json_prefix``) the messages hashed
    for its last request are not read again: the digest is the same.
    """
    if type(value) is dict:
        digest = prefix_hash(value, _canonical_bytes)
        if digest is not None:
            return digest
    import hashlib

    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def _canonical_bytes(value: Any) -> bytes:
    return canonical_json(value).encode("utf-8")


def find_unserializable(value: Any, path: str = "body") -> Optional[tuple[str, Any]]:
    """The first place in ``value`` that plain JSON cannot encode, as (path, offending value), or None.

    Pydantic models count as serialisable (the openai SDK dumps them).
    """
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, value)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return (f"{path} (key {key!r})", key)
            found = find_unserializable(item, f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = find_unserializable(item, f"{path}[{i}]")
            if found:
                return found
        return None
    if callable(getattr(value, "model_dump", None)) and not isinstance(value, type):
        return None
    return (path, value)


_MISSING: tuple[Any, bytes] = (None, b"")
_first = itemgetter(0)
_second = itemgetter(1)


class MessageJsonCache:
    """The JSON text of chat messages, kept so that a growing history is not re-encoded every turn.

    A conversation sends the same messages again on every turn; encoding a long history is most of
    what a turn costs that grows with its length. Only text messages are kept: dicts whose values are
    all strings or None (role, content, name, tool_call_id). A message holding lists, dicts or numbers
    is encoded every time (it could change inside, and 1, 1.0 and True are equal with different texts).

    * By object: a message dict seen before is found by its id and taken as unchanged when it still
      equals the copy made then (same keys, equal string values: the same JSON, up to the order of
      members should someone reorder the keys of a stored message). The lookups and comparisons run
      in C loops, so a long history costs a fraction of encoding it.
    * By content: a new dict with the items of a known message (a copy) is found by its items, in
      order, which is exactly when its JSON text is the same.

    Texts are dropped oldest first beyond ``max_bytes`` (a text counts twice: the text, and the strings
    its key or copy keeps alive).
    """

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._by_id: dict[int, tuple[dict[str, Any], bytes]] = {}
        self._by_items: dict[tuple[tuple[str, Any], ...], bytes] = {}
        self._size = 0
        self._lock = threading.Lock()

    def encode(self, messages: list[Any], dumps: Callable[[Any], bytes]) -> bytes:
        """``dumps(messages)``, with cached texts reused (compact separators are assumed)."""
        return b"[" + self.join(messages, dumps) + b"]"

    def join(self, messages: list[Any], dumps: Callable[[Any], bytes]) -> bytes:
        """The texts of ``messages`` joined by commas (``encode`` without the brackets)."""
        found = list(map(self._by_id.get, map(id, messages), repeat(_MISSING)))
        unchanged = list(map(eq, messages, map(_first, found)))
        if all(unchanged):
            return b",".join(map(_second, found))
        texts = list(map(_second, found))
        i = unchanged.index(False)
        while True:  # usually the one or two messages new since the last turn
            texts[i] = self._text(messages[i], dumps)
            try:
                i = unchanged.index(False, i + 1)
            except ValueError:
                return b",".join(texts)

    def _text(self, message: Any, dumps: Callable[[Any], bytes]) -> bytes:
        if not _plain_dict(message) or not all(type(v) is str or v is None for v in message.values()):
            return dumps(message)
        items = tuple(message.items())
        text = self._by_items.get(items)
        if text is None:
            text = dumps(message)
            self._add(items, None, text)
        self._add(None, message, text)
        return text

    def _add(
        self, items: Optional[tuple[tuple[str, Any], ...]], message: Optional[dict[str, Any]], text: bytes
    ) -> None:
        cost = 2 * len(text)
        with self._lock:
            if items is not None and items not in self._by_items:
                self._by_items[items] = text
                self._size += cost
            if message is not None:
                replaced = self._by_id.pop(id(message), None)
                if replaced is not None:
                    self._size -= 2 * len(replaced[1])
                self._by_id[id(message)] = (dict(message), text)
                self._size += cost
            if self._size > self.max_bytes:
                self._shrink()

    def _shrink(self) -> None:
        """Drop the older half of each map (in insertion order)."""
        for key in list(self._by_id)[: len(self._by_id) // 2 + 1]:
            self._size -= 2 * len(self._by_id.pop(key)[1])
        for items in list(self._by_items)[: len(self._by_items) // 2 + 1]:
            self._size -= 2 * len(self._by_items.pop(items))

    def clear(self) -> None:
        with self._lock:
            self._by_id.clear()
            self._by_items.clear()
            self._size = 0


def _plain_dict(value: Any) -> bool:
    """A dict, or a subclass that reads as one (an agent's stored messages only watch their writes)."""
    kind = type(value)
    return kind is dict or (issubclass(kind, dict) and kind.items is dict.items and kind.__eq__ is dict.__eq__)


_message_json = MessageJsonCache()


def encode_body(body: dict[str, Any], dumps: Callable[[Any], bytes]) -> bytes:
    """``dumps(body)`` for a request body, with its ``messages`` encoded through the message cache (and, for a
    conversation's ``RequestMessages``, only the messages new since its last request; see ``json_prefix``).

    ``dumps`` must write compact JSON (``separators=(",", ":")``); the result is then byte for byte
    what ``dumps(body)`` gives.
    """
    return b"".join(encode_body_parts(body, dumps))


def encode_body_parts(body: dict[str, Any], dumps: Callable[[Any], bytes]) -> list[bytes]:
    """``encode_body`` as the pieces whose concatenation it is: a long history's encoded runs are the
    conversation's own bytes objects, so a transport that writes the pieces as they are (one ``sendmsg``)
    copies nothing and allocates no body as large as the history."""
    messages = body.get("messages")
    if not isinstance(messages, list) or len(messages) < 8 or not all(type(k) is str for k in body):
        return [dumps(body)]
    parts = [b"{"]
    for key, value in body.items():
        parts += (dumps(key), b":")
        if key == "messages":
            parts.append(b"[")
            parts += message_parts(value, dumps, _message_json.join)
            parts.append(b"]")
        else:
            parts.append(dumps(value))
        parts.append(b",")
    parts[-1] = b"}"
    return parts

"""The JSON of a conversation's request messages, kept from one turn to the next.

A conversation sends its whole history on every turn, and the history only grows: the JSON text of the
messages sent last turn is the start of this turn's. ``RequestMessages`` is the message list of one request
as an agent built it; it carries the conversation's ``JsonPrefix`` and how many of its leading messages
(``stable``) the builder checked unchanged since they were first seen and made only of strings (so that
equal means the same JSON text). ``message_parts`` then encodes only the messages new since the last turn.

Whoever builds the list is responsible for ``stable`` and for truncating or replacing the prefix when the
conversation changed in a way the texts kept here cannot see (a message edited in place). ``prefix_hash``
does the same for the cache key: the SHA-256 state after the messages already hashed is kept.
"""

from __future__ import annotations

import bisect
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["JsonPrefix", "RequestMessages", "message_parts", "prefix_hash"]

Dumps = Callable[[Any], bytes]
Join = Callable[[List[Any], Dumps], bytes]

_MAX_CHUNKS = 64  # runs of texts kept apart (a truncation keeps whole runs)
_MAX_DIGESTS = 4  # cache-key hashes kept per conversation (one per set of other request parameters)
_lock = threading.Lock()


class JsonPrefix:
    """The messages already encoded for one conversation (``refs``) and their JSON texts, comma-joined in runs
    (``chunks``, each run after the first with its leading comma): ``b"".join(chunks)`` is the inside of the JSON
    array of ``refs``, and the runs are the pieces a transport writes as they are."""

    __slots__ = ("refs", "chunks", "ends", "digests")

    def __init__(self) -> None:
        self.refs: List[Any] = []
        self.chunks: List[bytes] = []
        self.ends: List[int] = []  # len(refs) at the end of each chunk
        self.digests: Dict[bytes, _Digest] = {}  # the cache key's hash, kept the same way, per request head

    def truncate(self, kept: int) -> None:
        """Keep at most the first ``kept`` messages (down to the end of a chunk)."""
        with _lock:
            whole = bisect.bisect_right(self.ends, kept)
            del self.chunks[whole:]
            del self.ends[whole:]
            del self.refs[self.ends[-1] if self.ends else 0 :]
            self.digests = {}

    def _add(self, fresh: List[Any], text: bytes) -> None:
        self.refs += fresh
        self.chunks.append(b"," + text if self.chunks else text)
        self.ends.append(len(self.refs))
        if len(self.chunks) > _MAX_CHUNKS:  # the older half in one run
            half = len(self.chunks) // 2
            self.chunks[:half] = [b"".join(self.chunks[:half])]
            del self.ends[: half - 1]

    def _clear(self) -> None:
        self.refs, self.chunks, self.ends = [], [], []


class _Digest:
    """A SHA-256 that has read the canonical JSON of a request up to and including the messages ``refs``."""

    __slots__ = ("refs", "state")

    def __init__(self, head: bytes) -> None:
        import hashlib

        self.refs: List[Any] = []
        self.state = hashlib.sha256(head)


class RequestMessages(list):  # type: ignore[type-arg]
    """The message list of one request, with the conversation's encoded prefix.

    It is a plain list to everyone else; copies, pickles and deep copies are plain lists.
    """

    __slots__ = ("json_prefix", "stable", "built_len")

    def __init__(self, messages: List[Any], json_prefix: Optional[JsonPrefix] = None, stable: int = 0) -> None:
        super().__init__(messages)
        self.json_prefix = json_prefix
        self.stable = stable
        self.built_len = len(messages)

    def __reduce_ex__(self, protocol: Any) -> Tuple[Any, ...]:
        return (list, (list(self),))

    def copy(self) -> List[Any]:
        return list(self)


def message_parts(messages: List[Any], dumps: Dumps, join: Join) -> List[bytes]:
    """Pieces whose concatenation is the inside of the JSON array of ``messages`` (texts joined by commas, as
    ``join`` gives them): the conversation's encoded runs as they are kept, and what is new.

    For a ``RequestMessages`` only the messages past the conversation's encoded prefix are encoded, and the
    new stable ones are added to the prefix.
    """
    prefix = getattr(messages, "json_prefix", None)
    if prefix is None or not isinstance(messages, RequestMessages):
        return [join(messages, dumps)]
    # a list changed after it was built (an insert, a removal) has a stale stable count
    stable = messages.stable if len(messages) == messages.built_len else 0
    with _lock:
        done = len(prefix.refs)
        usable = done <= stable
        if usable and messages[:done] != prefix.refs:  # the same objects: a pointer comparison each
            prefix._clear()
            done = 0
        if usable and stable > done:
            fresh = messages[done:stable]
            prefix._add(fresh, join(fresh, dumps))
        chunks = list(prefix.chunks) if usable else []
    if not usable:
        return [join(messages, dumps)]
    if stable < len(messages):
        rest = join(messages[stable:], dumps)
        chunks.append(b"," + rest if chunks else rest)
    return chunks


def prefix_hash(value: Dict[str, Any], encode: Callable[[Any], bytes]) -> Optional[str]:
    """The SHA-256 hex digest of the key-sorted JSON of ``value`` (``encode`` writes each part), hashing only
    the messages new since the conversation's last request; None when ``value["messages"]`` is not a
    ``RequestMessages`` (or a key is not a string)."""
    messages = value.get("messages")
    prefix = getattr(messages, "json_prefix", None)
    if prefix is None or not isinstance(messages, RequestMessages) or not all(type(k) is str for k in value):
        return None
    stable = messages.stable if len(messages) == messages.built_len else 0
    keys = sorted(value)
    at = keys.index("messages")
    head = b"{" + b"".join(encode(k) + b":" + encode(value[k]) + b"," for k in keys[:at]) + b'"messages":['
    end = b"]" + b"".join(b"," + encode(k) + b":" + encode(value[k]) for k in keys[at + 1 :]) + b"}"
    with _lock:
        digest = prefix.digests.get(head)
        done = len(digest.refs) if digest is not None else 0
        if done > stable:  # fewer checked messages than last time (a list changed after it was built)
            return None
        if digest is None or messages[:done] != digest.refs:
            digest = _Digest(head)
            done = 0
            if len(prefix.digests) >= _MAX_DIGESTS:
                del prefix.digests[next(iter(prefix.digests))]
            prefix.digests[head] = digest
        if stable > done:
            fresh = messages[done:stable]
            digest.state.update((b"," if done else b"") + encode(fresh)[1:-1])  # the array without brackets
            digest.refs += fresh
            done = stable
        state = digest.state.copy()
    rest = messages[done:]
    if rest:
        state.update((b"," if done else b"") + encode(rest)[1:-1])
    state.update(end)
    return str(state.hexdigest())

"""The request messages of a conversation, built turn after turn without walking the whole history.

A history only grows between two turns, so the request entries of its messages (``tool_responses`` unrolled,
``context`` dropped, names made valid) are kept per conversation and only the new messages are converted.
Each turn checks that every message seen before is still there and unchanged: from a message edited in
place, replaced, removed or inserted (or a cleared history) on, the history is converted again, and a changed
system message drops the encoded JSON. Only messages made of strings (and None) are kept, so that equal means
the same JSON; the history from the first other message on is converted every turn.

The check is cheap for what agents store themselves (``StoredMessage``, which counts in-place edits): when the
history holds the same message objects as last turn and no stored message was edited since, those messages are
unchanged without looking at them. Any other message (a plain dict put in the history by hand) is compared
with the deep copy taken when it was first seen, and so are all of them after an edit anywhere.

Conversations are found by the identity of their first message (a copy of the history list still finds
its conversation), kept from their second request with at least ``MIN_LENGTH`` messages on (a history
rebuilt on every turn, as a message-transforming hook does, is never kept), and dropped oldest first
beyond a total number of kept messages.

One edit goes unseen: a key of a stored message moved in place (popped and set again) with the same
value; the JSON sent is then the same object with its members in the old order.
"""

from __future__ import annotations

import operator
import threading
from collections import OrderedDict
from itertools import compress, count
from typing import Any, Callable, Dict, List, Optional, Sequence

from ..oai.json_prefix import JsonPrefix, RequestMessages
from .stored_message import StoredMessage, edits

__all__ = ["build_request", "plain_snapshot", "clear"]

Message = Dict[str, Any]
Convert = Callable[[Sequence[Message]], List[Message]]

MIN_LENGTH = 16  # shorter histories are converted whole: that is cheap, and they keep no copies
MAX_KEPT_MESSAGES = 50_000  # copies kept, across all conversations
MAX_CONVERSATIONS = 10_000
_NOT_PLAIN = object()


class _Conversation:
    __slots__ = ("system", "seen", "refs", "loose", "epoch", "entries", "ends", "json")

    def __init__(self) -> None:
        # copies of the system messages the JSON was built after (None: they hold more than strings)
        self.system: Optional[List[Message]] = []
        self.seen: List[Message] = []  # copies of the leading history messages converted so far
        self.refs: List[Message] = []  # those messages themselves, as last checked
        self.loose: List[int] = []  # positions of those that do not count their edits (compared every turn)
        self.epoch = -1  # edits() when refs were last found unchanged
        self.entries: List[Message] = []  # their request entries
        self.ends: List[int] = []  # len(entries) after each of them
        self.json = JsonPrefix()

    def truncate(self, kept: int) -> None:
        """Keep the first ``kept`` messages (and the JSON of the system messages and their entries)."""
        del self.seen[kept:]
        del self.refs[kept:]
        while self.loose and self.loose[-1] >= kept:
            self.loose.pop()
        del self.entries[self.ends[kept - 1] if kept else 0 :]
        del self.ends[kept:]
        self.json.truncate(len(self.system or ()) + len(self.entries))

    def add(self, message: Message, snapshot: Message) -> None:
        if not _watched(message, snapshot):
            self.loose.append(len(self.seen))
        self.seen.append(snapshot)
        self.refs.append(message)

    def holds(self, history: List[Message]) -> bool:
        """Whether ``history`` (as long as ``seen``) still holds the messages seen, unchanged."""
        epoch = edits()  # read before looking: an edit made while we look shows next time
        refs = self.refs
        if epoch == self.epoch:
            # No stored message was edited since refs were found equal to the copies, so refs still are: comparing
            # with them is comparing with the copies, and the same objects compare by address only (a pointer scan).
            if not _unchanged(history, refs):
                return False
            return not self.loose or _unchanged([history[i] for i in self.loose], [self.seen[i] for i in self.loose])
        if not _unchanged(history, self.seen):
            return False
        # equal messages in other objects (their positions are looked at again), or an edit elsewhere
        moved = list(compress(count(), map(operator.is_not, history, refs)))
        if moved:
            again = set(moved)
            seen = self.seen
            self.loose = sorted(
                [i for i in self.loose if i not in again] + [i for i in moved if not _watched(history[i], seen[i])]
            )
            self.refs = list(history)
        self.epoch = epoch
        return True


def _watched(message: Message, snapshot: Message) -> bool:
    """Whether every edit of ``message`` is counted: an agent's stored message holding only strings."""
    return type(message) is StoredMessage and all(type(v) is str or v is None for v in snapshot.values())


_conversations: OrderedDict[int, Optional[_Conversation]] = OrderedDict()  # None: seen once
_kept = 0
_lock = threading.Lock()


def _plain_copy(value: Any) -> Any:
    """A deep copy of a JSON value made of dicts, lists, str and None; ``_NOT_PLAIN`` for anything else
    (numbers too: 1, 1.0 and True are equal with different texts)."""
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                return _NOT_PLAIN
            copied = _plain_copy(item)
            if copied is _NOT_PLAIN:
                return _NOT_PLAIN
            out[key] = copied
        return out
    if kind is list:
        items = []
        for item in value:
            copied = _plain_copy(item)
            if copied is _NOT_PLAIN:
                return _NOT_PLAIN
            items.append(copied)
        return items
    return _NOT_PLAIN


def plain_snapshot(message: Any) -> Optional[Message]:
    """A deep copy of a history message to compare it with later, or None if it holds more than strings.

    ``context`` (templating data, never sent) is kept as the same object, whatever it holds: it only has to
    be there still for the message to compare equal.
    """
    if type(message) is not dict and type(message) is not StoredMessage:
        return None
    snapshot: Message = {}
    for key, value in message.items():
        if key == "context":
            snapshot[key] = value
            continue
        copied = _plain_copy(value) if type(key) is str else _NOT_PLAIN
        if copied is _NOT_PLAIN:
            return None
        snapshot[key] = copied
    return snapshot


def _unchanged(current: Sequence[Message], copies: List[Message]) -> bool:
    try:
        return current == copies
    except Exception:  # a context object whose == raises (say an array): count it as changed
        return False


def _list(messages: Sequence[Message]) -> List[Message]:
    return messages if type(messages) is list else list(messages)


def _still_equal(current: List[Message], copies: List[Message]) -> int:
    """How many leading messages of ``current`` still equal their copies."""
    try:
        same = list(map(operator.eq, current, copies))
    except Exception:
        return 0
    return same.index(False) if False in same else len(same)


def build_request(system: List[Message], history: Sequence[Message], convert: Convert) -> List[Message]:
    """``system`` followed by ``convert(history)``, the converted entries of old messages reused."""
    conversation = _conversation(history) if len(history) >= MIN_LENGTH else None
    if conversation is None:  # a history seen for the first time (or empty): nothing worth keeping yet
        return RequestMessages([*system, *convert(history)])
    with _lock:
        done = _check(conversation, system, history)
        fresh = _take_new(conversation, history, done, convert)
        done += fresh
        request = RequestMessages(system, conversation.json)
        request += conversation.entries
        if conversation.system is not None:
            request.stable = len(request)
        if fresh:
            _account(fresh)
    if done < len(history):
        request += convert(history[done:])
    request.built_len = len(request)
    return request


def _conversation(history: Sequence[Message]) -> Optional[_Conversation]:
    """The conversation of ``history`` (found by its first message); None the first time it is seen, so that
    histories rebuilt on every turn (copies of every message) cost nothing here."""
    key = id(history[0])
    with _lock:
        if key not in _conversations:
            _conversations[key] = None
            while len(_conversations) > MAX_CONVERSATIONS:
                _drop_oldest()
            return None
        conversation = _conversations[key]
        if conversation is None:
            conversation = _conversations[key] = _Conversation()
        _conversations.move_to_end(key)
        return conversation


def _check(conversation: _Conversation, system: List[Message], history: Sequence[Message]) -> int:
    """How many leading messages of ``history`` the conversation still holds, after dropping those that
    changed (and the encoded JSON when the system messages changed)."""
    global _kept
    done = len(conversation.seen)
    if done and (done > len(history) or not conversation.holds(_list(history[:done]))):
        kept = _still_equal(_list(history[:done]), conversation.seen)
        _kept -= done - kept
        conversation.truncate(kept)
        done = kept
    if conversation.system is None or not _unchanged(system, conversation.system):
        snapshots = [plain_snapshot(m) for m in system]
        conversation.system = None if None in snapshots else snapshots  # type: ignore[assignment]
        conversation.json = JsonPrefix()
    return done


def _take_new(conversation: _Conversation, history: Sequence[Message], done: int, convert: Convert) -> int:
    """Convert and keep the new messages, up to the first that holds more than strings; how many."""
    count = 0
    for message in history[done:]:
        snapshot = plain_snapshot(message)
        if snapshot is None:
            break
        conversation.add(message, snapshot)
        conversation.entries += convert((message,))  # a tool message unrolls into several entries
        conversation.ends.append(len(conversation.entries))
        count += 1
    return count


def _account(added: int) -> None:
    global _kept
    _kept += added
    while _kept > MAX_KEPT_MESSAGES and len(_conversations) > 1:
        _drop_oldest()


def _drop_oldest() -> None:
    global _kept
    conversation = _conversations.popitem(last=False)[1]
    if conversation is not None:
        _kept -= len(conversation.seen)


def clear() -> None:
    """Forget every conversation (the next request of each converts its whole history again)."""
    global _kept
    with _lock:
        _conversations.clear()
        _kept = 0

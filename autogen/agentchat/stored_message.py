"""The dict an agent stores a history message in.

To everyone else it is a plain dict (equal to one, printed as one; copies, pickles and deep copies are
plain dicts). It also counts edits made in place to any stored message, process-wide, so that a request
builder can tell that no stored message changed since it last looked (``edits()`` is the same) without
comparing each one with a copy: that comparison is what a long history would otherwise cost on every turn.
Only the message's own items are watched: an edit inside a nested value (a list of content parts, a tool
call) is not counted, so whoever relies on the count treats messages holding more than strings as unwatched.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

__all__ = ["StoredMessage", "edits"]

_edits = 0


def edits() -> int:
    """How many in-place edits stored messages have had (a number that changes with each edit)."""
    return _edits


def _edited() -> None:
    # counted after the edit is done: a reader that saw the old count looks again next time
    global _edits
    _edits += 1


class StoredMessage(Dict[str, Any]):
    __slots__ = ()

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        _edited()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        _edited()

    def __ior__(self, other: Any) -> StoredMessage:  # type: ignore[override,misc]
        super().__ior__(other)
        _edited()
        return self

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        _edited()

    def pop(self, *args: Any) -> Any:
        try:
            return super().pop(*args)
        finally:
            _edited()

    def popitem(self) -> Tuple[str, Any]:
        try:
            return super().popitem()
        finally:
            _edited()

    def setdefault(self, key: str, default: Any = None) -> Any:
        try:
            return super().setdefault(key, default)
        finally:
            _edited()

    def clear(self) -> None:
        super().clear()
        _edited()

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (dict, (dict(self),))

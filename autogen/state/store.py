"""Where checkpoints go: a ``CheckpointStore`` protocol, a JSON file store, and an in-memory one.

A store holds one document (the latest checkpoint) and replaces it on each save. ``as_store`` accepts a path (a
:class:`FileStore`), any object with ``load()``/``save(state)`` (a database row, a Redis key, ...), or None.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Dict, Optional, Protocol, Union, runtime_checkable

from ..formats.document import load, save
from ..formats.errors import StateError

__all__ = ["CheckpointStore", "FileStore", "MemoryStore", "as_store"]


@runtime_checkable
class CheckpointStore(Protocol):
    """Keeps the latest checkpoint of a chat (or of a queue of chats)."""

    def load(self) -> Optional[Dict[str, Any]]:
        """The saved document, or None when nothing was saved yet."""
        ...

    def save(self, state: Dict[str, Any]) -> None:
        """Replace the saved document with ``state``."""
        ...


class FileStore:
    """A JSON file, replaced atomically on each save (``durable=True`` also fsyncs it)."""

    def __init__(self, path: Union[str, os.PathLike[str]], durable: bool = False) -> None:
        self.path = Path(path)
        self.durable = durable

    def load(self) -> Optional[Dict[str, Any]]:
        if not self.path.exists():
            return None
        return load(self.path)

    def save(self, state: Dict[str, Any]) -> None:
        save(state, self.path, durable=self.durable)

    def __repr__(self) -> str:
        return f"FileStore({str(self.path)!r})"


class MemoryStore:
    """A store in this process's memory (for tests, or to hand the state to your own code)."""

    def __init__(self, state: Optional[Dict[str, Any]] = None) -> None:
        self.state = copy.deepcopy(state)
        self.saves = 0

    def load(self) -> Optional[Dict[str, Any]]:
        return copy.deepcopy(self.state)

    def save(self, state: Dict[str, Any]) -> None:
        self.state = state
        self.saves += 1


def as_store(target: Any) -> Optional[CheckpointStore]:
    """A store for ``target``: None, a path, or an object with ``load()`` and ``save(state)``."""
    if target is None:
        return None
    if isinstance(target, (str, os.PathLike)):
        return FileStore(target)
    if isinstance(target, CheckpointStore):
        return target
    raise StateError(
        f"checkpoint must be a file path or an object with load() and save(state) methods, got {type(target).__name__}."
    )

"""Clients shared by key (a database folder) among the stores using it: made by the first, closed by the last.

Some embedded databases allow one client per folder per process (Qdrant's local mode locks the folder), so
stores on one folder share a client; counting its users lets the last one close it, so a process that opens
many folders (a temporary folder per test, a folder per tenant) does not keep their files open forever.
The same count serves what a database shares per folder behind separate clients (an old chromadb's System).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, List

__all__ = ["SharedClients"]


@dataclass
class _Entry:
    client: Any
    users: int = 0


class SharedClients:
    """A pool of clients by key, each closed with ``close(client)`` when its last user releases it."""

    def __init__(self, close: Callable[[Any], None]) -> None:
        self._close = close
        self._entries: Dict[str, _Entry] = {}
        # reentrant: closing a client may collect another one whose finalizer releases it on this thread
        self._lock = threading.RLock()

    def acquire(self, key: str, make: Callable[[], Any]) -> Any:
        """The client of ``key`` (made with ``make()`` when nobody uses one), counted as one more user."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry(make())
            entry.users += 1
            return entry.client

    def release(self, key: str, client: Any) -> None:
        """One user of ``client`` is done; the last one closes it. Releasing a client closed already does nothing."""
        with self._lock:  # closed under the lock: a new user of the folder waits until the old client let go of it
            entry = self._entries.get(key)
            if entry is None or entry.client is not client:
                return
            entry.users -= 1
            if entry.users > 0:
                return
            del self._entries[key]
            self._close(client)

    def close_all(self) -> None:
        """Close every client, whoever still uses it (at interpreter exit)."""
        with self._lock:
            clients: List[Any] = [entry.client for entry in self._entries.values()]
            self._entries.clear()
            for client in clients:
                self._close(client)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

"""The chromadb clients the stores make, and closing them so that their folder's files are given back.

chromadb runs one System per folder, shared by the folder's clients. Since ``Client.close`` exists (chromadb 1.x),
chromadb counts a folder's clients and stops the System with the last one closed; its SQLite connections are then
closed on chromadb's worker threads, a moment later, so an explicit close waits for the folder's files (Linux; a
finalizer does not wait, as it may run on an event loop's thread). Before ``Client.close`` existed (chromadb 0.5,
0.6 and early 1.x) a System lived until the process ended: our clients then count themselves per folder (the
SharedClients count the Qdrant store uses too) and stop the folder's System with the last of them. On those versions
a chromadb client made elsewhere (``chromadb.PersistentClient``) on the folder of our clients stops working once
ours are closed.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any, Dict, List, Optional

from ..rag.errors import import_extra
from ._open_files import open_files_in, wait_until_closed
from ._shared import SharedClients

__all__ = ["chroma_client", "close_client"]

_memory: List[Any] = []  # the process's in-memory client (chromadb keeps one in-memory database per process)
_memory_lock = threading.Lock()


def chromadb_module(feature: str = "The chromadb vector store") -> Any:
    return import_extra("chromadb", package="chromadb", extra="retrievechat", feature=feature)


def chroma_client(path: Optional[str] = None) -> Any:
    """A chromadb client: persistent in ``path`` (a new client, closed by ``close()`` or when garbage-collected),
    else the process's in-memory one (shared, open until the process ends).

    The clients of one folder share chromadb's database (its files close with the last of them), and all have the
    same settings: chromadb refuses two different settings on one path."""
    chromadb = chromadb_module()
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=True)
    if path:  # as chromadb.PersistentClient does, with our class; the same folder however it is named
        settings.persist_directory = os.path.abspath(path)
        settings.is_persistent = True
        return _self_closing_client_class()(settings=settings)
    with _memory_lock:
        if not _memory:
            _memory.append(chromadb.EphemeralClient(settings=settings))
        return _memory[0]


def close_client(client: Any, wait: bool = False) -> None:
    """Close ``client``. With ``wait`` (an explicit close; never a finalizer, which may run on an event loop's
    thread or inside a garbage collection), return once the folder's files are closed when it was the folder's last
    client; without, chromadb closes them on its worker threads a moment later."""
    folder = _persist_directory(client) if wait else None
    held = open_files_in(folder, _chroma_file) if folder else frozenset()
    close = getattr(client, "close", None)
    if close is not None:
        close()
    if held and not _folder_in_use(folder):  # type: ignore[arg-type]
        wait_until_closed(held)


@functools.cache
def _self_closing_client_class() -> Any:
    """chromadb's client class, closing itself when garbage-collected (dropping a chromadb client closes nothing);
    with a ``close()`` of its own on chromadb versions without one."""
    chromadb = chromadb_module()

    class SelfClosingClient(chromadb.ClientCreator):  # type: ignore[misc,name-defined]
        def __del__(self) -> None:
            try:
                close_client(self)
            except Exception:  # a client whose construction failed, or the interpreter's exit
                pass

    if hasattr(chromadb.ClientCreator, "close"):
        SelfClosingClient.__qualname__ = "SelfClosingClient"
        return SelfClosingClient

    class CountedClient(SelfClosingClient):
        _counted_folder: Optional[str] = None  # the folder (its System's identifier) while counted as a user

        def __init__(self, settings: Any) -> None:
            folder = str(settings.persist_directory)
            # counted first: a client of the folder collected meanwhile does not stop its System
            self._counted_folder = _systems.acquire(folder, lambda: folder)
            super().__init__(settings=settings)  # on failure, __del__ gives the count back

        def close(self) -> None:
            """Close the client: the folder's database stops with the last of our clients of it."""
            folder = self.__dict__.pop("_counted_folder", None)  # atomic: closed twice at once, released once
            if folder is not None:
                _systems.release(folder, folder)

    CountedClient.__qualname__ = "SelfClosingClient"
    return CountedClient


def _systems_by_identifier() -> Optional[Dict[str, Any]]:
    """chromadb's registry of running Systems by identifier (a folder), or None when it cannot be found.

    Its class has had its own module since chromadb 0.5.4 (in ``chromadb.api.client`` before), and the registry
    was spelled ``_identifer_to_system`` until then."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:
        from chromadb.api.client import SharedSystemClient
    for name in ("_identifier_to_system", "_identifer_to_system"):
        systems = getattr(SharedSystemClient, name, None)
        if isinstance(systems, dict):
            return systems
    return None


def _stop_system(identifier: str) -> None:
    """Stop chromadb's System of ``identifier`` (a folder) and forget it, so the folder's next client starts anew."""
    systems = _systems_by_identifier()
    system = systems.pop(identifier, None) if systems is not None else None
    if system is not None:
        system.stop()


# chromadb without Client.close: our open clients of each folder, the last of which stops the folder's System
_systems = SharedClients(_stop_system)


def _persist_directory(client: Any) -> Optional[str]:
    """The folder of a persistent client (None: in memory, or not a local chromadb client)."""
    try:
        settings = client.get_settings()
    except Exception:  # a client whose construction failed
        return None
    if getattr(settings, "is_persistent", False) and getattr(settings, "persist_directory", None):
        return str(settings.persist_directory)
    return None


def _chroma_file(relative: str) -> bool:
    """chromadb's own files in its folder: the SQLite database (and its journal) and the index segment folders."""
    return relative.startswith("chroma.sqlite3") or os.sep in relative


def _folder_in_use(folder: str) -> bool:
    """Whether a chromadb System of this process still serves ``folder`` (while any client of it is open; when
    chromadb's registry cannot be read, the folder counts as in use and nothing is awaited)."""
    systems = _systems_by_identifier()
    if systems is None:
        return True
    wanted = os.path.realpath(folder)
    for system in list(systems.values()):
        settings: Any = getattr(system, "settings", None)
        if getattr(settings, "is_persistent", False) and os.path.realpath(str(settings.persist_directory)) == wanted:
            return True
    return False

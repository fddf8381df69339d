"""Stores give their files back: closed or garbage-collected, a store leaves the process's descriptor count where it
was; stores on one folder share a client until the last of them lets go; clients passed in stay open."""

from __future__ import annotations

import gc
import logging
import threading
from pathlib import Path
from typing import Any, Callable, List

import pytest
from fd_count import fds_left_under, fds_under, needs_proc_fd

from autogen.agentchat.contrib.vectordb._open_files import open_files_in, wait_until_closed
from autogen.agentchat.contrib.vectordb._shared import SharedClients

ROUNDS = 20


def vectors(texts: List[str]) -> List[List[float]]:
    return [[float(len(text)), 1.0, 0.5] for text in texts]


def chroma(path: Path) -> Any:
    pytest.importorskip("chromadb")
    from autogen.agentchat.contrib.vectordb.chromadb import ChromaVectorDB

    return ChromaVectorDB(path=str(path), embedding_function=vectors)


def qdrant(path: Path) -> Any:
    pytest.importorskip("qdrant_client")
    from autogen.agentchat.contrib.vectordb.qdrant import QdrantVectorDB

    return QdrantVectorDB(path=str(path), embedding_function=vectors)


def fill(db: Any) -> Any:
    db.create_collection("notes")
    db.insert_docs([{"id": "1", "content": "a note"}, {"id": "2", "content": "a longer note"}], "notes")
    assert db.retrieve_docs(["a note"], "notes", n_results=1)[0][0][0]["id"] == "1"
    return db


@needs_proc_fd
@pytest.mark.parametrize("make", [chroma, qdrant], ids=["chroma", "qdrant"])
def test_dropped_stores_give_their_descriptors_back(make: Callable[[Path], Any], tmp_path: Path) -> None:
    kept = [fill(make(tmp_path / f"kept{i}")) for i in range(5)]
    assert all(fds_under(tmp_path / f"kept{i}") for i in range(5))  # open stores hold their folders' files
    del kept  # no close(): dropping the stores is enough
    gc.collect()
    assert fds_left_under(tmp_path) == []
    for i in range(ROUNDS):  # a folder per tenant, one store each, dropped at once
        fill(make(tmp_path / f"tenant{i}"))
    gc.collect()
    assert fds_left_under(tmp_path) == []


@needs_proc_fd
@pytest.mark.parametrize("make", [chroma, qdrant], ids=["chroma", "qdrant"])
def test_stores_on_one_folder_share_it_until_the_last_is_closed(make: Callable[[Path], Any], tmp_path: Path) -> None:
    first = fill(make(tmp_path / "shared"))
    second = make(tmp_path / "shared")
    assert second.count("notes") == 2
    first.close()
    first.close()  # twice does nothing
    second.insert_docs([{"id": "3", "content": "still open"}], "notes")  # the other store's client is still open
    assert second.count("notes") == 3
    with pytest.raises(ValueError, match="is closed: make a new store"):
        first.count("notes")
    second.close()  # the last store of the folder: its files are given back before close() returns
    assert fds_under(tmp_path) == []
    with make(tmp_path / "shared") as again:  # the folder opens again, as it was
        assert again.count("notes") == 3
    assert fds_under(tmp_path) == []


@needs_proc_fd
def test_only_an_explicit_close_waits_for_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A finalizer (a dropped store or client, collected on whatever thread, maybe an event loop's) never waits."""
    pytest.importorskip("chromadb")
    from autogen.agentchat.contrib.vectordb import _chroma_clients

    waited: List[Any] = []
    real_wait = _chroma_clients.wait_until_closed

    def wait_until_closed(files: Any, **kwargs: Any) -> bool:
        waited.append(files)
        return real_wait(files, **kwargs)

    monkeypatch.setattr(_chroma_clients, "wait_until_closed", wait_until_closed)
    dropped = fill(chroma(tmp_path / "dropped"))
    client = _chroma_clients.chroma_client(str(tmp_path / "client"))  # what create_vector_db_from_dir returns
    client.get_or_create_collection("notes")
    assert fds_under(tmp_path / "dropped") and fds_under(tmp_path / "client")
    del dropped, client
    gc.collect()
    assert waited == []
    assert fds_left_under(tmp_path) == []
    closed = fill(chroma(tmp_path / "closed"))
    closed.close()
    assert len(waited) == 1 and waited[0]  # the folder's files, awaited before close() returned
    assert fds_under(tmp_path) == []


@needs_proc_fd
def test_chroma_without_client_close_stops_a_folder_with_our_last_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chromadb before Client.close (0.5, 0.6): our clients count themselves per folder (simulated on this one)."""
    chromadb = pytest.importorskip("chromadb")
    from autogen.agentchat.contrib.vectordb import _chroma_clients

    monkeypatch.delattr(chromadb.ClientCreator, "close", raising=False)  # absent before chromadb 1.x
    _chroma_clients._self_closing_client_class.cache_clear()
    try:
        test_stores_on_one_folder_share_it_until_the_last_is_closed(chroma, tmp_path / "closed")
        dropped = [fill(chroma(tmp_path / "dropped")), chroma(tmp_path / "dropped")]
        del dropped
        gc.collect()
        assert fds_left_under(tmp_path) == []
    finally:
        monkeypatch.undo()
        _chroma_clients._self_closing_client_class.cache_clear()


def test_a_chroma_client_passed_in_stays_open(tmp_path: Path) -> None:
    pytest.importorskip("chromadb")
    from autogen.agentchat.contrib.vectordb.chromadb import ChromaVectorDB, chroma_client

    client = chroma_client(str(tmp_path / "own"))
    try:
        with ChromaVectorDB(client=client, embedding_function=vectors) as db:
            fill(db)
        assert client.get_collection("notes").count() == 2
    finally:
        client.close()


def test_the_in_memory_chroma_store_lives_as_long_as_the_process() -> None:
    pytest.importorskip("chromadb")
    from autogen.agentchat.contrib.vectordb.chromadb import ChromaVectorDB

    with ChromaVectorDB(path=None, embedding_function=vectors) as db:
        fill(db)
    other = ChromaVectorDB(path=None, embedding_function=vectors)
    try:
        assert other.count("notes") == 2
    finally:
        other.delete_collection("notes")


def test_a_qdrant_client_passed_in_stays_open(tmp_path: Path) -> None:
    qdrant_client = pytest.importorskip("qdrant_client")
    from autogen.agentchat.contrib.vectordb.qdrant import QdrantVectorDB

    client = qdrant_client.QdrantClient(path=str(tmp_path / "own"))
    try:
        with QdrantVectorDB(client=client, embedding_function=vectors) as db:
            fill(db)
        assert client.count("notes").count == 2
    finally:
        client.close()


class Client:
    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = False


def test_shared_clients_close_with_their_last_user() -> None:
    closed: List[str] = []
    pool = SharedClients(lambda client: closed.append(client.name))
    a = pool.acquire("/data/a", lambda: Client("a1"))
    assert pool.acquire("/data/a", lambda: Client("a2")) is a  # shared while in use
    pool.release("/data/a", a)
    assert closed == [] and len(pool) == 1
    pool.release("/data/a", a)
    assert closed == ["a1"] and len(pool) == 0
    pool.release("/data/a", a)  # released once too often: nothing happens
    assert closed == ["a1"]
    again = pool.acquire("/data/a", lambda: Client("a3"))
    assert again.name == "a3"  # a new client after the old one was closed
    pool.release("/data/a", a)  # the old client's release does not close the new one
    assert closed == ["a1"]
    pool.acquire("/data/b", lambda: Client("b1"))
    pool.close_all()
    assert sorted(closed) == ["a1", "a3", "b1"] and len(pool) == 0


@needs_proc_fd
def test_waiting_for_files_closed_by_another_thread(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "seg").mkdir()
    kept = open(tmp_path / "kept.log", "w")  # a file of the caller's: not the database's
    (tmp_path / "chroma.sqlite3").write_bytes(b"")
    files = [open(tmp_path / "chroma.sqlite3", "rb")]
    files.append(open(tmp_path / "seg" / "index.bin", "w"))
    try:
        held = open_files_in(str(tmp_path), lambda relative: relative != "kept.log")
        assert sorted(target for _, target in held) == [
            str(tmp_path / "chroma.sqlite3"),
            str(tmp_path / "seg/index.bin"),
        ]

        def close_all() -> None:  # on a thread of their own, as chromadb's workers do
            for f in files:
                f.close()

        worker = threading.Thread(target=close_all)
        worker.start()
        assert wait_until_closed(held)  # returns once they are closed, whenever the thread gets to it
        assert open_files_in(str(tmp_path)) == open_files_in(str(tmp_path), lambda relative: relative == "kept.log")
        worker.join()
        with caplog.at_level(logging.WARNING):  # a file that is never closed: the wait is bounded and says so
            assert not wait_until_closed(open_files_in(str(tmp_path)), timeout=0.01)
        assert "still open" in caplog.text and "kept.log" in caplog.text
    finally:
        kept.close()
        for f in files:
            f.close()

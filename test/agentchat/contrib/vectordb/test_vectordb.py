"""The classic VectorDB protocol on every back end: chromadb, Qdrant (local mode) and PostgreSQL with pgvector (a
real server from the pgserver package, started in a temporary folder), plus RetrieveUserProxyAgent on pgvector."""

from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from autogen.agentchat.contrib.rag.errors import CollectionExistsError, CollectionNotFoundError, ConfigError
from autogen.agentchat.contrib.vectordb import Document, VectorDB, VectorDBFactory

WORDS = 64


def bag_of_words(texts: List[str]) -> List[List[float]]:
    """A small deterministic embedding: words hashed into 64 buckets, normalised (shared words -> close)."""
    vectors = []
    for text in texts:
        vector = [0.0] * WORDS
        for word in text.lower().replace(".", " ").split():
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % WORDS] += 1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        vectors.append([x / norm for x in vector])
    return vectors


@pytest.fixture(scope="module")
def pg_uri() -> Iterator[str]:
    """A real PostgreSQL with pgvector (the pgserver package), in a fresh folder, stopped and removed at the end."""
    pgserver = pytest.importorskip("pgserver")
    pytest.importorskip("psycopg")
    pytest.importorskip("pgvector")
    # As root, pgserver runs PostgreSQL as another user, which must reach the folder: pytest's tmp folders are
    # private to root, so the data lives in a folder of its own under the system temp directory.
    data = tempfile.mkdtemp(prefix="autogen-pgvector-")
    server = pgserver.get_server(data, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


def _make(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> VectorDB:
    if kind == "chroma":
        pytest.importorskip("chromadb")
        return VectorDBFactory.create_vector_database(
            "chroma", path=str(tmp_path / "chroma"), embedding_function=bag_of_words
        )
    if kind == "qdrant":
        pytest.importorskip("qdrant_client")
        return VectorDBFactory.create_vector_database("qdrant", embedding_function=bag_of_words)
    uri = request.getfixturevalue("pg_uri")
    return VectorDBFactory.create_vector_database("pgvector", connection_string=uri, embedding_function=bag_of_words)


@pytest.fixture(params=["chroma", "qdrant", "pgvector"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorDB]:
    store = _make(request.param, tmp_path, request)
    store.delete_collection("fruits")
    yield store
    store.delete_collection("fruits")
    store.close()  # type: ignore[attr-defined]  # every back end has close(); the protocol leaves it out


DOCS: List[Document] = [
    {"id": "1", "content": "apples are red fruit", "metadata": {"colour": "red"}},
    {"id": "2", "content": "bananas are yellow fruit", "metadata": {"colour": "yellow"}},
    {"id": 3, "content": "the ocean is deep and blue"},
]


def test_classic_protocol(db: VectorDB) -> None:
    assert isinstance(db, VectorDB)
    assert db.type in ("chroma", "qdrant", "pgvector")
    db.create_collection("fruits")
    assert db.active_collection is not None
    db.insert_docs(DOCS, upsert=False)  # no collection_name: the active collection
    assert db.count("fruits") == 3
    with pytest.raises(ValueError, match="already exist"):
        db.insert_docs(DOCS[:1], "fruits")

    (row,) = db.retrieve_docs(["red apples fruit"], "fruits", n_results=2)
    assert [doc["id"] for doc, _ in row] == ["1", "2"]  # closest first
    assert row[0][0]["metadata"] == {"colour": "red"}
    assert row[0][1] < row[1][1]
    assert (
        db.retrieve_docs(["red apples fruit"], n_results=3, distance_threshold=row[0][1] + 1e-6)[0][0][0]["id"] == "1"
    )
    assert len(db.retrieve_docs(["red apples fruit"], n_results=3, distance_threshold=row[0][1] + 1e-6)[0]) == 1

    docs = db.get_docs_by_ids(["2", 3], collection_name="fruits")
    assert sorted((d["id"], d["content"]) for d in docs) == [
        ("2", "bananas are yellow fruit"),
        ("3", "the ocean is deep and blue"),
    ]
    assert {d["id"] for d in db.get_docs_by_ids()} == {"1", "2", "3"}
    (with_vector,) = db.get_docs_by_ids(["1"], include=["embeddings"])
    assert with_vector["embedding"] == pytest.approx(bag_of_words(["apples are red fruit"])[0], abs=1e-5)
    assert with_vector["content"] == ""  # not asked for
    with pytest.raises(ValueError, match="unknown fields"):
        db.get_docs_by_ids(["1"], include=["colours"])

    db.update_docs([{"id": "2", "content": "bananas are now green", "metadata": {"colour": "green"}}])
    (updated,) = db.get_docs_by_ids(["2"], "fruits")
    assert updated["content"] == "bananas are now green" and updated["metadata"] == {"colour": "green"}
    with pytest.raises(ValueError, match="holds no documents with ids"):
        db.update_docs([{"id": "42", "content": "nothing"}], "fruits")

    db.delete_docs(["1", "404"], "fruits")
    assert db.count("fruits") == 2
    assert db.get_docs_by_ids(["1"], "fruits") == []


def test_precomputed_embeddings_are_used(db: VectorDB) -> None:
    db.create_collection("fruits")
    own = [0.0] * WORDS
    own[0] = 1.0
    db.insert_docs([{"id": "x", "content": "text whose vector is given", "embedding": own}], "fruits")
    (doc,) = db.get_docs_by_ids(["x"], "fruits", include=["documents", "embeddings"])
    assert doc["embedding"] == pytest.approx(own)
    assert doc["content"] == "text whose vector is given"


def test_collections(db: VectorDB) -> None:
    with pytest.raises(CollectionNotFoundError, match="'fruits' does not exist"):
        db.get_collection("fruits")
    db.create_collection("fruits")
    db.insert_docs(DOCS[:1], "fruits")
    with pytest.raises(CollectionExistsError, match="already exists"):
        db.create_collection("fruits", overwrite=False, get_or_create=False)
    db.create_collection("fruits", get_or_create=True)
    assert db.count("fruits") == 1
    db.create_collection("fruits", overwrite=True)
    assert db.count("fruits") == 0
    assert db.get_collection() is not None  # the active one
    db.delete_collection("fruits")
    assert not db.collection_exists("fruits")
    with pytest.raises(ValueError, match="no active collection"):
        db.insert_docs(DOCS)


def test_factory_rejects_unknown_types() -> None:
    with pytest.raises(ValueError, match="Unsupported vector database type: 'mongodb'.*Atlas"):
        VectorDBFactory.create_vector_database("mongodb")
    assert VectorDBFactory.PREDEFINED_VECTOR_DB == ["chroma", "pgvector", "qdrant"]


def test_qdrant_classic_constructor_arguments() -> None:
    qdrant_client = pytest.importorskip("qdrant_client")
    client = qdrant_client.QdrantClient(location=":memory:")
    db = VectorDBFactory.create_vector_database(
        "qdrant",
        client=client,
        embedding_function=bag_of_words,
        content_payload_key="text",
        metadata_payload_key="meta",
        collection_options={"metadata": {"owner": "classic"}},
    )
    db.create_collection("fruits")
    db.insert_docs(DOCS[:1], "fruits")
    (point,) = client.scroll("fruits", with_payload=True)[0]
    assert point.payload["text"] == "apples are red fruit" and point.payload["meta"] == {"colour": "red"}
    assert client.get_collection("fruits").config.metadata == {"owner": "classic"}
    with pytest.raises(ConfigError, match="two different"):
        VectorDBFactory.create_vector_database(
            "qdrant", client=client, content_payload_key="k", metadata_payload_key="k"
        )


def test_pgvector_spaces_and_errors(pg_uri: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    with pytest.raises(ConfigError, match="hnsw:space"):
        VectorDBFactory.create_vector_database("pgvector", connection_string=pg_uri, metadata={"hnsw:space": "dot"})
    with pytest.raises(ConfigError, match="connection_string"):
        VectorDBFactory.create_vector_database("pgvector", embedding_function=bag_of_words)
    conn = psycopg.connect(pg_uri)
    try:
        db = VectorDBFactory.create_vector_database(
            "pgvector", conn=conn, embedding_function=bag_of_words, metadata={"hnsw:space": "l2"}
        )
        db.create_collection("spaces", overwrite=True)
        db.insert_docs(DOCS, "spaces")
        (row,) = db.retrieve_docs(["apples are red fruit"], "spaces", n_results=1, search_string="red")
        assert row[0][0]["id"] == "1" and row[0][1] == pytest.approx(0.0, abs=1e-6)
        (filtered,) = db.retrieve_docs(["apples are red fruit"], "spaces", n_results=3, search_string="ocean")
        assert [d["id"] for d, _ in filtered] == ["3"]
        # the squared Euclidean distance of two unit vectors sharing no word is 2
        assert filtered[0][1] == pytest.approx(2.0, abs=1e-5)
        kinds = conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'spaces'").fetchall()
        assert any("hnsw" in k[0] and "vector_l2_ops" in k[0] for k in kinds)
        db.delete_collection("spaces")
    finally:
        conn.close()


@pytest.mark.usefixtures("collect_cycles")  # the agent closes its connection before the server stops
def test_retrieve_user_proxy_agent_on_pgvector(
    llm_server: Any, llm_config: Dict[str, Any], tmp_path: Path, pg_uri: str
) -> None:
    pytest.importorskip("sentence_transformers")
    from autogen.agentchat.contrib.retrieve_assistant_agent import RetrieveAssistantAgent
    from autogen.agentchat.contrib.retrieve_user_proxy_agent import RetrieveUserProxyAgent

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "zorbland.md").write_text(
        "The capital city of Zorbland is Quixville.\n\nA traditional Zorbland dish is baked turnip.\n", encoding="utf-8"
    )
    proxy = RetrieveUserProxyAgent(
        "ragproxyagent",
        human_input_mode="NEVER",
        code_execution_config=False,
        retrieve_config={
            "task": "qa",
            "docs_path": str(docs),
            "vector_db": "pgvector",
            "db_config": {"connection_string": pg_uri},
            "collection_name": "zorbland",
            "chunk_token_size": 12,
            "context_max_tokens": 15,
            "overwrite": True,
            "get_or_create": True,
        },
    )
    assistant = RetrieveAssistantAgent("assistant", llm_config=llm_config)
    llm_server.script("Quixville.")
    result = proxy.initiate_chat(
        assistant, message=proxy.message_generator, problem="What is the capital of Zorbland?", n_results=2
    )
    assert result.summary == "Quixville."
    prompt = llm_server.chat_requests()[0]["messages"][-1]["content"]
    assert "The capital city of Zorbland is Quixville." in prompt
    assert "baked turnip" not in prompt  # only the closest chunk fits
    assert proxy._vector_db.type == "pgvector"
    assert proxy._vector_db.count("zorbland") == 2  # type: ignore[attr-defined]


def test_classic_utils() -> None:
    from autogen.agentchat.contrib.vectordb.utils import (
        chroma_results_to_query_results,
        filter_results_by_distance,
        get_logger,
    )

    raw = {
        "ids": [["a", "b"]],
        "documents": [["near", "far"]],
        "metadatas": [[{"k": 1}, None]],
        "distances": [[0.1, 0.9]],
    }
    results = chroma_results_to_query_results(raw)
    assert results == [
        [({"id": "a", "content": "near", "metadata": {"k": 1}}, 0.1), ({"id": "b", "content": "far"}, 0.9)]
    ]
    assert [d["id"] for d, _ in filter_results_by_distance(results, 0.5)[0]] == ["a"]
    assert filter_results_by_distance(results) == results
    assert get_logger("autogen.test.vectordb").name == "autogen.test.vectordb"


def test_pgvector_closes_the_connection_it_opened(pg_uri: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    db = VectorDBFactory.create_vector_database("pgvector", connection_string=pg_uri, embedding_function=bag_of_words)
    own = db.conn  # type: ignore[attr-defined]
    db.close()  # type: ignore[attr-defined]
    assert own.closed
    passed = psycopg.connect(pg_uri)
    try:
        with VectorDBFactory.create_vector_database("pgvector", conn=passed, embedding_function=bag_of_words):  # type: ignore[attr-defined]
            pass
        assert not passed.closed  # a connection passed in is the caller's
    finally:
        passed.close()

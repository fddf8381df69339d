"""QdrantRetrieveUserProxyAgent through the local LLM server, with qdrant-client in embedded local mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest

pytest.importorskip("qdrant_client")
pytest.importorskip("sentence_transformers")

from autogen.agentchat.contrib.qdrant_retrieve_user_proxy_agent import (  # noqa: E402
    QdrantRetrieveUserProxyAgent,
    create_qdrant_from_dir,
    query_qdrant,
)
from autogen.agentchat.contrib.retrieve_assistant_agent import RetrieveAssistantAgent  # noqa: E402
from autogen.agentchat.contrib.vectordb.qdrant import QdrantVectorDB  # noqa: E402

FACTS = [
    "The Glimmer moth only flies during thunderstorms.",
    "Basalt towers on Ferro island are six hundred meters tall.",
    "The oldest library of Nemo city holds forty thousand scrolls.",
]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "facts.txt").write_text("\n\n".join(FACTS) + "\n", encoding="utf-8")
    return folder


def prompts(llm_server: Any) -> List[str]:
    return [[m["content"] for m in b["messages"] if m["role"] == "user"][-1] for b in llm_server.chat_requests()]


def make_agents(llm_config: Dict[str, Any], docs: Path, **config: Any) -> tuple[QdrantRetrieveUserProxyAgent, Any]:
    proxy = QdrantRetrieveUserProxyAgent(
        "qdrantagent",
        human_input_mode="NEVER",
        code_execution_config=False,
        retrieve_config={
            "task": "qa",
            "docs_path": str(docs),
            "chunk_token_size": 20,
            "context_max_tokens": 20,
            "collection_name": "facts",
            **config,
        },
    )
    return proxy, RetrieveAssistantAgent("assistant", llm_config=llm_config)


def test_rag_chat_with_update_context_and_a_second_run(
    llm_server: Any, llm_config: Dict[str, Any], docs: Path, tmp_path: Path
) -> None:
    llm_server.script("UPDATE CONTEXT", "They fly in thunderstorms.")
    db_config = {"path": str(tmp_path / "qdrant")}
    proxy, assistant = make_agents(llm_config, docs, db_config=db_config, on_disk=True, parallel=2)
    assert isinstance(proxy._vector_db, QdrantVectorDB)
    result = proxy.initiate_chat(
        assistant, message=proxy.message_generator, problem="When does the Glimmer moth fly?", n_results=2
    )
    first, second = prompts(llm_server)
    assert FACTS[0] in first and FACTS[1] not in first and FACTS[2] not in first
    assert FACTS[0] not in second and any(f in second for f in FACTS[1:])
    assert result.summary == "They fly in thunderstorms."
    assert proxy._vector_db.count("facts") == 3

    # a second agent on the same folder reuses the stored collection
    llm_server.script("Forty thousand.")
    proxy2, assistant2 = make_agents(llm_config, docs, db_config=db_config, docs_path=None)
    proxy2.initiate_chat(assistant2, message=proxy2.message_generator, problem="How many scrolls are in the library?")
    assert FACTS[2] in prompts(llm_server)[-1]
    assert proxy2._vector_db.count("facts") == 3


def test_in_memory_by_default_and_search_string(llm_server: Any, llm_config: Dict[str, Any], docs: Path) -> None:
    llm_server.responder = lambda body: "ok"
    proxy, assistant = make_agents(llm_config, docs)
    proxy.initiate_chat(
        assistant, message=proxy.message_generator, problem="When does the moth fly?", search_string="Basalt"
    )
    assert FACTS[1] in prompts(llm_server)[-1] and FACTS[0] not in prompts(llm_server)[-1]


def test_classic_helpers(docs: Path, tmp_path: Path) -> None:
    from qdrant_client import QdrantClient

    client = QdrantClient(path=str(tmp_path / "helpers"))
    try:
        create_qdrant_from_dir(str(docs), max_tokens=20, client=client, collection_name="helpers")
        create_qdrant_from_dir(str(docs), max_tokens=20, client=client, collection_name="helpers")  # idempotent
        results = query_qdrant(["tall towers on an island"], n_results=2, client=client, collection_name="helpers")
        assert results["documents"][0][0] == FACTS[1]
        assert len(results["ids"][0]) == 2 and results["distances"][0][0] <= results["distances"][0][1]
        assert client.count("helpers").count == 3
    finally:
        client.close()


def test_the_client_made_by_create_qdrant_from_dir_is_the_callers(docs: Path) -> None:
    client = create_qdrant_from_dir(str(docs), max_tokens=20, collection_name="mine")
    try:  # the store of the call is gone, the in-memory client it returned is open and holds the documents
        assert client.count("mine").count == 3
        results = query_qdrant(["tall towers on an island"], n_results=1, client=client, collection_name="mine")
        assert results["documents"][0][0] == FACTS[1]
    finally:
        client.close()


def test_qdrant_is_the_default_store() -> None:
    from autogen.agentchat.contrib.rag.config import RetrieveConfig

    assert QdrantRetrieveUserProxyAgent().retrieve_config.vector_db == "qdrant"
    assert QdrantRetrieveUserProxyAgent(retrieve_config=RetrieveConfig()).retrieve_config.vector_db == "qdrant"
    agent = QdrantRetrieveUserProxyAgent(
        retrieve_config={"hnsw_config": None, "on_disk": True, "db_config": {"path": "x"}}
    )
    assert agent.retrieve_config.db_config == {"path": "x", "hnsw_config": None, "on_disk": True}

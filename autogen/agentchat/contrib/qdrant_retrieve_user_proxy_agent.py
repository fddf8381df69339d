"""QdrantRetrieveUserProxyAgent: retrieval-augmented chat on Qdrant (``pip install "pyautogen[retrievechat-qdrant]"``).

The same agent as :class:`~autogen.agentchat.contrib.retrieve_user_proxy_agent.RetrieveUserProxyAgent`, with
Qdrant as its vector store: qdrant-client's embedded local mode, in memory by default
(``db_config={"path": "tmp/qdrant"}`` for a folder that persists), or the ``client`` given
(``qdrant_client.QdrantClient``, e.g. for a server). The classic Qdrant keys of ``retrieve_config`` are
accepted: ``on_disk``, ``hnsw_config``, ``quantization_config``, ``payload_indexing`` (``parallel`` is accepted
and has no effect). Texts are embedded locally (all-MiniLM-L6-v2 by default, or ``embedding_function`` /
``embedding_model``), not with fastembed, which downloads its models.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Dict, List, Literal, Optional, Sequence, Union

from .rag.config import RetrieveConfig
from .rag.embeddings import DEFAULT_EMBEDDING_MODEL
from .rag.extract import TEXT_FORMATS
from .rag.ingest import ChunkingOptions, prepare_collection
from .retrieve_user_proxy_agent import RetrieveUserProxyAgent
from .vectordb.base import results_to_dict

__all__ = ["QdrantRetrieveUserProxyAgent", "create_qdrant_from_dir", "query_qdrant"]

QDRANT_KEYS = ("on_disk", "hnsw_config", "quantization_config", "payload_indexing")
IGNORED_KEYS = ("parallel",)
DEFAULT_COLLECTION = "all-my-documents"


class QdrantRetrieveUserProxyAgent(RetrieveUserProxyAgent):
    """A RetrieveUserProxyAgent whose documents live in Qdrant (see the module doc)."""

    DEFAULT_VECTOR_DB = "qdrant"
    _IGNORED_CONFIG_KEYS = IGNORED_KEYS

    def __init__(
        self,
        name: str = "RetrieveChatAgent",
        human_input_mode: Literal["ALWAYS", "NEVER", "TERMINATE"] = "ALWAYS",
        is_termination_msg: Optional[Callable[[Dict[str, Any]], bool]] = None,
        retrieve_config: Optional[Union[Dict[str, Any], RetrieveConfig]] = None,
        **kwargs: Any,
    ):
        super().__init__(name, human_input_mode, is_termination_msg, retrieve_config, **kwargs)

    def _prepare_retrieve_config(self, retrieve_config: Any) -> Any:
        if isinstance(retrieve_config, RetrieveConfig):
            if retrieve_config.vector_db == "chroma":  # the default of the dataclass, not a choice
                return dataclasses.replace(retrieve_config, vector_db="qdrant")
            return retrieve_config
        if retrieve_config is None:
            retrieve_config = {}
        config = {k: v for k, v in retrieve_config.items() if k not in QDRANT_KEYS}
        db_config = dict(config.get("db_config") or {})
        for key in QDRANT_KEYS:
            if key in retrieve_config:
                db_config.setdefault(key, retrieve_config[key])
        config["db_config"] = db_config
        return super()._prepare_retrieve_config(config)


def _qdrant_db(
    client: Any, embedding_model: str, embedding_function: Optional[Callable[..., Any]], **kwargs: Any
) -> Any:
    from .vectordb.qdrant import QdrantVectorDB

    return QdrantVectorDB(
        client=client, embedding_model=embedding_model, embedding_function=embedding_function, **kwargs
    )


def create_qdrant_from_dir(
    dir_path: Union[str, List[str]],
    max_tokens: int = 4000,
    client: Any = None,
    collection_name: str = DEFAULT_COLLECTION,
    chunk_mode: str = "multi_lines",
    must_break_at_empty_line: bool = True,
    embedding_model: str = DEFAULT_EMBEDDING_MODEL,
    custom_text_split_function: Optional[Callable[[str], List[str]]] = None,
    custom_text_types: Sequence[str] = TEXT_FORMATS,
    recursive: bool = True,
    extra_docs: bool = False,
    parallel: int = 0,
    on_disk: bool = False,
    quantization_config: Any = None,
    hnsw_config: Any = None,
    payload_indexing: bool = False,
    qdrant_client_options: Optional[Dict[str, Any]] = None,
    embedding_function: Optional[Callable[..., Any]] = None,
) -> Any:
    """Load the documents of ``dir_path`` into the Qdrant collection (created if needed, new chunks added
    otherwise) and return the QdrantClient (``client``, else a new in-memory one made with ``qdrant_client_options``,
    the caller's). ``extra_docs`` and ``parallel`` are kept for compatibility."""
    if client is None:  # returned to the caller: it outlives this call's store
        from .vectordb.qdrant import qdrant_client

        client = qdrant_client(**(qdrant_client_options or {}))
    db = _qdrant_db(
        client,
        embedding_model,
        embedding_function,
        on_disk=on_disk,
        quantization_config=quantization_config,
        hnsw_config=hnsw_config,
        payload_indexing=payload_indexing,
        client_options=qdrant_client_options,
    )
    options = ChunkingOptions(
        max_tokens=max_tokens,
        chunk_mode=chunk_mode,
        must_break_at_empty_line=must_break_at_empty_line,
        custom_text_split_function=custom_text_split_function,
        custom_text_types=tuple(custom_text_types),
        recursive=recursive,
    )
    prepare_collection(db, collection_name, dir_path, get_or_create=True, options=options)
    return db.client


def query_qdrant(
    query_texts: List[str],
    n_results: int = 10,
    client: Any = None,
    collection_name: str = DEFAULT_COLLECTION,
    search_string: str = "",
    embedding_model: str = DEFAULT_EMBEDDING_MODEL,
    qdrant_client_options: Optional[Dict[str, Any]] = None,
    embedding_function: Optional[Callable[..., Any]] = None,
) -> Dict[str, List[List[Any]]]:
    """The chunks nearest to each query text, as a chromadb-style dict (``ids``, ``documents``,
    ``metadatas``, ``distances``)."""
    db = _qdrant_db(client, embedding_model, embedding_function, client_options=qdrant_client_options)
    return results_to_dict(db.retrieve_docs(query_texts, collection_name, n_results, search_string=search_string))

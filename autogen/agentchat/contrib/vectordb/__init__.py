"""Vector stores behind one small protocol (:class:`~.base.VectorDB`): chromadb, Qdrant and PostgreSQL/pgvector.

Nothing heavy is imported here; a back end imports its client library when it is created. MongoDB Atlas vector
search is left out (it needs the Atlas cloud service; see docs/compatibility.md).
"""

from __future__ import annotations

from typing import Any, List

from .base import (
    Document,
    ItemID,
    Metadata,
    QueryResults,
    Vector,
    VectorDB,
    VectorDBFactory,
    chunk_id,
    make_documents,
    results_to_dict,
    to_query_results,
)

__all__ = [
    "VECTOR_DBS",
    "Document",
    "ItemID",
    "Metadata",
    "QueryResults",
    "Vector",
    "VectorDB",
    "VectorDBFactory",
    "chunk_id",
    "create_vector_db",
    "make_documents",
    "results_to_dict",
    "to_query_results",
]

VECTOR_DBS = ("chroma", "pgvector", "qdrant")
_ALIASES = {"chroma": "chroma", "chromadb": "chroma", "pgvector": "pgvector", "pgvectordb": "pgvector"}
_ALIASES.update({"qdrant": "qdrant", "qdrantdb": "qdrant"})


def create_vector_db(kind: str = "chroma", **kwargs: Any) -> VectorDB:
    """A vector store by name: ``"chroma"`` (:class:`~.chromadb.ChromaVectorDB`), ``"pgvector"``
    (:class:`~.pgvectordb.PGVectorDB`) or ``"qdrant"`` (:class:`~.qdrant.QdrantVectorDB`); ``kwargs`` go to
    its constructor. Unknown names raise ConfigError (a ValueError)."""
    name = _ALIASES.get(kind.lower()) if isinstance(kind, str) else None
    if name == "chroma":
        from .chromadb import ChromaVectorDB

        return ChromaVectorDB(**kwargs)
    if name == "pgvector":
        from .pgvectordb import PGVectorDB

        return PGVectorDB(**kwargs)
    if name == "qdrant":
        from .qdrant import QdrantVectorDB

        return QdrantVectorDB(**kwargs)
    from ..rag.errors import ConfigError

    hint = " (MongoDB Atlas is not supported: it needs the Atlas cloud service)" if kind == "mongodb" else ""
    raise ConfigError(
        f"Unsupported vector database type: {kind!r}{hint}. Valid types are {', '.join(VECTOR_DBS)}; "
        "or pass a VectorDB instance."
    )

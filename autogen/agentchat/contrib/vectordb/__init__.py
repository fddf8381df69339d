"""Vector stores behind one small protocol (:class:`~.base.VectorDB`): chromadb and Qdrant.

Nothing heavy is imported here; a back end imports its client library when it is created.
"""

from __future__ import annotations

from typing import Any

from .base import Document, QueryResults, VectorDB, chunk_id, make_documents, results_to_dict, to_query_results

__all__ = [
    "VECTOR_DBS",
    "Document",
    "QueryResults",
    "VectorDB",
    "chunk_id",
    "create_vector_db",
    "make_documents",
    "results_to_dict",
    "to_query_results",
]

VECTOR_DBS = ("chroma", "qdrant")


def create_vector_db(kind: str = "chroma", **kwargs: Any) -> VectorDB:
    """A vector store by name: ``"chroma"`` (:class:`~.chromadb.ChromaVectorDB`) or ``"qdrant"``
    (:class:`~.qdrant.QdrantVectorDB`); ``kwargs`` go to its constructor."""
    if kind in ("chroma", "chromadb"):
        from .chromadb import ChromaVectorDB

        return ChromaVectorDB(**kwargs)
    if kind == "qdrant":
        from .qdrant import QdrantVectorDB

        return QdrantVectorDB(**kwargs)
    from ..rag.errors import ConfigError

    raise ConfigError(f"Unknown vector_db {kind!r}: use one of {', '.join(VECTOR_DBS)}, or pass a VectorDB instance.")

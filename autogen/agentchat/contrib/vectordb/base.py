"""The vector-store protocol retrieval is written against, and the data it exchanges.

A store keeps named collections of :class:`Document` s, embeds them with its embedding function and
returns, for each query text, the nearest documents with their distance (smaller is closer; for the
default cosine space, ``1 - cosine similarity``). Back ends: ``chromadb.ChromaVectorDB`` and
``qdrant.QdrantVectorDB``; :func:`autogen.agentchat.contrib.vectordb.create_vector_db` makes one by name.
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any, Dict, Iterable, List, Optional, Protocol, Sequence, Set, Tuple, runtime_checkable

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:  # pragma: no cover - older Pythons
    from typing_extensions import NotRequired, TypedDict

__all__ = [
    "Document",
    "QueryResults",
    "VectorDB",
    "chunk_id",
    "make_documents",
    "results_to_dict",
    "to_query_results",
]


class Document(TypedDict):
    """A piece of text in a collection."""

    id: str
    content: str
    metadata: NotRequired[Dict[str, Any]]


QueryResults = List[List[Tuple[Document, float]]]
"""For each query, ``(document, distance)`` pairs, closest first."""


def chunk_id(content: str) -> str:
    """A stable id for a chunk: the same text always gets the same id, so loading is idempotent."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:32]


def make_documents(chunks: Sequence[str], metadatas: Optional[Sequence[Dict[str, Any]]] = None) -> List[Document]:
    """Documents for ``chunks`` (ids from their content; a repeated chunk appears once)."""
    docs: Dict[str, Document] = {}
    for i, chunk in enumerate(chunks):
        doc: Document = {"id": chunk_id(chunk), "content": chunk}
        if metadatas is not None and metadatas[i]:
            doc["metadata"] = dict(metadatas[i])
        docs.setdefault(doc["id"], doc)
    return list(docs.values())


def to_query_results(results: Any) -> QueryResults:
    """Results in the :data:`QueryResults` shape, also from the chromadb-style dict
    (``{"ids": [[...]], "documents": [[...]], "distances": [[...]], "metadatas": [[...]]}``) that
    classic code and ``query_vector_db`` use."""
    if isinstance(results, dict):
        ids = results.get("ids") or []
        documents = results.get("documents") or [[] for _ in ids]
        distances = results.get("distances") or [[0.0] * len(row) for row in ids]
        metadatas = results.get("metadatas") or [[None] * len(row) for row in ids]
        out: QueryResults = []
        for q, row in enumerate(ids):
            pairs: List[Tuple[Document, float]] = []
            for i, doc_id in enumerate(row):
                doc: Document = {"id": str(doc_id), "content": documents[q][i] or ""}
                if metadatas[q] and metadatas[q][i]:
                    doc["metadata"] = dict(metadatas[q][i])
                pairs.append((doc, float(distances[q][i])))
            out.append(pairs)
        return out
    return [list(row) for row in results or []]


def results_to_dict(results: QueryResults) -> Dict[str, List[List[Any]]]:
    """The chromadb-style dict of ``results`` (``ids``, ``documents``, ``metadatas``, ``distances``)."""
    return {
        "ids": [[doc["id"] for doc, _ in row] for row in results],
        "documents": [[doc["content"] for doc, _ in row] for row in results],
        "metadatas": [[doc.get("metadata") or {} for doc, _ in row] for row in results],
        "distances": [[distance for _, distance in row] for row in results],
    }


@runtime_checkable
class VectorDB(Protocol):
    """A store of embedded documents in named collections."""

    def collection_exists(self, collection_name: str) -> bool:
        """Whether a collection of that name exists."""
        ...

    def create_collection(self, collection_name: str, overwrite: bool = False, get_or_create: bool = True) -> Any:
        """Create the collection. When it exists: ``overwrite`` empties it (deleted and created again), else
        ``get_or_create`` returns it as it is, else CollectionExistsError is raised."""
        ...

    def delete_collection(self, collection_name: str) -> None:
        """Delete the collection (nothing happens when it does not exist)."""
        ...

    def existing_ids(self, ids: Iterable[str], collection_name: str) -> Set[str]:
        """Which of ``ids`` the collection holds."""
        ...

    def insert_docs(self, docs: Sequence[Document], collection_name: str, upsert: bool = False) -> None:
        """Embed and add ``docs`` (replacing documents with the same id when ``upsert``)."""
        ...

    def retrieve_docs(
        self,
        queries: Sequence[str],
        collection_name: str,
        n_results: int = 10,
        distance_threshold: float = -1,
        search_string: str = "",
    ) -> QueryResults:
        """For each query, the ``n_results`` nearest documents, closest first; only those containing
        ``search_string`` when it is given, only those within ``distance_threshold`` when it is >= 0."""
        ...

    def get_docs_by_ids(self, ids: Optional[Sequence[str]], collection_name: str) -> List[Document]:
        """The documents with these ids (all documents when ``ids`` is None)."""
        ...

    def count(self, collection_name: str) -> int:
        """How many documents the collection holds."""
        ...

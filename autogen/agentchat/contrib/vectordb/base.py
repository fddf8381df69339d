"""The vector-store protocol retrieval is written against, and the data it exchanges.

A store keeps named collections of :class:`Document` s, embeds them with its embedding function and
returns, for each query text, the nearest documents with their distance (smaller is closer; for the
default cosine space, ``1 - cosine similarity``). Back ends: ``chromadb.ChromaVectorDB``,
``qdrant.QdrantVectorDB`` and ``pgvectordb.PGVectorDB``; ``VectorDBFactory.create_vector_database`` (and
:func:`autogen.agentchat.contrib.vectordb.create_vector_db`) makes one by name.

Every method takes the classic optional ``collection_name`` (None: the active collection, the last one created or
got) and ``**kwargs``, so code written for the classic protocol runs unchanged.
"""

from __future__ import annotations

import hashlib
import sys
import weakref
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Set,
    Tuple,
    Union,
    runtime_checkable,
)

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:  # pragma: no cover - older Pythons
    from typing_extensions import NotRequired, TypedDict

__all__ = [
    "Document",
    "ItemID",
    "Metadata",
    "QueryResults",
    "Vector",
    "VectorDB",
    "VectorDBBase",
    "VectorDBFactory",
    "check_include",
    "chunk_id",
    "make_documents",
    "results_to_dict",
    "shape_document",
    "to_query_results",
]


ItemID = Union[str, int]
"""The id of a document (stores keep it as text)."""
Metadata = Union[Mapping[str, Any], None]
"""The metadata of a document: a mapping of JSON-like values, or None."""
Vector = Union[Sequence[float], Sequence[int]]
"""An embedding."""


class Document(TypedDict):
    """A piece of text in a collection, with its metadata and (optionally) its precomputed embedding."""

    id: ItemID
    content: str
    metadata: NotRequired[Metadata]
    embedding: NotRequired[Optional[Vector]]


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
        docs.setdefault(str(doc["id"]), doc)
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
    """A store of embedded documents in named collections (the classic protocol, plus ``collection_exists``,
    ``existing_ids`` and ``count``)."""

    active_collection: Any
    type: str
    embedding_function: Callable[..., Any]

    def collection_exists(self, collection_name: str) -> bool:
        """Whether a collection of that name exists."""
        ...

    def create_collection(self, collection_name: str, overwrite: bool = False, get_or_create: bool = True) -> Any:
        """Create the collection and make it the active one. When it exists: ``overwrite`` empties it (deleted and
        created again), else ``get_or_create`` returns it as it is, else CollectionExistsError is raised."""
        ...

    def get_collection(self, collection_name: Optional[str] = None) -> Any:
        """The collection (None: the active one), made the active one; CollectionNotFoundError when absent."""
        ...

    def delete_collection(self, collection_name: str) -> Any:
        """Delete the collection (nothing happens when it does not exist)."""
        ...

    def existing_ids(self, ids: Iterable[ItemID], collection_name: Optional[str] = None) -> Set[str]:
        """Which of ``ids`` the collection holds."""
        ...

    def insert_docs(
        self, docs: Sequence[Document], collection_name: Optional[str] = None, upsert: bool = False, **kwargs: Any
    ) -> None:
        """Add ``docs``, embedded with the store's function unless they carry an ``embedding`` (replacing documents
        with the same id when ``upsert``; else an existing id is a ValueError)."""
        ...

    def update_docs(self, docs: Sequence[Document], collection_name: Optional[str] = None, **kwargs: Any) -> None:
        """Replace existing documents (ValueError naming the ids the collection does not hold)."""
        ...

    def delete_docs(self, ids: Sequence[ItemID], collection_name: Optional[str] = None, **kwargs: Any) -> None:
        """Delete the documents with these ids (ids not held are ignored)."""
        ...

    def retrieve_docs(
        self,
        queries: Sequence[str],
        collection_name: Optional[str] = None,
        n_results: int = 10,
        distance_threshold: float = -1,
        **kwargs: Any,
    ) -> QueryResults:
        """For each query, the ``n_results`` nearest documents, closest first; only those within
        ``distance_threshold`` when it is >= 0; only those containing ``search_string=`` when it is given."""
        ...

    def get_docs_by_ids(
        self,
        ids: Optional[Sequence[ItemID]] = None,
        collection_name: Optional[str] = None,
        include: Optional[Sequence[str]] = None,
        **kwargs: Any,
    ) -> List[Document]:
        """The documents with these ids (all documents when ``ids`` is None). ``include`` names the fields
        returned besides id: any of "documents" (content), "metadatas", "embeddings"; default: the first two."""
        ...

    def count(self, collection_name: Optional[str] = None) -> int:
        """How many documents the collection holds."""
        ...


DEFAULT_INCLUDE = ("documents", "metadatas")
_INCLUDE_CHOICES = frozenset({"documents", "metadatas", "embeddings", "distances"})


def check_include(include: Optional[Sequence[str]]) -> Set[str]:
    """The fields ``get_docs_by_ids`` returns: ``include`` (default: documents and metadatas), checked."""
    fields = set(DEFAULT_INCLUDE if include is None else include)
    unknown = fields - _INCLUDE_CHOICES
    if unknown:
        raise ValueError(
            f"include has unknown fields {sorted(unknown)}: use any of 'documents', 'metadatas', 'embeddings'."
        )
    return fields


def shape_document(doc_id: ItemID, content: Any, metadata: Any, embedding: Any, fields: Set[str]) -> Document:
    """A Document with the fields ``get_docs_by_ids`` was asked for (content is '' when not asked)."""
    doc: Document = {"id": str(doc_id), "content": (content or "") if "documents" in fields else ""}
    if "metadatas" in fields and metadata:
        doc["metadata"] = dict(metadata)
    if "embeddings" in fields and embedding is not None:
        doc["embedding"] = [float(x) for x in (embedding.tolist() if hasattr(embedding, "tolist") else embedding)]
    return doc


class VectorDBBase:
    """What every back end shares: the active collection (the classic optional ``collection_name``), vectors for
    documents that may carry their own embedding, and ``update_docs`` on top of ``existing_ids``/``insert_docs``."""

    type: str = ""
    active_collection: Any = None
    embedding_function: Callable[..., Any]  # set by each back end's constructor
    _active_name: Optional[str] = None
    _finalizer: Optional[weakref.finalize] = None
    _when_closed: Dict[str, Any] = {}
    _closed: bool = False

    def _release_on_close(self, release: Callable[..., Any], *args: Any, **when_closed: Any) -> None:
        """Call ``release(*args)`` (close what the store opened) when the store is garbage-collected, and
        ``release(*args, **when_closed)`` when it is closed: a finalizer must not wait (it may run on an event loop's
        thread), an explicit ``close()`` may (``wait=True``). ``args`` must not refer to the store."""
        self._finalizer = weakref.finalize(self, release, *args)
        self._when_closed = when_closed

    def close(self) -> None:
        """Give back what the store opened (files, connections); a client or connection passed in stays open, and
        a client shared with other stores closes with the last of them. Closing twice does nothing."""
        self._closed = True
        self.active_collection = None
        detached = self._finalizer.detach() if self._finalizer is not None else None  # None once run
        if detached is not None:
            _, release, args, _ = detached
            release(*args, **self._when_closed)

    def __enter__(self) -> VectorDBBase:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError(f"This {type(self).__name__} is closed: make a new store to use the database again.")

    def _resolve(self, collection_name: Optional[str]) -> str:
        if collection_name:
            return collection_name
        if self._active_name:
            return self._active_name
        raise ValueError(
            "No collection_name was given and there is no active collection: pass collection_name, or call "
            "create_collection(name) or get_collection(name) first."
        )

    def _activate(self, collection_name: str, collection: Any) -> Any:
        self._active_name = collection_name
        self.active_collection = collection
        return collection

    def _forget(self, collection_name: str) -> None:
        if self._active_name == collection_name:
            self._active_name = None
            self.active_collection = None

    def _vectors(self, docs: Sequence[Document]) -> List[List[float]]:
        """One vector per document: its own ``embedding`` when it has one, else the embedding function's."""
        from ..rag.embeddings import embed

        missing = [i for i, doc in enumerate(docs) if doc.get("embedding") is None]
        computed = iter(embed(self.embedding_function, [docs[i]["content"] for i in missing]) if missing else [])
        vectors: List[List[float]] = []
        for doc in docs:
            own = doc.get("embedding")
            vectors.append([float(x) for x in own] if own is not None else next(computed))
        return vectors

    def existing_ids(self, ids: Iterable[ItemID], collection_name: Optional[str] = None) -> Set[str]:
        raise NotImplementedError

    def _refuse_existing(self, docs: Sequence[Document], collection_name: str) -> None:
        """ValueError when the collection already holds one of ``docs`` (insert_docs without upsert)."""
        clashes = self.existing_ids((d["id"] for d in docs), collection_name)
        if clashes:
            raise ValueError(
                f"Documents with these ids already exist in {collection_name!r} (use upsert=True or update_docs): "
                f"{sorted(clashes)[:5]}"
            )

    def insert_docs(
        self, docs: Sequence[Document], collection_name: Optional[str] = None, upsert: bool = False, **kwargs: Any
    ) -> None:
        raise NotImplementedError

    def update_docs(self, docs: Sequence[Document], collection_name: Optional[str] = None, **kwargs: Any) -> None:
        name = self._resolve(collection_name)
        held = self.existing_ids((d["id"] for d in docs), name)
        missing = [str(d["id"]) for d in docs if str(d["id"]) not in held]
        if missing:
            raise ValueError(
                f"update_docs: the collection {name!r} holds no documents with ids {missing[:5]}; "
                "add them with insert_docs (or upsert=True)."
            )
        self.insert_docs(docs, name, upsert=True)


class VectorDBFactory:
    """The classic factory of vector stores (``create_vector_db`` in the package's own code)."""

    PREDEFINED_VECTOR_DB: List[str] = ["chroma", "pgvector", "qdrant"]

    @staticmethod
    def create_vector_db(db_type: str, **kwargs: Any) -> VectorDB:
        """A vector store of type ``db_type`` ("chroma", "pgvector", "qdrant"), ``kwargs`` going to its constructor.
        Unknown types raise ValueError."""
        from . import create_vector_db

        return create_vector_db(db_type, **kwargs)

    create_vector_database = create_vector_db  # the name later classic releases use

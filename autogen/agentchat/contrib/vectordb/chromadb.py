"""The chromadb back end (embedded; persistent when given a path). Needs ``pyautogen[retrievechat]``.

Embeddings are computed here with the store's embedding function and handed to chromadb, so chromadb's
own default embedding (which downloads a model) is never used.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set

from ..rag.embeddings import embed, resolve_embedding_function
from ..rag.errors import CollectionExistsError, CollectionNotFoundError, ConfigError
from ._chroma_clients import chroma_client, close_client
from .base import Document, ItemID, QueryResults, VectorDBBase, check_include, shape_document

__all__ = ["ChromaVectorDB", "chroma_client"]

DISTANCES = ("cosine", "l2", "ip")
DEFAULT_PATH = "tmp/db"  # the classic default folder of a store made without a path
BATCH_SIZE = 256


class ChromaVectorDB(VectorDBBase):
    """A :class:`~autogen.agentchat.contrib.vectordb.base.VectorDB` on chromadb.

    Args:
        client: a chromadb client to use (left open by :meth:`close`); else one is made for ``path``.
        path: folder of a persistent database, whose files stay open until the store is closed or garbage-collected
            (default ``tmp/db`` under the working folder, as classic; None: in memory, gone when the process ends).
        embedding_function: ``texts -> vectors``; default: the local all-MiniLM-L6-v2 (or ``embedding_model``).
        embedding_model: name or folder of a sentence-transformers model, when no embedding_function is given.
        distance: "cosine" (default), "l2" (squared Euclidean) or "ip" (1 - inner product).
        metadata: extra collection metadata (e.g. HNSW settings) for new collections.
    """

    def __init__(
        self,
        *,
        client: Any = None,
        path: Optional[str] = DEFAULT_PATH,
        embedding_function: Optional[Callable[..., Any]] = None,
        embedding_model: Optional[str] = None,
        distance: str = "cosine",
        metadata: Optional[Dict[str, Any]] = None,
    ) -> None:
        if distance not in DISTANCES:
            raise ConfigError(f"distance must be one of {', '.join(DISTANCES)}, got {distance!r}.")
        if client is None:
            client = chroma_client(path)
            if path:  # the store's own client: closed with the store (the folder's files with its last client)
                self._release_on_close(close_client, client, wait=True)
        self.client = client
        self.embedding_function = resolve_embedding_function(embedding_function, embedding_model)
        self.distance = distance
        self.metadata = {**(metadata or {}), "hnsw:space": distance}

    type = "chroma"

    # ---------------------------------------------------------------------------------- collections --
    def collection_exists(self, collection_name: str) -> bool:
        self._check_open()
        for item in self.client.list_collections():
            if getattr(item, "name", item) == collection_name:
                return True
        return False

    def create_collection(self, collection_name: str, overwrite: bool = False, get_or_create: bool = True) -> Any:
        if self.collection_exists(collection_name):
            if overwrite:
                self.client.delete_collection(collection_name)
            elif get_or_create:
                return self.get_collection(collection_name)
            else:
                raise CollectionExistsError(
                    f"The collection {collection_name!r} already exists. Pass get_or_create=True to use it, or "
                    "overwrite=True to rebuild it."
                )
        collection = self.client.create_collection(collection_name, embedding_function=None, metadata=self.metadata)
        return self._activate(collection_name, collection)

    def get_collection(self, collection_name: Optional[str] = None) -> Any:
        name = self._resolve(collection_name)
        if not self.collection_exists(name):
            raise CollectionNotFoundError(f"The collection {name!r} does not exist.")
        return self._activate(name, self.client.get_collection(name, embedding_function=None))

    def delete_collection(self, collection_name: str) -> None:
        if self.collection_exists(collection_name):
            self.client.delete_collection(collection_name)
        self._forget(collection_name)

    def count(self, collection_name: Optional[str] = None) -> int:
        return int(self.get_collection(collection_name).count())

    # ------------------------------------------------------------------------------------ documents --
    def existing_ids(self, ids: Iterable[ItemID], collection_name: Optional[str] = None) -> Set[str]:
        wanted = list(dict.fromkeys(str(i) for i in ids))
        if not wanted:
            return set()
        collection = self.get_collection(collection_name)
        found: Set[str] = set()
        for i in range(0, len(wanted), BATCH_SIZE):
            found.update(collection.get(ids=wanted[i : i + BATCH_SIZE], include=[])["ids"])
        return found

    def insert_docs(
        self, docs: Sequence[Document], collection_name: Optional[str] = None, upsert: bool = False, **kwargs: Any
    ) -> None:
        collection = self.get_collection(collection_name)
        if not upsert:
            self._refuse_existing(docs, collection.name)
        for i in range(0, len(docs), BATCH_SIZE):
            batch = docs[i : i + BATCH_SIZE]
            arguments: Dict[str, Any] = {
                "ids": [str(doc["id"]) for doc in batch],
                "documents": [doc["content"] for doc in batch],
                "embeddings": self._vectors(batch),
            }
            metadatas = [doc.get("metadata") or None for doc in batch]
            if any(metadatas):
                arguments["metadatas"] = [dict(m) if m else {"source": ""} for m in metadatas]
            (collection.upsert if upsert else collection.add)(**arguments)

    def delete_docs(self, ids: Sequence[ItemID], collection_name: Optional[str] = None, **kwargs: Any) -> None:
        if ids:
            self.get_collection(collection_name).delete(ids=[str(i) for i in ids])

    def retrieve_docs(
        self,
        queries: Sequence[str],
        collection_name: Optional[str] = None,
        n_results: int = 10,
        distance_threshold: float = -1,
        search_string: str = "",
        **kwargs: Any,
    ) -> QueryResults:
        collection = self.get_collection(collection_name)
        if not queries:
            return []
        arguments: Dict[str, Any] = {
            "query_embeddings": embed(self.embedding_function, list(queries)),
            "n_results": max(1, int(n_results)),
            "include": ["documents", "metadatas", "distances"],
        }
        if search_string:
            arguments["where_document"] = {"$contains": search_string}
        raw = collection.query(**arguments)
        results: QueryResults = []
        for q, ids in enumerate(raw["ids"]):
            metadatas: List[Any] = raw["metadatas"][q] if raw.get("metadatas") else [None] * len(ids)
            row = []
            for i, doc_id in enumerate(ids):
                distance = float(raw["distances"][q][i])
                if distance_threshold >= 0 and distance > distance_threshold:
                    continue
                doc = shape_document(doc_id, raw["documents"][q][i], metadatas[i], None, {"documents", "metadatas"})
                row.append((doc, distance))
            results.append(row)
        return results

    def get_docs_by_ids(
        self,
        ids: Optional[Sequence[ItemID]] = None,
        collection_name: Optional[str] = None,
        include: Optional[Sequence[str]] = None,
        **kwargs: Any,
    ) -> List[Document]:
        fields = check_include(include)
        collection = self.get_collection(collection_name)
        raw = collection.get(
            ids=[str(i) for i in ids] if ids is not None else None,
            include=sorted(fields & {"documents", "metadatas", "embeddings"}),
        )
        found = raw["ids"]
        contents = raw.get("documents") or [""] * len(found)
        metadatas = raw.get("metadatas") or [None] * len(found)
        embeddings = raw.get("embeddings")
        if embeddings is None:
            embeddings = [None] * len(found)
        return [shape_document(*row, fields) for row in zip(found, contents, metadatas, embeddings)]

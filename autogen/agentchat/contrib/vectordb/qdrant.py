"""The Qdrant back end: qdrant-client in embedded local mode (in memory or in a folder), or a Qdrant server.

Needs ``pip install "pyautogen[retrievechat-qdrant]"``. Vectors come from the store's embedding function
(the local all-MiniLM-L6-v2 by default), not from qdrant-client's fastembed integration, which downloads
its models at run time.
"""

from __future__ import annotations

import atexit
import os
import uuid
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set

from ..rag.embeddings import embed, resolve_embedding_function
from ..rag.errors import CollectionExistsError, CollectionNotFoundError, ConfigError, import_extra
from ._shared import SharedClients
from .base import Document, ItemID, QueryResults, VectorDBBase, check_include, shape_document

__all__ = ["QdrantVectorDB", "qdrant_client"]

BATCH_SIZE = 256
_ID_NAMESPACE = uuid.UUID("5f1c3a52-7a8e-4c55-9d5e-0b7a52d4a1e3")  # ids of our points: uuid5(namespace, doc id)


def _close_client(client: Any) -> None:
    try:
        client.close()
    except Exception:  # closing is best effort (at interpreter exit qdrant-client's own clean-up may have run)
        pass


_local_clients = SharedClients(_close_client)  # local-mode clients by folder, shared by the stores using them
atexit.register(_local_clients.close_all)  # before the interpreter tears down (their __del__ fails that late)


def _qdrant(feature: str = "The Qdrant vector store") -> Any:
    return import_extra("qdrant_client", package="qdrant-client", extra="retrievechat-qdrant", feature=feature)


def _local_client(module: Any, key: str, options: Dict[str, Any]) -> Any:
    """The local-mode client of folder ``key``, counted as one more user (release it with ``_local_clients``)."""
    return _local_clients.acquire(key, lambda: module.QdrantClient(path=key, **options))


def qdrant_client(path: Optional[str] = None, location: Optional[str] = None, **options: Any) -> Any:
    """A QdrantClient: local mode in ``path`` (one client per folder per process, since local mode locks the folder;
    the one the stores on that folder use, open until the process ends), else a new one at ``location``
    (":memory:" by default, or a server URL), with ``options``."""
    module = _qdrant()
    if path:
        return _local_client(module, os.path.abspath(path), options)
    return module.QdrantClient(location=location or ":memory:", **options)


def _point_id(doc_id: ItemID) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, str(doc_id)))


class QdrantVectorDB(VectorDBBase):
    """A :class:`~autogen.agentchat.contrib.vectordb.base.VectorDB` on Qdrant.

    Args:
        client: a ``qdrant_client.QdrantClient`` to use (left open by :meth:`close`); else one is made from ``path``
            / ``location`` and closed with the store (a folder's client, shared by its stores, with the last of them).
        path: folder for embedded local mode (persistent); ``location``: ":memory:" (default) or a server URL.
        embedding_function / embedding_model: as for the chromadb store.
        content_payload_key, metadata_payload_key: the payload keys holding a point's text and metadata (classic
            names and defaults).
        collection_options: more keyword arguments for ``QdrantClient.create_collection`` (classic).
        distance: "cosine" (default), "l2" or "ip".
        on_disk, hnsw_config, quantization_config: passed to Qdrant when a collection is created.
        payload_indexing: create a full-text index on the documents' text (useful on a server).
        client_options, **kwargs: more keyword arguments for ``QdrantClient`` (when no ``client`` is given).
    """

    type = "qdrant"

    def __init__(
        self,
        *,
        client: Any = None,
        path: Optional[str] = None,
        location: Optional[str] = None,
        embedding_function: Optional[Callable[..., Any]] = None,
        embedding_model: Optional[str] = None,
        distance: str = "cosine",
        on_disk: bool = False,
        hnsw_config: Any = None,
        quantization_config: Any = None,
        payload_indexing: bool = False,
        client_options: Optional[Dict[str, Any]] = None,
        content_payload_key: str = "_content",
        metadata_payload_key: str = "_metadata",
        collection_options: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> None:
        self._models = _qdrant().models
        distances = {"cosine": "COSINE", "l2": "EUCLID", "ip": "DOT"}
        if distance not in distances:
            raise ConfigError(f"distance must be one of {', '.join(distances)}, got {distance!r}.")
        self.distance = distance
        self._qdrant_distance = getattr(self._models.Distance, distances[distance])
        options = {**(client_options or {}), **kwargs}
        if client is None:  # the store's own client: closed with the store (a folder's client with its last store)
            if path:
                key = os.path.abspath(path)
                client = _local_client(_qdrant(), key, options)
                self._release_on_close(_local_clients.release, key, client)
            else:
                client = qdrant_client(None, location, **options)
                self._release_on_close(_close_client, client)
        self.client = client
        if not content_payload_key or content_payload_key == metadata_payload_key:
            raise ConfigError("content_payload_key and metadata_payload_key must be two different non-empty keys.")
        self.content_payload_key = content_payload_key
        self.metadata_payload_key = metadata_payload_key
        self.collection_options = dict(collection_options or {})
        self.embedding_function = resolve_embedding_function(embedding_function, embedding_model)
        self.on_disk = on_disk
        self.hnsw_config = hnsw_config
        self.quantization_config = quantization_config
        self.payload_indexing = payload_indexing

    # ---------------------------------------------------------------------------------- collections --
    def collection_exists(self, collection_name: str) -> bool:
        self._check_open()
        return bool(self.client.collection_exists(collection_name))

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
        size = len(embed(self.embedding_function, ["the size of a vector"])[0])
        options = {"hnsw_config": self.hnsw_config, "quantization_config": self.quantization_config}
        options.update(self.collection_options)
        self.client.create_collection(
            collection_name,
            vectors_config=self._models.VectorParams(size=size, distance=self._qdrant_distance, on_disk=self.on_disk),
            **options,
        )
        if self.payload_indexing:
            self.client.create_payload_index(
                collection_name, field_name=self.content_payload_key, field_schema=self._models.PayloadSchemaType.TEXT
            )
        return self.get_collection(collection_name)

    def get_collection(self, collection_name: Optional[str] = None) -> Any:
        name = self._resolve(collection_name)
        self._require(name)
        return self._activate(name, self.client.get_collection(name))

    def _require(self, collection_name: Optional[str]) -> str:
        name = self._resolve(collection_name)
        if not self.collection_exists(name):
            raise CollectionNotFoundError(f"The collection {name!r} does not exist.")
        return name

    def delete_collection(self, collection_name: str) -> None:
        if self.collection_exists(collection_name):
            self.client.delete_collection(collection_name)
        self._forget(collection_name)

    def count(self, collection_name: Optional[str] = None) -> int:
        name = self._require(collection_name)
        return int(self.client.count(name, exact=True).count)

    # ------------------------------------------------------------------------------------ documents --
    def _to_document(self, payload: Dict[str, Any], vector: Any = None, fields: Optional[Set[str]] = None) -> Document:
        return shape_document(
            payload.get("doc_id", ""),
            payload.get(self.content_payload_key),
            payload.get(self.metadata_payload_key),
            vector,
            fields if fields is not None else {"documents", "metadatas"},
        )

    def existing_ids(self, ids: Iterable[ItemID], collection_name: Optional[str] = None) -> Set[str]:
        name = self._require(collection_name)
        wanted = list(dict.fromkeys(str(i) for i in ids))
        found: Set[str] = set()
        for i in range(0, len(wanted), BATCH_SIZE):
            points = self.client.retrieve(
                name, ids=[_point_id(d) for d in wanted[i : i + BATCH_SIZE]], with_payload=["doc_id"]
            )
            found.update(str(p.payload["doc_id"]) for p in points)
        return found

    def insert_docs(
        self, docs: Sequence[Document], collection_name: Optional[str] = None, upsert: bool = False, **kwargs: Any
    ) -> None:
        name = self._require(collection_name)
        if not upsert:
            self._refuse_existing(docs, name)
        for i in range(0, len(docs), BATCH_SIZE):
            batch = docs[i : i + BATCH_SIZE]
            points = [
                self._models.PointStruct(
                    id=_point_id(d["id"]),
                    vector=vector,
                    payload={
                        "doc_id": str(d["id"]),
                        self.content_payload_key: d["content"],
                        self.metadata_payload_key: dict(d.get("metadata") or {}),
                    },
                )
                for d, vector in zip(batch, self._vectors(batch))
            ]
            self.client.upsert(name, points=points, wait=True)

    def delete_docs(self, ids: Sequence[ItemID], collection_name: Optional[str] = None, **kwargs: Any) -> None:
        name = self._require(collection_name)
        if ids:
            selector = self._models.PointIdsList(points=[_point_id(i) for i in ids])
            self.client.delete(name, points_selector=selector, wait=True)

    def _score_to_distance(self, score: float) -> float:
        return float(score) if self.distance == "l2" else 1.0 - float(score)

    def retrieve_docs(
        self,
        queries: Sequence[str],
        collection_name: Optional[str] = None,
        n_results: int = 10,
        distance_threshold: float = -1,
        search_string: str = "",
        **kwargs: Any,
    ) -> QueryResults:
        name = self._require(collection_name)
        query_filter = None
        if search_string:
            condition = self._models.FieldCondition(
                key=self.content_payload_key, match=self._models.MatchText(text=search_string)
            )
            query_filter = self._models.Filter(must=[condition])
        results: QueryResults = []
        for vector in embed(self.embedding_function, list(queries)):
            response = self.client.query_points(
                name, query=vector, limit=max(1, int(n_results)), query_filter=query_filter, with_payload=True
            )
            row = []
            for point in response.points:
                distance = self._score_to_distance(point.score)
                if distance_threshold >= 0 and distance > distance_threshold:
                    continue
                row.append((self._to_document(point.payload or {}), distance))
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
        name = self._require(collection_name)
        with_vectors = "embeddings" in fields
        if ids is not None:
            points = self.client.retrieve(
                name, ids=[_point_id(d) for d in ids], with_payload=True, with_vectors=with_vectors
            )
            return [self._to_document(p.payload or {}, p.vector, fields) for p in points]
        docs: List[Document] = []
        offset = None
        while True:
            points, offset = self.client.scroll(
                name, limit=BATCH_SIZE, offset=offset, with_payload=True, with_vectors=with_vectors
            )
            docs.extend(self._to_document(p.payload or {}, p.vector, fields) for p in points)
            if offset is None:
                return docs

"""The PostgreSQL back end, on the pgvector extension. Needs ``pip install "pyautogen[retrievechat-pgvector]"``
(psycopg 3 and the pgvector adapter) and a PostgreSQL server where ``CREATE EXTENSION vector`` works.

A collection is a table of that name (``id``, ``content``, ``metadata`` as JSONB, ``embedding`` as a pgvector
``vector``) with an HNSW index for the collection's distance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set

from ..rag.embeddings import embed, resolve_embedding_function
from ..rag.errors import CollectionExistsError, CollectionNotFoundError, ConfigError, import_extra
from .base import Document, ItemID, QueryResults, VectorDBBase, check_include, shape_document

__all__ = ["PGCollection", "PGVectorDB"]

EXTRA = "retrievechat-pgvector"
# pgvector's distance operator and HNSW operator class for each space; distances come back as the other stores
# give them: cosine 1 - cos, ip 1 - inner product (pgvector's <#> is the negated inner product), l2 squared.
_SPACES = {
    "cosine": ("<=>", "vector_cosine_ops", "{d}"),
    "ip": ("<#>", "vector_ip_ops", "1 + {d}"),
    "l2": ("<->", "vector_l2_ops", "({d}) * ({d})"),
}


@dataclass
class PGCollection:
    """A collection (table) of a :class:`PGVectorDB`."""

    name: str
    dimension: int
    space: str


def _psycopg() -> Any:
    return import_extra("psycopg", package="psycopg[binary]", extra=EXTRA, feature="The pgvector vector store")


def connect(
    connection_string: Optional[str] = None,
    *,
    host: Optional[str] = None,
    port: Optional[int] = None,
    dbname: Optional[str] = None,
    username: Optional[str] = None,
    password: Optional[str] = None,
    connect_timeout: int = 10,
) -> Any:
    """An autocommit psycopg connection from a URI/DSN, or from its parts."""
    psycopg = _psycopg()
    if connection_string:
        return psycopg.connect(connection_string, autocommit=True, connect_timeout=connect_timeout)
    if not (host or dbname):
        raise ConfigError(
            "PGVectorDB needs a database: pass conn=, connection_string= (e.g. "
            "'postgresql://user:password@localhost:5432/db'), or host=/port=/dbname=/username=/password=."
        )
    parts = {"host": host, "port": port, "dbname": dbname, "user": username, "password": password}
    return psycopg.connect(
        autocommit=True, connect_timeout=connect_timeout, **{k: v for k, v in parts.items() if v is not None}
    )


class PGVectorDB(VectorDBBase):
    """A :class:`~autogen.agentchat.contrib.vectordb.base.VectorDB` on PostgreSQL with pgvector.

    Args (the classic ones):
        conn: an open psycopg 3 connection to use (it is switched to autocommit; left open by :meth:`close`).
        connection_string: a libpq URI or DSN, else ``host``, ``port``, ``dbname``, ``username``, ``password``.
        connect_timeout: seconds to wait for the server.
        embedding_function: ``texts -> vectors``; default: the local ``model_name`` sentence-transformers model.
        metadata: ``{"hnsw:space": "cosine" | "ip" | "l2", "hnsw:construction_ef": 64, "hnsw:M": 16}``.
        model_name: the sentence-transformers model when no embedding_function is given (``embedding_model`` too).
    """

    type = "pgvector"

    def __init__(
        self,
        *,
        conn: Any = None,
        connection_string: Optional[str] = None,
        host: Optional[str] = None,
        port: Optional[int] = None,
        dbname: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        connect_timeout: int = 10,
        embedding_function: Optional[Callable[..., Any]] = None,
        metadata: Optional[Dict[str, Any]] = None,
        model_name: str = "all-MiniLM-L6-v2",
        embedding_model: Optional[str] = None,
    ) -> None:
        self.metadata = {"hnsw:space": "cosine", "hnsw:construction_ef": 64, "hnsw:M": 16, **(metadata or {})}
        self.space = str(self.metadata["hnsw:space"])
        if self.space not in _SPACES:
            raise ConfigError(f"metadata['hnsw:space'] must be one of {', '.join(_SPACES)}, got {self.space!r}.")
        for key in ("hnsw:construction_ef", "hnsw:M"):
            value = self.metadata[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 2:
                raise ConfigError(f"metadata[{key!r}] must be an integer >= 2, got {value!r}.")
        self.embedding_function = resolve_embedding_function(embedding_function, embedding_model or model_name)
        self.sql = import_extra("psycopg.sql", package="psycopg[binary]", extra=EXTRA, feature="PGVectorDB")
        self._vector_type = import_extra("pgvector", package="pgvector", extra=EXTRA, feature="PGVectorDB").Vector
        if conn is None:
            conn = connect(
                connection_string,
                host=host,
                port=port,
                dbname=dbname,
                username=username,
                password=password,
                connect_timeout=connect_timeout,
            )
            self._release_on_close(conn.close)  # the store's own connection: closed with the store
        else:
            conn.autocommit = True
        self.conn = conn
        self.conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        from pgvector.psycopg import register_vector

        register_vector(self.conn)

    # ---------------------------------------------------------------------------------- collections --
    def _table(self, collection_name: str) -> Any:
        return self.sql.Identifier(collection_name)

    def _dimension(self, collection_name: str) -> Optional[int]:
        """The vector size of the collection's table, None when there is no such table."""
        row = self.conn.execute(
            "SELECT a.atttypmod FROM pg_attribute a JOIN pg_class c ON a.attrelid = c.oid "
            "JOIN pg_namespace n ON c.relnamespace = n.oid "
            "WHERE n.nspname = current_schema() AND c.relname = %s AND a.attname = 'embedding' AND c.relkind = 'r'",
            (collection_name,),
        ).fetchone()
        return None if row is None else int(row[0])

    def collection_exists(self, collection_name: str) -> bool:
        return self._dimension(collection_name) is not None

    def create_collection(self, collection_name: str, overwrite: bool = False, get_or_create: bool = True) -> Any:
        if self.collection_exists(collection_name):
            if overwrite:
                self.delete_collection(collection_name)
            elif get_or_create:
                return self.get_collection(collection_name)
            else:
                raise CollectionExistsError(
                    f"The collection {collection_name!r} already exists. Pass get_or_create=True to use it, or "
                    "overwrite=True to rebuild it."
                )
        size = len(embed(self.embedding_function, ["the size of a vector"])[0])
        sql = self.sql
        self.conn.execute(
            sql.SQL(
                "CREATE TABLE {} (id TEXT PRIMARY KEY, content TEXT NOT NULL, "
                "metadata JSONB NOT NULL DEFAULT '{{}}', embedding vector({}) NOT NULL)"
            ).format(self._table(collection_name), sql.Literal(size))
        )
        self.conn.execute(
            sql.SQL("CREATE INDEX ON {} USING hnsw (embedding {}) WITH (m = {}, ef_construction = {})").format(
                self._table(collection_name),
                sql.SQL(_SPACES[self.space][1]),
                sql.Literal(self.metadata["hnsw:M"]),
                sql.Literal(self.metadata["hnsw:construction_ef"]),
            )
        )
        return self._activate(collection_name, PGCollection(collection_name, size, self.space))

    def get_collection(self, collection_name: Optional[str] = None) -> Any:
        name = self._resolve(collection_name)
        size = self._dimension(name)
        if size is None:
            raise CollectionNotFoundError(f"The collection {name!r} does not exist.")
        return self._activate(name, PGCollection(name, size, self.space))

    def _require(self, collection_name: Optional[str]) -> Any:
        return self._table(self.get_collection(collection_name).name)

    def delete_collection(self, collection_name: str) -> None:
        self.conn.execute(self.sql.SQL("DROP TABLE IF EXISTS {}").format(self._table(collection_name)))
        self._forget(collection_name)

    def count(self, collection_name: Optional[str] = None) -> int:
        table = self._require(collection_name)
        return int(self.conn.execute(self.sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0])

    # ------------------------------------------------------------------------------------ documents --
    def existing_ids(self, ids: Iterable[ItemID], collection_name: Optional[str] = None) -> Set[str]:
        table = self._require(collection_name)
        wanted = list(dict.fromkeys(str(i) for i in ids))
        if not wanted:
            return set()
        rows = self.conn.execute(self.sql.SQL("SELECT id FROM {} WHERE id = ANY(%s)").format(table), (wanted,))
        return {row[0] for row in rows}

    def insert_docs(
        self, docs: Sequence[Document], collection_name: Optional[str] = None, upsert: bool = False, **kwargs: Any
    ) -> None:
        name = self.get_collection(collection_name).name
        table = self._table(name)
        if not docs:
            return
        if not upsert:
            self._refuse_existing(docs, name)
        statement = self.sql.SQL(
            "INSERT INTO {} (id, content, metadata, embedding) VALUES (%s, %s, %s::jsonb, %s) "
            "ON CONFLICT (id) DO UPDATE SET content = EXCLUDED.content, metadata = EXCLUDED.metadata, "
            "embedding = EXCLUDED.embedding"
        ).format(table)
        rows = [
            (str(d["id"]), d["content"], json.dumps(dict(d.get("metadata") or {})), self._vector_type(vector))
            for d, vector in zip(docs, self._vectors(docs))
        ]
        with self.conn.cursor() as cursor:
            cursor.executemany(statement, rows)

    def delete_docs(self, ids: Sequence[ItemID], collection_name: Optional[str] = None, **kwargs: Any) -> None:
        table = self._require(collection_name)
        if ids:
            self.conn.execute(self.sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(table), ([str(i) for i in ids],))

    def retrieve_docs(
        self,
        queries: Sequence[str],
        collection_name: Optional[str] = None,
        n_results: int = 10,
        distance_threshold: float = -1,
        search_string: str = "",
        **kwargs: Any,
    ) -> QueryResults:
        table = self._require(collection_name)
        operator, _, distance = _SPACES[self.space]
        raw = "embedding " + operator + " %(q)s"
        where = "WHERE strpos(content, %(s)s) > 0 " if search_string else ""
        statement = self.sql.SQL(
            "SELECT id, content, metadata, "
            + distance.format(d=raw)
            + " FROM {} "
            + where
            + "ORDER BY "
            + raw
            + " LIMIT %(n)s"
        ).format(table)
        results: QueryResults = []
        for vector in embed(self.embedding_function, list(queries)):
            params = {"q": self._vector_type(vector), "s": search_string, "n": max(1, int(n_results))}
            row = []
            for doc_id, content, metadata, dist in self.conn.execute(statement, params):
                if distance_threshold >= 0 and float(dist) > distance_threshold:
                    continue
                row.append((shape_document(doc_id, content, metadata, None, {"documents", "metadatas"}), float(dist)))
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
        table = self._require(collection_name)
        select = self.sql.SQL("SELECT id, content, metadata, embedding FROM {}").format(table)
        if ids is None:
            rows = self.conn.execute(select + self.sql.SQL(" ORDER BY id")).fetchall()
        else:
            wanted = [str(i) for i in ids]
            found = {r[0]: r for r in self.conn.execute(select + self.sql.SQL(" WHERE id = ANY(%s)"), (wanted,))}
            rows = [found[i] for i in dict.fromkeys(wanted) if i in found]
        return [shape_document(i, content, meta, vector.to_list(), fields) for i, content, meta, vector in rows]

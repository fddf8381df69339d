"""Storage: one SQLAlchemy table of JSON records, so any SQLAlchemy URL works (SQLite by default).

Every entity (skill, model, agent, workflow, session, message, gallery item) is a row
``(id, kind, parent_id, data, created_at, updated_at)`` where ``data`` is the entity as JSON. The schema is
created on first use; ``schema_version`` in the ``studio_meta`` table lets later versions migrate it.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    insert,
    select,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import update as sa_update

if TYPE_CHECKING:
    from .keystore import KeyStore

SCHEMA_VERSION = 2
# How long a statement waits for another writer's lock on a SQLite file before Studio answers 503 (SQLite's own
# default, 5 s, is shorter than a long run's burst of message writes from another Studio process).
SQLITE_BUSY_SECONDS = 30.0

_metadata = MetaData()
records = Table(
    "studio_records",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("parent_id", Integer, nullable=True, index=True),
    Column("data", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    # the public, unguessable id of records whose URLs expose a conversation (sessions, gallery items)
    Column("uid", String(43), nullable=True),
    Index("ix_studio_records_uid", "uid"),
)
uid_index = next(i for i in records.indexes if i.name == "ix_studio_records_uid")
meta = Table(
    "studio_meta",
    _metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


def new_uid() -> str:
    return secrets.token_urlsafe(16)


def _add_uids(conn: Any) -> None:
    """Version 2: every record gets a random ``uid``; sessions and gallery items are addressed by it."""
    if "uid" not in {c["name"] for c in sa_inspect(conn).get_columns("studio_records")}:
        conn.execute(text("ALTER TABLE studio_records ADD COLUMN uid VARCHAR(43)"))
    for (row_id,) in conn.execute(select(records.c.id).where(records.c.uid.is_(None))).fetchall():
        conn.execute(sa_update(records).where(records.c.id == row_id).values(uid=new_uid()))
    uid_index.create(conn, checkfirst=True)


# version -> fn(connection), run in order from the stored version up
_MIGRATIONS: Dict[int, Any] = {2: _add_uids}


class Database:
    """A thin, thread-safe store of JSON records; ``keystore`` encrypts the secret fields at rest."""

    def __init__(self, uri: str, keystore: Optional[KeyStore] = None) -> None:
        kwargs: Dict[str, Any] = {}
        if uri.startswith("sqlite"):
            connect_args: Dict[str, Any] = {"check_same_thread": False}
            if "timeout=" not in uri:  # a ?timeout=SECONDS in the URI wins
                connect_args["timeout"] = SQLITE_BUSY_SECONDS
            kwargs["connect_args"] = connect_args
        self.uri = uri
        self.keystore = keystore
        self.engine = create_engine(uri, **kwargs)
        self._lock = threading.RLock()
        _metadata.create_all(self.engine)
        self._migrate()

    def _migrate(self) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
            current = int(row[0]) if row else 0
            for version in sorted(v for v in _MIGRATIONS if v > current):
                _MIGRATIONS[version](conn)
            if row is None:
                conn.execute(insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
            elif current != SCHEMA_VERSION:
                conn.execute(sa_update(meta).where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))

    def _row(self, row: Any) -> Dict[str, Any]:
        data = json.loads(row.data)
        if self.keystore is not None:
            data = self.keystore.unseal(row.kind, data)
        data.update(id=row.id, uid=row.uid, created_at=row.created_at, updated_at=row.updated_at)
        if row.parent_id is not None:
            data.setdefault("parent_id", row.parent_id)
        return data

    def create(self, kind: str, data: Dict[str, Any], parent_id: Optional[int] = None) -> Dict[str, Any]:
        now = time.time()
        with self._lock, self.engine.begin() as conn:
            result = conn.execute(
                insert(records).values(
                    kind=kind,
                    parent_id=parent_id,
                    data=self._dump(kind, data),
                    created_at=now,
                    updated_at=now,
                    uid=new_uid(),
                )
            )
            new_id = result.inserted_primary_key[0]  # type: ignore[index]
        return self.get(kind, new_id)  # type: ignore[return-value]

    def _dump(self, kind: str, data: Dict[str, Any]) -> str:
        return json.dumps(self.keystore.seal(kind, data) if self.keystore is not None else data)

    def get_by_uid(self, kind: str, uid: str) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as conn:
            row = conn.execute(select(records).where(records.c.kind == kind, records.c.uid == uid)).first()
        return self._row(row) if row else None

    def get(self, kind: str, item_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as conn:
            row = conn.execute(select(records).where(records.c.kind == kind, records.c.id == item_id)).first()
        return self._row(row) if row else None

    def list(self, kind: str, parent_id: Optional[int] = None) -> List[Dict[str, Any]]:
        query = select(records).where(records.c.kind == kind)
        if parent_id is not None:
            query = query.where(records.c.parent_id == parent_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(records.c.id)).fetchall()
        return [self._row(r) for r in rows]

    def update(self, kind: str, item_id: int, data: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        with self._lock, self.engine.begin() as conn:
            result = conn.execute(
                sa_update(records)
                .where(records.c.kind == kind, records.c.id == item_id)
                .values(data=self._dump(kind, data), updated_at=time.time())
            )
            if result.rowcount == 0:
                return None
        return self.get(kind, item_id)

    def delete(self, kind: str, item_id: int) -> bool:
        with self._lock, self.engine.begin() as conn:
            result = conn.execute(delete(records).where(records.c.kind == kind, records.c.id == item_id))
        return result.rowcount > 0

    def delete_children(self, kind: str, parent_id: int) -> None:
        with self._lock, self.engine.begin() as conn:
            conn.execute(delete(records).where(records.c.kind == kind, records.c.parent_id == parent_id))

    def count(self, kind: str) -> int:
        return len(self.list(kind))

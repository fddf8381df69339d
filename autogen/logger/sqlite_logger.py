"""Runtime logging into a SQLite database (``logger_type="sqlite"``, ``config={"dbname": "logs.db"}``)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
import weakref
from typing import Any, Callable, Dict, Optional, Sequence

from .base_logger import BaseLogger
from .logger_utils import SECRET_KEYS, client_class_name, get_current_ts, safe_serialize, source_name, to_json

__all__ = ["SCHEMA_VERSION", "SqliteLogger", "safe_serialize"]  # safe_serialize: the classic import path

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

# table -> columns; tables are created if missing and missing columns are added, so a database written
# by an older version keeps working
_TABLES: Dict[str, Sequence[str]] = {
    "chat_completions": (
        "id INTEGER PRIMARY KEY",
        "invocation_id TEXT",
        "client_id INTEGER",
        "wrapper_id INTEGER",
        "session_id TEXT",
        "source_name TEXT",
        "request TEXT",
        "response TEXT",
        "is_cached INTEGER",
        "cost REAL",
        "start_time DATETIME DEFAULT CURRENT_TIMESTAMP",
        "end_time DATETIME DEFAULT CURRENT_TIMESTAMP",
    ),
    "agents": (
        "id INTEGER PRIMARY KEY",
        "agent_id INTEGER",
        "wrapper_id INTEGER",
        "session_id TEXT",
        "name TEXT",
        "class TEXT",
        "init_args TEXT",
        "timestamp DATETIME DEFAULT CURRENT_TIMESTAMP",
    ),
    "oai_wrappers": (
        "id INTEGER PRIMARY KEY",
        "wrapper_id INTEGER",
        "session_id TEXT",
        "init_args TEXT",
        "timestamp DATETIME DEFAULT CURRENT_TIMESTAMP",
    ),
    "oai_clients": (
        "id INTEGER PRIMARY KEY",
        "client_id INTEGER",
        "wrapper_id INTEGER",
        "session_id TEXT",
        "class TEXT",
        "init_args TEXT",
        "timestamp DATETIME DEFAULT CURRENT_TIMESTAMP",
    ),
    # events and function_calls: the classic columns in the classic order (SELECT * rows read by position keep
    # working), then ours
    "events": (
        "event_name TEXT",
        "source_id INTEGER",
        "source_name TEXT",
        "agent_module TEXT DEFAULT NULL",
        "agent_class_name TEXT DEFAULT NULL",
        "id INTEGER PRIMARY KEY",
        "json_state TEXT",
        "timestamp DATETIME DEFAULT CURRENT_TIMESTAMP",
        "session_id TEXT",
    ),
    "function_calls": (
        "source_id INTEGER",
        "source_name TEXT",
        "function_name TEXT",
        "args TEXT DEFAULT NULL",
        "returns TEXT DEFAULT NULL",
        "timestamp DATETIME DEFAULT CURRENT_TIMESTAMP",
        "id INTEGER PRIMARY KEY",
        "session_id TEXT",
    ),
}

# Tables with one row per object. Older versions made (object id, session) UNIQUE and inserted with OR IGNORE,
# which dropped the row of a new object that got a freed object's id(); objects logged twice are now recognised
# in the process (see _Seen) and these constraints are removed from existing databases.
_PER_OBJECT_TABLES = ("agents", "oai_wrappers", "oai_clients")


class _Seen:
    """The objects already logged, held weakly: an object logged twice is one row, while a new object that
    reuses the id() of a collected one is new. Objects that take no weak reference are always logged."""

    def __init__(self) -> None:
        self._objects: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()

    def first_time(self, obj: Any) -> bool:
        if self._objects.get(id(obj)) is obj:
            return False
        try:
            self._objects[id(obj)] = obj
        except TypeError:
            pass
        return True


def _drop_unique_constraint(con: sqlite3.Connection, table: str, columns: Sequence[str]) -> None:
    """Rebuild a table made by an older version with a UNIQUE constraint, keeping its rows."""
    (sql,) = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    if "UNIQUE" not in sql.upper():
        return
    names = ", ".join(column.split()[0] for column in columns)
    con.execute(f"ALTER TABLE {table} RENAME TO {table}_with_unique")
    con.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
    con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {table}_with_unique")
    con.execute(f"DROP TABLE {table}_with_unique")


class SqliteLogger(BaseLogger):
    """Writes each record as a row; one connection shared across threads behind a lock."""

    def __init__(self, config: Optional[Dict[str, Any]] = None):
        self.config: Dict[str, Any] = dict(config or {})
        self.dbname: str = str(self.config.get("dbname", "logs.db"))
        self.session_id = str(uuid.uuid4())
        self.con: Optional[sqlite3.Connection] = None
        self._lock = threading.Lock()
        self._seen = _Seen()

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> str:
        con = sqlite3.connect(self.dbname, check_same_thread=False)
        try:
            # Each record is committed at once so users can query while a chat runs; with WAL and
            # synchronous=NORMAL a commit no longer waits for the disk, which kept many concurrent chats waiting.
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            with self._lock:
                self._create_schema(con)
        except Exception:
            con.close()
            raise
        self.con = con
        logger.info("Runtime logging to SQLite database %r, session %s.", self.dbname, self.session_id)
        return self.session_id

    @staticmethod
    def _create_schema(con: sqlite3.Connection) -> None:
        for table, columns in _TABLES.items():
            con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)})")
            existing = {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
            for column in columns:
                name = column.split()[0]
                if name not in existing and "PRIMARY KEY" not in column:
                    con.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
            if table in _PER_OBJECT_TABLES:
                _drop_unique_constraint(con, table, columns)
        con.execute(
            "CREATE TABLE IF NOT EXISTS version (id INTEGER PRIMARY KEY CHECK (id = 1), version_number INTEGER NOT NULL)"
        )
        con.execute("INSERT OR IGNORE INTO version (id, version_number) VALUES (1, ?)", (SCHEMA_VERSION,))
        con.commit()

    def stop(self) -> None:
        with self._lock:
            if self.con is not None:
                self.con.close()
                self.con = None

    def get_connection(self) -> Optional[sqlite3.Connection]:
        return self.con

    def _insert(self, table: str, row: Dict[str, Any], *, once_for: Any = None, replace: bool = False) -> None:
        """Write one row; with ``once_for``, only the first time that object is logged, or with ``replace`` the
        later times overwrite its row (a subclass's ``__init__`` logs the agent again, with its own arguments)."""
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        query = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        args = tuple(row.values())
        with self._lock:
            if self.con is None:
                return
            if once_for is not None and not self._seen.first_time(once_for):
                if not replace:
                    return
                key, session = next(iter(row)), row["session_id"]  # the object's id column comes first
                query = (
                    f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in row)} "
                    f"WHERE id = (SELECT max(id) FROM {table} WHERE {key} = ? AND session_id = ?)"
                )
                args = (*args, row[key], session)
            try:
                self.con.execute(query, args)
                self.con.commit()
            except Exception as exc:  # a log record must never break the program that logs it
                # the classic sentence: scripts and tests look for it in their logs
                logger.error("[sqlite logger]Error running query with query %s and args %s: %s", query, args, exc)

    # ---------------------------------------------------------------- records

    def log_chat_completion(
        self,
        invocation_id: uuid.UUID,
        client_id: int,
        wrapper_id: int,
        source: Any,
        request: Dict[str, Any],
        response: Any,
        is_cached: int,
        cost: float,
        start_time: str,
    ) -> None:
        if response is None or isinstance(response, str):
            response = {"response": response}
        self._insert(
            "chat_completions",
            {
                "invocation_id": str(invocation_id),
                "client_id": client_id,
                "wrapper_id": wrapper_id,
                "session_id": self.session_id,
                "source_name": source_name(source),
                "request": to_json(request, exclude=SECRET_KEYS),
                "response": to_json(response, exclude=SECRET_KEYS),
                "is_cached": is_cached,
                "cost": float(cost or 0.0),
                "start_time": start_time,
                "end_time": get_current_ts(),
            },
        )

    def log_new_agent(self, agent: Any, init_args: Dict[str, Any]) -> None:
        client = getattr(agent, "client", None)
        self._insert(
            "agents",
            {
                "agent_id": id(agent),
                "wrapper_id": "" if client is None else id(client),  # classic: "" for an agent without a client
                "session_id": self.session_id,
                "name": source_name(agent),
                "class": type(agent).__name__,
                "init_args": to_json(init_args, exclude=SECRET_KEYS),
                "timestamp": get_current_ts(),
            },
            once_for=agent,
            replace=True,
        )

    def log_event(self, source: Any, name: str, **kwargs: Any) -> None:
        is_object = not isinstance(source, str)
        self._insert(
            "events",
            {
                "event_name": name,
                "source_id": id(source),
                "source_name": source_name(source),
                "agent_module": type(source).__module__ if is_object else None,
                "agent_class_name": type(source).__name__ if is_object else None,
                "json_state": to_json(kwargs, exclude=SECRET_KEYS),
                "session_id": self.session_id,
                "timestamp": get_current_ts(),
            },
        )

    def log_new_wrapper(self, wrapper: Any, init_args: Dict[str, Any]) -> None:
        self._insert(
            "oai_wrappers",
            {
                "wrapper_id": id(wrapper),
                "session_id": self.session_id,
                "init_args": to_json(init_args, exclude=SECRET_KEYS),
                "timestamp": get_current_ts(),
            },
            once_for=wrapper,
        )

    def log_new_client(self, client: Any, wrapper: Any, init_args: Dict[str, Any]) -> None:
        self._insert(
            "oai_clients",
            {
                "client_id": id(client),
                "wrapper_id": id(wrapper),
                "session_id": self.session_id,
                "class": client_class_name(client),
                "init_args": to_json(init_args, exclude=SECRET_KEYS),
                "timestamp": get_current_ts(),
            },
            once_for=client,
        )

    def log_function_use(self, source: Any, function: Callable[..., Any], args: Dict[str, Any], returns: Any) -> None:
        self._insert(
            "function_calls",
            {
                "source_id": id(source),
                "source_name": source_name(source),
                "function_name": getattr(function, "__name__", None) or type(function).__name__,
                "args": to_json(args, exclude=SECRET_KEYS),
                "returns": to_json(returns, exclude=SECRET_KEYS),
                "session_id": self.session_id,
                "timestamp": get_current_ts(),
            },
        )

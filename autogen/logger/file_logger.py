"""Runtime logging into a JSON-lines file (``logger_type="file"``, ``config={"filename": "runtime.log"}``).

A relative ``filename`` lives in ``./autogen_logs/`` (the classic location); records may be written before
``start()`` (the file is opened on the first record), and none after ``stop()``.

Each line is one JSON object whose ``"type"`` names the record: ``chat_completion``, ``new_agent``,
``event``, ``new_wrapper``, ``new_client`` or ``function_use``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from typing import IO, TYPE_CHECKING, Any, Callable, Dict, Optional

from .base_logger import BaseLogger
from .logger_utils import SECRET_KEYS, client_class_name, get_current_ts, safe_serialize, source_name, to_dict, to_json

if TYPE_CHECKING:
    import sqlite3

__all__ = ["FileLogger", "safe_serialize"]  # safe_serialize: the classic import path

logger = logging.getLogger(__name__)


class FileLogger(BaseLogger):
    """Appends one JSON object per line; safe to call from several threads."""

    def __init__(self, config: Optional[Dict[str, Any]] = None):
        self.config: Dict[str, Any] = dict(config or {})
        # As in the classic logger, a relative file name is placed under ./autogen_logs/ (an absolute one as is).
        self.log_dir = os.path.join(os.getcwd(), "autogen_logs")
        self.log_file: str = os.path.join(self.log_dir, os.fspath(self.config.get("filename", "runtime.log")))
        self.session_id = str(uuid.uuid4())
        self._file: Optional[IO[str]] = None
        self._stopped = False
        self._lock = threading.Lock()

    def _open(self) -> IO[str]:
        directory = os.path.dirname(os.path.abspath(self.log_file))
        os.makedirs(directory, exist_ok=True)
        self._file = open(self.log_file, "a", encoding="utf-8")  # closed in stop()
        return self._file

    def start(self) -> str:
        with self._lock:
            self._stopped = False
            if self._file is None:
                self._open()
        logger.info("Runtime logging to file %r, session %s.", self.log_file, self.session_id)
        return self.session_id

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._file is not None:
                self._file.close()
                self._file = None

    def get_connection(self) -> Optional[sqlite3.Connection]:
        return None

    def _write(self, record_type: str, record: Dict[str, Any]) -> None:
        record = {
            "type": record_type,
            "session_id": self.session_id,
            "thread_id": threading.get_ident(),
            **record,
        }
        line = json.dumps(to_dict(record, exclude=SECRET_KEYS), ensure_ascii=False, default=str)
        with self._lock:
            file = self._file
            if file is None:
                if self._stopped:
                    return
                file = self._open()  # as in the classic logger, records can be written before start()
            try:
                file.write(line + "\n")
                file.flush()
            except OSError as exc:
                logger.error("[runtime logging] cannot write to %s: %s", self.log_file, exc)

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
        self._write(
            "chat_completion",
            {
                "invocation_id": str(invocation_id),
                "client_id": client_id,
                "wrapper_id": wrapper_id,
                "source_name": source_name(source),
                "request": request,
                # a string (an error text, or what the caller logged) as is, as the classic logger wrote it
                "response": response,
                "is_cached": int(bool(is_cached)),
                "cost": float(cost or 0.0),
                "start_time": start_time,
                "end_time": get_current_ts(),
            },
        )

    def log_new_agent(self, agent: Any, init_args: Optional[Dict[str, Any]] = None) -> None:
        init_args = init_args or {}
        client = getattr(agent, "client", None)
        self._write(
            "new_agent",
            {
                "id": id(agent),
                "agent_name": source_name(agent),
                "wrapper_id": "" if client is None else id(client),  # classic: "" for an agent without a client
                "current_time": get_current_ts(),
                "agent_type": type(agent).__name__,
                "args": init_args,
            },
        )

    def log_event(self, source: Any, name: str, **kwargs: Any) -> None:
        is_object = not isinstance(source, str)
        self._write(
            "event",
            {
                "source_id": id(source),
                "source_name": source_name(source),
                "event_name": name,
                "agent_module": type(source).__module__ if is_object else None,
                "agent_class": type(source).__name__ if is_object else None,
                "json_state": to_json(kwargs, exclude=SECRET_KEYS),  # a JSON string, as the classic logger wrote
                "timestamp": get_current_ts(),
            },
        )

    def log_new_wrapper(self, wrapper: Any, init_args: Optional[Dict[str, Any]] = None) -> None:
        init_args = init_args or {}
        state = to_json(init_args, exclude=SECRET_KEYS)
        self._write("new_wrapper", {"wrapper_id": id(wrapper), "json_state": state, "timestamp": get_current_ts()})

    def log_new_client(self, client: Any, wrapper: Any, init_args: Dict[str, Any]) -> None:
        self._write(
            "new_client",
            {
                "client_id": id(client),
                "wrapper_id": id(wrapper),
                "class": client_class_name(client),
                "json_state": to_json(init_args, exclude=SECRET_KEYS),
                "timestamp": get_current_ts(),
            },
        )

    def log_function_use(self, source: Any, function: Callable[..., Any], args: Dict[str, Any], returns: Any) -> None:
        is_object = not isinstance(source, str)
        self._write(
            "function_use",
            {
                "source_id": id(source),
                "source_name": source_name(source),
                "agent_module": type(source).__module__ if is_object else None,
                "agent_class": type(source).__name__ if is_object else None,
                "function_name": getattr(function, "__name__", None) or type(function).__name__,
                # JSON strings inside the JSON record, as classic 0.2 wrote them
                "input_args": safe_serialize(args),
                "returns": safe_serialize(returns),
                "timestamp": get_current_ts(),
            },
        )

"""Record what a run does: LLM calls, agents, clients, events and tool calls.

Usage::

    import autogen

    session_id = autogen.runtime_logging.start(config={"dbname": "logs.db"})
    ...  # chats
    autogen.runtime_logging.stop()

While logging is off every ``log_*`` function returns after one boolean check, so leaving the calls in
the agents and the LLM layer costs nothing. A failing logger is reported through ``logging`` and never
raises into the chat.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional

if TYPE_CHECKING:
    import sqlite3
    import uuid

    from .logger.base_logger import BaseLogger

__all__ = [
    "get_connection",
    "log_chat_completion",
    "log_event",
    "log_function_use",
    "log_new_agent",
    "log_new_client",
    "log_new_wrapper",
    "logging_enabled",
    "start",
    "stop",
]

logger = logging.getLogger(__name__)

autogen_logger: Optional[BaseLogger] = None
is_logging: bool = False
_lifecycle_lock = threading.Lock()


def start(
    logger: Optional[BaseLogger] = None,
    logger_type: str = "sqlite",
    config: Optional[Dict[str, Any]] = None,
) -> str:
    """Start logging and return the session id.

    Args:
        logger: a ready logger (any ``BaseLogger``); when given, ``logger_type`` and ``config`` are ignored.
        logger_type: ``"sqlite"`` (``config={"dbname": "logs.db"}``) or ``"file"``
            (``config={"filename": "runtime.log"}``).
        config: the back end's settings.

    A logger already running is stopped first. Raises ``ValueError`` for an unknown ``logger_type``, and
    the back end's error if it cannot open its database or file.
    """
    global autogen_logger, is_logging
    with _lifecycle_lock:
        if logger is None:
            from .logger.logger_factory import LoggerFactory

            logger = LoggerFactory.get_logger(logger_type=logger_type, config=config)
        if is_logging:
            _stop_locked()
        session_id = logger.start()
        autogen_logger = logger
        is_logging = True
        return session_id


def _stop_locked() -> None:
    global is_logging
    is_logging = False
    if autogen_logger is not None:
        try:
            autogen_logger.stop()
        except Exception:
            _report("stop")


def stop() -> None:
    """Stop logging and close the back end (calling it when logging is off is harmless)."""
    with _lifecycle_lock:
        _stop_locked()


def get_connection() -> Optional[sqlite3.Connection]:
    """The SQLite connection of the running logger, or ``None``."""
    if autogen_logger is None:
        return None
    return autogen_logger.get_connection()


def logging_enabled() -> bool:
    """Whether runtime logging is on."""
    return is_logging


def _report(what: str) -> None:
    logger.exception("[runtime logging] %s failed; the run goes on without this record", what)


def log_chat_completion(
    invocation_id: uuid.UUID,
    client_id: int,
    wrapper_id: int,
    agent: Any,
    request: Dict[str, Any],
    response: Any,
    is_cached: int,
    cost: float,
    start_time: str,
) -> None:
    """One LLM call. ``agent`` is the agent that asked (or a string; the classic parameter name, passed on to
    the logger's ``source``); ``response`` the completion object, or the error text when the call failed."""
    if not is_logging:
        return
    try:
        autogen_logger.log_chat_completion(  # type: ignore[union-attr]
            invocation_id, client_id, wrapper_id, agent, request, response, is_cached, cost, start_time
        )
    except Exception:
        _report("log_chat_completion")


def log_new_agent(agent: Any, init_args: Dict[str, Any]) -> None:
    """An agent was created with ``init_args``."""
    if not is_logging:
        return
    try:
        autogen_logger.log_new_agent(agent, init_args)  # type: ignore[union-attr]
    except Exception:
        _report("log_new_agent")


def log_event(source: Any, name: str, **kwargs: Any) -> None:
    """An event ``name`` in ``source`` (an agent or a string), with ``kwargs`` as its state."""
    if not is_logging:
        return
    try:
        autogen_logger.log_event(source, name, **kwargs)  # type: ignore[union-attr]
    except Exception:
        _report("log_event")


def log_function_use(agent: Any, function: Callable[..., Any], args: Dict[str, Any], returns: Any) -> None:
    """``agent`` called the tool ``function`` with ``args`` and got ``returns``."""
    if not is_logging:
        return
    try:
        autogen_logger.log_function_use(agent, function, args, returns)  # type: ignore[union-attr]
    except Exception:
        _report("log_function_use")


def log_new_wrapper(wrapper: Any, init_args: Dict[str, Any]) -> None:
    """An ``OpenAIWrapper`` was created with ``init_args``."""
    if not is_logging:
        return
    try:
        autogen_logger.log_new_wrapper(wrapper, init_args)  # type: ignore[union-attr]
    except Exception:
        _report("log_new_wrapper")


def log_new_client(client: Any, wrapper: Any, init_args: Dict[str, Any]) -> None:
    """A model client was created inside ``wrapper`` with ``init_args``."""
    if not is_logging:
        return
    try:
        autogen_logger.log_new_client(client, wrapper, init_args)  # type: ignore[union-attr]
    except Exception:
        _report("log_new_client")

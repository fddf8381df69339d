"""The interface every runtime logger implements (SQLite, JSON-lines file, or your own)."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Callable, Dict, Union

if TYPE_CHECKING:
    import sqlite3

__all__ = ["BaseLogger", "LLMConfig"]

LLMConfig = Dict[str, Union[None, float, int, Dict[str, Any], Any]]


class BaseLogger(ABC):
    """What ``autogen.runtime_logging`` calls. Subclass it to send the records elsewhere.

    ``source`` arguments are an agent (anything with a ``name``) or a plain string. Implementations should
    not raise from the ``log_*`` methods: ``autogen.runtime_logging`` guards them anyway, so a failing
    logger never breaks a chat.
    """

    @abstractmethod
    def start(self) -> str:
        """Open the sink and return the session id (a uuid string)."""

    @abstractmethod
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
        """One LLM call: the request parameters, the response (object or error text), cache hit, cost."""

    @abstractmethod
    def log_new_agent(self, agent: Any, init_args: Dict[str, Any]) -> None:
        """An agent was created with these constructor arguments."""

    @abstractmethod
    def log_event(self, source: Any, name: str, **kwargs: Any) -> None:
        """Something happened in ``source`` (e.g. ``received_message``); ``kwargs`` is its state."""

    @abstractmethod
    def log_new_wrapper(self, wrapper: Any, init_args: Dict[str, Any]) -> None:
        """An ``OpenAIWrapper`` was created with these arguments."""

    @abstractmethod
    def log_new_client(self, client: Any, wrapper: Any, init_args: Dict[str, Any]) -> None:
        """A model client was created inside ``wrapper`` with these arguments."""

    @abstractmethod
    def log_function_use(self, source: Any, function: Callable[..., Any], args: Dict[str, Any], returns: Any) -> None:
        """``source`` called a tool ``function`` with ``args`` and got ``returns``."""

    @abstractmethod
    def stop(self) -> None:
        """Flush and close the sink."""

    @abstractmethod
    def get_connection(self) -> sqlite3.Connection | None:
        """The database connection, for loggers that have one."""

"""IOStream: the one way agents print and ask humans for input.

The default stream is held in a context variable, so concurrent async chats (or a web
server handling several sessions) can each use their own stream.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator, Optional, Protocol, runtime_checkable

__all__ = ["IOStream", "InputStream", "OutputStream"]


@runtime_checkable
class OutputStream(Protocol):
    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        """Print data to the output stream, like the built-in ``print``."""
        ...


@runtime_checkable
class InputStream(Protocol):
    def input(self, prompt: str = "", *, password: bool = False) -> str:
        """Ask the human for a line of input; ``password`` hides what is typed."""
        ...


@runtime_checkable
class IOStream(InputStream, OutputStream, Protocol):
    """An input/output stream. ``IOStream.get_default()`` is what agents use."""

    @staticmethod
    def set_global_default(stream: IOStream) -> None:
        """Set the stream used when no context-local default is set."""
        _state.global_default = stream

    @staticmethod
    def get_global_default() -> IOStream:
        if _state.global_default is None:
            from .console import IOConsole

            _state.global_default = IOConsole()
        return _state.global_default

    @staticmethod
    def get_default() -> IOStream:
        """The stream in force here: the context-local default, else the global one."""
        stream = _default.get()
        return stream if stream is not None else IOStream.get_global_default()

    @staticmethod
    @contextmanager
    def set_default(stream: Optional[IOStream]) -> Iterator[None]:
        """Use ``stream`` as the default inside a ``with`` block (context-local)."""
        token = _default.set(stream)
        try:
            yield
        finally:
            _default.reset(token)


class _State:
    global_default: Optional[IOStream] = None


_state = _State()
_default: ContextVar[Optional[IOStream]] = ContextVar("autogen_iostream_default", default=None)

"""How agents print and ask humans: the IOStream protocol and its implementations."""

from typing import Any

from .base import InputStream, IOStream, OutputStream
from .console import IOConsole

__all__ = ["IOConsole", "IOStream", "IOWebsockets", "InputStream", "OutputStream"]


def __getattr__(name: str) -> Any:
    # IOWebsockets needs the optional "websockets" package only when used; it is imported on first access.
    if name == "IOWebsockets":
        from .websockets import IOWebsockets

        return IOWebsockets
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

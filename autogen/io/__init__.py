"""How agents print and ask humans: the IOStream protocol and its implementations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from .base import InputStream, IOStream, OutputStream
from .console import IOConsole

if TYPE_CHECKING:
    from .websockets import IOWebsockets

# IOWebsockets resolves lazily: keep `import autogen` from loading the websocket module at all.
_EXPORTS: dict[str, str] = {"IOWebsockets": ".websockets"}

__all__ = ["IOConsole", "IOStream", "IOWebsockets", "InputStream", "OutputStream"]

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

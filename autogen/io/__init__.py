"""How agents print and ask humans: the IOStream protocol and its implementations."""

from typing import TYPE_CHECKING, Any

from .base import InputStream, IOStream, OutputStream
from .console import IOConsole

if TYPE_CHECKING:
    from .websockets import IOWebsockets

__all__ = ["IOConsole", "IOStream", "IOWebsockets", "InputStream", "OutputStream"]


def __getattr__(name: str) -> Any:
    # IOWebsockets resolves lazily: its module is cheap, but keep `import autogen` from loading it at all.
    if name == "IOWebsockets":
        from .websockets import IOWebsockets

        globals()[name] = IOWebsockets
        return IOWebsockets
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

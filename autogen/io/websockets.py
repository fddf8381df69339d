"""IOWebsockets: an IOStream over one websocket connection, so a browser or any websocket client talks to agents.

The server side runs on the ``websockets`` package (the ``websockets`` extra:
``pip install "pyautogen[websockets]"``). Each client connection gets its own :class:`IOWebsockets`, made the
default stream (context-local) while ``on_connect`` runs, so every agent created there prints to and asks that client.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Protocol, Union

from .base import IOStream

if TYPE_CHECKING:
    import ssl

__all__ = ["IOWebsockets", "ServerConnection", "WebSocketServer"]

logger = logging.getLogger(__name__)


class ServerConnection(Protocol):
    """The part of a server-side websocket connection that IOWebsockets uses."""

    def send(self, message: Union[str, bytes]) -> None: ...

    def recv(self, timeout: Optional[float] = None) -> Union[str, bytes]: ...

    def close(self, code: int = 1000, reason: str = "") -> None: ...


class WebSocketServer(Protocol):
    """The part of a websocket server that :meth:`IOWebsockets.run_server_in_thread` drives."""

    def serve_forever(self) -> None: ...

    def shutdown(self) -> None: ...


def _import_sync_server() -> Any:
    from .._optional import import_optional

    return import_optional("websockets.sync.server", package="websockets", extra="websockets", feature="IOWebsockets")


class IOWebsockets(IOStream):
    """Prints to and reads from one websocket connection."""

    def __init__(self, websocket: ServerConnection) -> None:
        self._websocket = websocket

    @property
    def websocket(self) -> ServerConnection:
        """The connection this stream talks over."""
        return self._websocket

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        """Send the text ``print`` would write as one text message."""
        self._websocket.send(sep.join(map(str, objects)) + end)

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        """Send ``prompt`` (when not empty), then wait for the client's next message and return it as text.

        ``password`` changes nothing here: the client decides how to show what is typed.
        """
        if prompt:
            self._websocket.send(prompt)
        message = self._websocket.recv()
        return message.decode("utf-8") if isinstance(message, bytes) else message

    @staticmethod
    def _handler(websocket: ServerConnection, on_connect: Callable[[IOWebsockets], None]) -> None:
        """Serve one connection: run ``on_connect`` with this connection's stream as the default."""
        from websockets.exceptions import ConnectionClosed

        iostream = IOWebsockets(websocket)
        try:
            with IOStream.set_default(iostream):
                on_connect(iostream)
        except ConnectionClosed:
            logger.info("IOWebsockets: the client closed the connection before on_connect finished")

    @staticmethod
    @contextmanager
    def run_server_in_thread(
        *,
        host: str = "127.0.0.1",
        port: int = 8765,
        on_connect: Callable[[IOWebsockets], None],
        ssl_context: Optional[ssl.SSLContext] = None,
        **kwargs: Any,
    ) -> Iterator[str]:
        """Serve websocket clients in a background thread; yield the server's URI (``ws://host:port``).

        ``on_connect(iostream)`` runs in its own thread for every client. ``port=0`` picks a free port (the
        yielded URI names it). Extra keyword arguments go to ``websockets.sync.server.serve``. The server
        stops when the ``with`` block ends.
        """
        if not callable(on_connect):
            raise TypeError(
                f"on_connect must be a function taking the connection's IOWebsockets, got {type(on_connect).__name__}"
            )
        sync_server = _import_sync_server()
        server: WebSocketServer = sync_server.serve(
            partial(IOWebsockets._handler, on_connect=on_connect), host=host, port=port, ssl=ssl_context, **kwargs
        )
        bound_port = server.socket.getsockname()[1]  # type: ignore[attr-defined]
        scheme = "wss" if ssl_context is not None else "ws"
        thread = threading.Thread(target=server.serve_forever, name="autogen-iowebsockets", daemon=True)
        thread.start()
        try:
            yield f"{scheme}://{host}:{bound_port}"
        finally:
            server.shutdown()
            thread.join()

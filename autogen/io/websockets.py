"""``IOWebsockets``: the IOStream of one websocket connection (classic ``autogen.io.websockets``).

``IOWebsockets.run_server_in_thread(on_connect=...)`` serves websocket connections in a background thread; for
each connection ``on_connect(iostream)`` runs with that connection as the default IOStream, so everything the
agents print goes to the client and every ``input()`` waits for the client's next message. Needs the
``websockets`` package: ``pip install "pyautogen[websockets]"``.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional

from .._optional import import_optional
from .base import IOStream

if TYPE_CHECKING:
    import ssl

    from websockets.sync.server import ServerConnection

__all__ = ["IOWebsockets"]

logger = logging.getLogger(__name__)


def _sync_server() -> Any:
    return import_optional("websockets.sync.server", package="websockets", extra="websockets", feature="IOWebsockets")


class IOWebsockets(IOStream):
    """Prints and reads through one websocket connection."""

    def __init__(self, websocket: ServerConnection) -> None:
        self._websocket = websocket

    @property
    def websocket(self) -> ServerConnection:
        """The connection this stream talks through."""
        return self._websocket

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
        """Serve in a background thread while the ``with`` block runs; yields the server's ``ws://`` URI
        (``port=0`` picks a free port). Extra ``kwargs`` go to ``websockets.sync.server.serve``."""
        serve = _sync_server().serve

        def handler(websocket: ServerConnection) -> None:
            iostream = IOWebsockets(websocket)
            with IOStream.set_default(iostream):
                try:
                    on_connect(iostream)
                except Exception as exc:  # noqa: BLE001 - one client's failure must not stop the server
                    logger.warning("on_connect raised an exception: %s", exc, exc_info=True)

        server = serve(handler, host=host, port=port, ssl=ssl_context, **kwargs)
        thread = threading.Thread(target=server.serve_forever, name="IOWebsockets-server", daemon=True)
        thread.start()
        bound_port = server.socket.getsockname()[1]
        try:
            yield f"{'wss' if ssl_context else 'ws'}://{host}:{bound_port}"
        finally:
            server.shutdown()
            thread.join()

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        """Send the printed text to the client as one message."""
        self._websocket.send(sep.join(map(str, objects)) + end)

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        """Send ``prompt`` (when not empty) and wait for the client's next message."""
        if prompt:
            self._websocket.send(prompt)
        message = self._websocket.recv()
        return message.decode("utf-8") if isinstance(message, bytes) else message

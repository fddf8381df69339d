"""A small local website for tests: files from a folder, plus JSON routes the test defines.

``with SiteServer(folder) as site:`` serves ``folder`` on 127.0.0.1 (a free port) with
``http.server``; ``site.url`` is its address. ``site.route("/path", handler)`` adds a dynamic route:
``handler(query: dict[str, list[str]], headers: dict[str, str]) -> (status, payload)``, a dict payload
being sent as JSON. ``site.requests`` records ``(path, query, headers)`` of every request.
"""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Optional, Union
from urllib.parse import parse_qs, urlsplit

Handler = Callable[[dict[str, list[str]], dict[str, str]], tuple[int, Union[dict[str, Any], str, bytes]]]

__all__ = ["SiteServer"]


class SiteServer:
    def __init__(self, folder: Union[str, Path]) -> None:
        self.folder = Path(folder)
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        handler = functools.partial(_make_handler(self), directory=str(self.folder))
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def __enter__(self) -> SiteServer:
        self._thread = threading.Thread(
            target=functools.partial(self._httpd.serve_forever, poll_interval=0.05), name="site-server", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _make_handler(site: SiteServer) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".pdf": "application/pdf", ".md": "text/plain"}

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            headers = dict(self.headers)
            site.requests.append((parts.path, query, headers))
            route = site.routes.get(parts.path)
            if route is None:
                super().do_GET()
                return
            status, payload = route(query, headers)
            if isinstance(payload, dict):
                data, kind = json.dumps(payload).encode(), "application/json"
            elif isinstance(payload, str):
                data, kind = payload.encode(), "text/html; charset=utf-8"
            else:
                data, kind = payload, "application/octet-stream"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler

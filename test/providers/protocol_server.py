"""A base for local servers that speak a model provider's wire protocol (Ollama, Mistral, Anthropic, ...).

Tests drive each provider's real SDK over HTTP against a subclass of ``ProtocolServer`` bound to
127.0.0.1 on a free port. The base does the HTTP plumbing, records every request and holds the
script; a subclass implements ``handle(request)`` for its protocol: validate the request as strictly
as the real service (``reject(...)`` raises a ``ProtocolError`` answered with the provider's error body)
and turn the next scripted ``Reply`` into the provider's response format.

Replies are provider-neutral: a string (the answer text) or a dict with any of
``content`` (text), ``tool_calls`` (a list of ``{"name": ..., "arguments": {...}}``, optionally ``id``),
``prompt_tokens`` / ``completion_tokens`` (else counted from the request), ``finish_reason``,
``delay`` (seconds to wait before answering).
``fail(status, message, times=1)`` makes the next requests fail with the provider's error format.
Without a script, the server echoes the last user text (``"echo: ..."``).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional, Union
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "ProtocolError",
    "ProtocolServer",
    "Recorded",
    "Reply",
    "Response",
    "count_tokens",
    "normalise_reply",
]

Reply = Union[str, dict[str, Any]]
Responder = Callable[["Recorded"], Reply]


class ProtocolError(Exception):
    """Raised by a handler to reject a request; answered with ``status`` and the provider's error body."""

    def __init__(self, status: int, message: str, body: Optional[dict[str, Any]] = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any  # parsed JSON, or None
    raw: bytes = b""


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)


def normalise_reply(reply: Reply) -> dict[str, Any]:
    """A scripted reply as ``{"content", "tool_calls", ...}``."""
    if isinstance(reply, str):
        return {"content": reply, "tool_calls": []}
    out = dict(reply)
    out.setdefault("content", None)
    out["tool_calls"] = list(out.get("tool_calls") or [])
    return out


def count_tokens(value: Any) -> int:
    """A deterministic stand-in for a tokenizer: about four characters a token."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return max(1, len(text) // 4)


class ProtocolServer:
    """Start with ``start()`` or as a context manager; ``url`` says where it listens."""

    #: the provider's name in error messages
    name = "provider"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._failures: deque[tuple[int, str]] = deque()
        self.responder: Optional[Responder] = None
        self.requests: list[Recorded] = []
        self._counter = 0
        self._httpd = ThreadingHTTPServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: Optional[threading.Thread] = None

    # ----- lifecycle
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ProtocolServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ProtocolServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ----- scripting
    def script(self, *replies: Reply) -> None:
        """Queue replies; each model request takes the next one."""
        with self._lock:
            self._queue.extend(replies)

    def fail(self, status: int, message: str = "scripted failure", times: int = 1) -> None:
        """The next ``times`` model requests fail with HTTP ``status`` in the provider's error format."""
        with self._lock:
            self._failures.extend([(status, message)] * times)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._failures.clear()
            self.requests.clear()
            self.responder = None

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def bodies(self, path_suffix: str = "") -> list[Any]:
        """The JSON bodies of the recorded requests whose path ends with ``path_suffix``."""
        with self._lock:
            return [r.body for r in self.requests if r.path.endswith(path_suffix)]

    # ----- for subclasses
    def next_reply(self, request: Recorded) -> dict[str, Any]:
        """The next scripted reply (raises the next scripted failure first), normalised."""
        with self._lock:
            if self._failures:
                status, message = self._failures.popleft()
                raise ProtocolError(status, message)
            reply: Optional[Reply] = self._queue.popleft() if self._queue else None
            responder = self.responder
        if reply is None:
            reply = responder(request) if responder is not None else "echo: " + self.last_user_text(request)
        reply = normalise_reply(reply)
        if reply.get("delay"):  # seconds to wait before answering, to test timeouts
            time.sleep(reply["delay"])
        return reply

    def next_id(self, prefix: str = "") -> str:
        with self._lock:
            self._counter += 1
            return f"{prefix}{self._counter}"

    @staticmethod
    def reject(status: int, message: str) -> ProtocolError:
        return ProtocolError(status, message)

    def last_user_text(self, request: Recorded) -> str:
        """Overridden per protocol: the text of the last user turn."""
        return ""

    def error_body(self, error: ProtocolError) -> Any:
        """Overridden per protocol: the JSON body of an error answer."""
        return {"error": {"message": error.message}}

    def handle(self, request: Recorded) -> Response:
        raise NotImplementedError


def _make_handler(server: ProtocolServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _dispatch(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            body: Any = None
            response: Response
            try:
                if raw:
                    try:
                        body = json.loads(raw)
                    except json.JSONDecodeError as err:
                        raise ProtocolError(400, f"request body is not valid JSON: {err}") from err
                request = Recorded(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    raw=raw,
                )
                with server._lock:
                    server.requests.append(request)
                response = server.handle(request)
            except ProtocolError as err:
                response = Response(err.status, err.body if err.body is not None else server.error_body(err))
            data = response.body if isinstance(response.body, bytes) else json.dumps(response.body).encode()
            self.send_response(response.status)
            headers = {"Content-Type": "application/json", **response.headers}
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _dispatch

    return Handler

"""HTTP/1.1 as plain functions over bytes (no sockets, no event loop).

``encode_request`` turns a request into the bytes to write; ``ResponseParser`` is fed the bytes
that come back, in whatever pieces they arrive, and says when the response is complete. The
blocking and the asyncio connection (``connections.py``) both drive this one parser, so the
protocol lives in one place and is tested without a network.

What it understands: status line and headers (obsolete line folding too), interim 1xx responses,
bodies delimited by Content-Length, by chunked transfer coding (with trailers) or by the server
closing the connection, no body for 204/304, and gzip/deflate content coding. Anything else a
server could answer with (another transfer or content coding) raises ``Unsupported`` so that the
caller can hand the request to a fuller client.
"""

from __future__ import annotations

import zlib
from typing import Optional, Sequence

__all__ = ["ProtocolError", "Unsupported", "encode_request", "ResponseParser"]

MAX_HEAD = 256 * 1024  # status line + headers of one response
_FORBIDDEN = ("\r", "\n", "\0")


class ProtocolError(Exception):
    """The server's answer is not valid HTTP/1.1 (or the connection ended in the middle of it)."""


class Unsupported(Exception):
    """A valid answer this small client does not handle (e.g. a brotli body): use a fuller client."""


def _check_field(text: str, what: str) -> None:
    for bad in _FORBIDDEN:
        if bad in text:
            raise ValueError(f"HTTP {what} {text!r} contains a line break or NUL")


def encode_request(method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes) -> bytes:
    """The request as bytes; ``headers`` must already hold Host and Content-Length."""
    _check_field(target, "request target")
    lines = [f"{method} {target} HTTP/1.1"]
    for name, value in headers:
        _check_field(name, "header name")
        _check_field(value, "header value")
        lines.append(f"{name}: {value}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1") + body


# parser states
_HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILER, _UNTIL_CLOSE, _DONE = range(8)


class ResponseParser:
    """Feed it the response bytes; ``feed`` returns True once the response is complete.

    After completion: ``status``, ``reason``, ``headers`` (list of (name, value) as sent),
    ``body`` (content coding removed), ``keep_alive`` (the connection can carry another request).
    ``received`` says whether any byte arrived at all (a reused connection the server had
    already closed answers with none, and the request can safely go out again).
    """

    __slots__ = (
        "status",
        "reason",
        "version",
        "headers",
        "body",
        "keep_alive",
        "received",
        "complete",
        "_buffer",
        "_state",
        "_remaining",
        "_parts",
        "_encoding",
    )

    def __init__(self) -> None:
        self.status = 0
        self.reason = ""
        self.version = ""
        self.headers: list[tuple[str, str]] = []
        self.body = b""
        self.keep_alive = False
        self.received = False
        self.complete = False
        self._buffer = b""
        self._state = _HEAD
        self._remaining = 0
        self._parts: list[bytes] = []
        self._encoding = ""

    # ----- public
    def header(self, name: str) -> Optional[str]:
        """The value of header ``name`` (case-insensitive; repeated headers joined by ", ")."""
        name = name.lower()
        values = [v for k, v in self.headers if k.lower() == name]
        return ", ".join(values) if values else None

    def feed(self, data: bytes) -> bool:
        if data:
            self.received = True
            if self._state == _DONE:
                self.keep_alive = False  # bytes after the response: the connection is not trustworthy
                return True
            self._buffer = self._buffer + data if self._buffer else data
        return self._advance()

    def feed_eof(self) -> bool:
        """The server closed the connection: True if that ends the response, else ProtocolError."""
        if self._state == _DONE:
            return True
        self.keep_alive = False
        if self._state == _UNTIL_CLOSE:
            self._parts.append(self._buffer)
            self._buffer = b""
            self._finish()
            return True
        if not self.received:
            raise ProtocolError("the server closed the connection without answering")
        raise ProtocolError("the server closed the connection in the middle of the response")

    # ----- the state machine
    def _advance(self) -> bool:
        while True:
            state = self._state
            if state == _HEAD:
                if not self._read_head():
                    return False
            elif state == _LENGTH:
                if not self._take():
                    return False
                self._finish()
            elif state == _UNTIL_CLOSE:
                if self._buffer:
                    self._parts.append(self._buffer)
                    self._buffer = b""
                return False
            elif state == _CHUNK_SIZE:
                line = self._line()
                if line is None:
                    return False
                size_text = line.split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise ProtocolError(f"bad chunk size {size_text[:20]!r}") from None
                if size < 0:
                    raise ProtocolError("negative chunk size")
                if size == 0:
                    self._state = _TRAILER
                else:
                    self._remaining = size
                    self._state = _CHUNK_DATA
            elif state == _CHUNK_DATA:
                if not self._take():
                    return False
                self._state = _CHUNK_END
            elif state == _CHUNK_END:
                if len(self._buffer) < 2:
                    return False
                if self._buffer[:2] != b"\r\n":
                    raise ProtocolError("chunk data not followed by CRLF")
                self._buffer = self._buffer[2:]
                self._state = _CHUNK_SIZE
            elif state == _TRAILER:
                line = self._line()
                if line is None:
                    return False
                if not line:  # the empty line after the (usually absent) trailer fields
                    self._finish()
            else:  # _DONE
                if self._buffer:
                    self.keep_alive = False
                return True

    def _take(self) -> bool:
        """Move up to ``_remaining`` body bytes from the buffer to the parts; True once all arrived."""
        buffer = self._buffer
        remaining = self._remaining
        if len(buffer) <= remaining:
            if buffer:
                self._parts.append(buffer)
                self._buffer = b""
                remaining -= len(buffer)
                self._remaining = remaining
            return remaining == 0
        self._parts.append(buffer[:remaining])
        self._buffer = buffer[remaining:]
        self._remaining = 0
        return True

    def _line(self) -> Optional[bytes]:
        end = self._buffer.find(b"\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEAD:
                raise ProtocolError("line too long in chunked body")
            return None
        line = self._buffer[:end]
        self._buffer = self._buffer[end + 2 :]
        return line

    def _read_head(self) -> bool:
        buffer = self._buffer
        end = buffer.find(b"\r\n\r\n")
        skip = 4
        if end < 0:
            end = buffer.find(b"\n\n")  # tolerate bare LF line endings
            skip = 2
            if end < 0:
                if len(buffer) > MAX_HEAD:
                    raise ProtocolError("response headers too large")
                return False
        head = buffer[:end].decode("latin-1")
        self._buffer = buffer[end + skip :]
        lines = head.replace("\r\n", "\n").split("\n")
        version, _, rest = lines[0].partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
        status = int(code)
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and headers:  # obsolete line folding
                name, value = headers[-1]
                headers[-1] = (name, f"{value} {line.strip()}")
                continue
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise ProtocolError(f"bad header line {line[:80]!r}")
            headers.append((name, value.strip()))
        if 100 <= status < 200 and status != 101:
            return True  # an interim response (100 Continue, 103 Early Hints): the real one follows
        self.version, self.status, self.reason, self.headers = version, status, reason, headers
        self._start_body()
        return True

    def _start_body(self) -> None:
        connection = ""
        length: Optional[str] = None
        transfer = ""
        encoding = ""
        for name, value in self.headers:
            lower = name.lower()
            if lower == "content-length":
                if length is not None and length != value:
                    raise ProtocolError("conflicting Content-Length headers")
                length = value
            elif lower == "transfer-encoding":
                transfer = f"{transfer},{value}" if transfer else value
            elif lower == "connection":
                connection = f"{connection},{value}" if connection else value
            elif lower == "content-encoding":
                encoding = f"{encoding},{value}" if encoding else value
        tokens = {t.strip().lower() for t in connection.split(",")}
        if self.version == "HTTP/1.0":
            self.keep_alive = "keep-alive" in tokens
        else:
            self.keep_alive = "close" not in tokens
        self._encoding = encoding.strip().lower()
        if self.status in (204, 304):
            self._finish()
        elif transfer:
            codings = [t.strip().lower() for t in transfer.split(",") if t.strip()]
            if codings != ["chunked"]:
                raise Unsupported(f"transfer coding {transfer!r}")
            self._state = _CHUNK_SIZE
        elif length is not None:
            if not length.isdigit():
                raise ProtocolError(f"bad Content-Length {length!r}")
            self._remaining = int(length)
            self._state = _LENGTH
        else:
            self.keep_alive = False
            self._state = _UNTIL_CLOSE

    def _finish(self) -> None:
        parts = self._parts
        body = parts[0] if len(parts) == 1 else b"".join(parts)
        self._parts = []
        encoding = self._encoding
        if encoding and encoding != "identity" and body:
            try:
                body = _decode(body, encoding)
            except zlib.error as err:
                raise ProtocolError(f"cannot decode the {encoding} body: {err}") from None
        self.body = body
        self.complete = True
        self._state = _DONE


def _decode(body: bytes, encoding: str) -> bytes:
    for coding in reversed([c.strip() for c in encoding.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip"):
            body = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16).decompress(body)
        elif coding == "deflate":
            try:
                body = zlib.decompress(body)
            except zlib.error:  # some servers send raw deflate without the zlib wrapper
                body = zlib.decompress(body, -zlib.MAX_WBITS)
        elif coding != "identity":
            raise Unsupported(f"content coding {coding!r}")
    return body

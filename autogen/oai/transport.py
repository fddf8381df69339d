"""Moving request and response bytes for the direct path, on maintained HTTP libraries.

* Blocking calls: ``urllib3.PoolManager`` (keep-alive pools, content codings decoded), one for the process,
  shared by its threads. Its connections write a request's head and body in one go (urllib3 2 writes them
  apart): one segment, one wake-up of the server, one TLS record instead of two. A body may be given as its
  pieces (``encode_body_parts``); a large one goes out over plain TCP in one ``sendmsg`` of the pieces, never
  copied into one buffer (a fresh buffer the size of a long history costs more in page faults than the copy).
* asyncio: ``aiohttp.ClientSession`` (llhttp parses in C), one session per event loop; ``client_pool`` closes it
  when the loop shuts down.

``docs/transport.md`` has the side-by-side measurement (``bench/transport.py``) behind this choice.

Deadlines: ``deadline`` is an absolute ``time.monotonic()`` value (or None) by which the whole exchange
(connecting, sending, the complete answer) must be over; a server that trickles bytes does not extend it.
aiohttp enforces it as its ``total`` timeout; over urllib3 the remaining time bounds each wait and the
deadline is checked as the body arrives. Both raise ``TransportTimeout`` when it passes; every other failure
to exchange the request is a ``TransportError``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional, Sequence, Union

if TYPE_CHECKING:
    import ssl

    import aiohttp
    import urllib3

__all__ = [
    "Body",
    "RawResponse",
    "TransportError",
    "TransportTimeout",
    "send_sync",
    "send_async",
    "new_async_session",
    "close_sync_pool",
]

MAX_CONNECTIONS = 1000  # per pool; the openai SDK allows 1000 as well

Body = Union[bytes, Sequence[bytes]]
"""A request body, whole or as the pieces whose concatenation it is."""


def joined(body: Body) -> bytes:
    return body if isinstance(body, bytes) else b"".join(body)


class TransportError(OSError):
    """The request could not be exchanged (refused, reset, closed early, malformed answer)."""


class TransportTimeout(TransportError, TimeoutError):
    """The exchange did not end by its deadline."""


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> Optional[str]:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


_tls: Optional[ssl.SSLContext] = None
_tls_lock = threading.Lock()


def tls_context() -> ssl.SSLContext:
    """One client TLS context for the process, trusting what httpx trusts: ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``
    when set, else certifi's store when installed, else the system's."""
    import os
    import ssl

    global _tls
    with _tls_lock:
        if _tls is None:
            cafile, capath = os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None
            if cafile is None and capath is None:
                try:
                    import certifi

                    cafile = certifi.where()
                except ImportError:  # pragma: no cover - certifi comes with httpx
                    pass
            _tls = ssl.create_default_context(cafile=cafile, capath=capath)
        return _tls


def _remaining(deadline: Optional[float]) -> Optional[float]:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TransportTimeout("the request's deadline passed")
    return left


# ---------------------------------------------------------------------------------------------- blocking
ONE_WRITE_LIMIT = 256 * 1024  # beyond this a second write costs less than copying the body behind the head
SCATTER_FROM = 64 * 1024  # from this size on a body's pieces go out in one sendmsg (plain TCP) instead of joined
IOV_MAX = 1024  # pieces per sendmsg (Linux's limit)
# Header lines already checked and encoded by http.client, by (name, values): a route sends the same dozen headers
# (authorization, the SDK's platform headers) with every request, and checking each one again costs more than the
# rest of writing the request. Content-Length and retry counters vary, so the table is bounded.
_header_lines: dict[tuple[str, tuple[object, ...]], bytes] = {}
HEADER_LINES_KEPT = 1024


def _scatter(sock: object) -> bool:
    """Whether ``sock`` takes ``sendmsg`` (plain TCP; TLS sockets have a cipher and no scatter write)."""
    return not hasattr(sock, "cipher") and callable(getattr(sock, "sendmsg", None))


class _Pieces:
    """A body's pieces handed to the connection as one chunk (urllib3 would hand over each piece on its own)."""

    __slots__ = ("pieces", "size")

    def __init__(self, pieces: List[bytes]) -> None:
        self.pieces = pieces
        self.size = sum(map(len, pieces))

    def __len__(self) -> int:
        return self.size


def _sendmsg_all(sock: object, pieces: List[bytes], size: int) -> None:
    """Write ``pieces`` (``size`` bytes in all) in order with as few ``sendmsg`` calls as the socket takes."""
    views: Sequence[Union[bytes, memoryview]] = pieces
    at, left = 0, size
    while True:
        sent = sock.sendmsg(views[at : at + IOV_MAX])  # type: ignore[attr-defined]
        left -= sent
        if not left:
            return  # usually at the first call: a socket with room takes all of it
        while sent >= len(views[at]):
            sent -= len(views[at])
            at += 1
        if sent:  # the rest of a piece the socket took part of
            views = [*views[:at], memoryview(views[at])[sent:], *views[at + 1 :]]


def _one_write(base: type) -> type:
    """``base`` (a urllib3 connection class) holding the request head and body back until the response is
    asked for, then writing them at once."""

    class OneWrite(base):  # type: ignore[misc, valid-type]
        _held: Optional[List[bytes]] = None  # the head and the body's pieces, not yet written
        _holding = False

        def endheaders(self, message_body: Optional[bytes] = None, *, encode_chunked: bool = False) -> None:
            self._holding = True  # http.client sends the head through send() at the end of this call
            try:
                super().endheaders(message_body, encode_chunked=encode_chunked)
            except BaseException:
                self._holding, self._held = False, None
                raise

        def send(self, data: bytes) -> None:
            if self._holding:
                self._holding = False
                if isinstance(data, bytes):
                    self._held = [data]
                    return
            held = self._held
            if held is None and type(data) is _Pieces:
                held = self._held = []
            if held is not None:
                if type(data) is _Pieces:
                    held += data.pieces  # kept by reference: nothing is copied until the write
                    return
                if isinstance(data, bytes):
                    held.append(data)
                    return
            self._flush()
            super().send(data)

        def _flush(self) -> None:
            held, self._held = self._held, None
            if not held:
                return
            if len(held) == 1:
                super().send(held[0])
                return
            size = sum(map(len, held))
            if size >= SCATTER_FROM and self.sock is not None and _scatter(self.sock):
                _sendmsg_all(self.sock, held, size)
            elif size <= ONE_WRITE_LIMIT or len(held) > 2:
                super().send(b"".join(held))
            else:  # a large whole body over TLS: written after the head rather than copied behind it
                super().send(held[0])
                super().send(held[1])

        def putheader(self, header: str, *values: object) -> None:
            key = (header, values)
            try:
                line = _header_lines.get(key)
            except TypeError:  # an unhashable value: checked as usual
                line, key = None, None  # type: ignore[assignment]
            output = getattr(self, "_output", None)  # http.client's "append this line to the request head"
            if line is not None and output is not None:
                output(line)
                return
            buffer = getattr(self, "_buffer", None)
            before = len(buffer) if isinstance(buffer, list) else -1
            super().putheader(header, *values)
            if (
                key is not None
                and isinstance(buffer, list)
                and len(buffer) == before + 1  # one line appended (urllib3's SKIP_HEADER appends none)
                and len(_header_lines) < HEADER_LINES_KEPT
            ):
                _header_lines[key] = buffer[-1]

        def getresponse(self, *args: object, **kwargs: object) -> object:
            self._flush()
            return super().getresponse(*args, **kwargs)

        def close(self) -> None:
            self._holding, self._held = False, None
            super().close()

    OneWrite.__name__ = OneWrite.__qualname__ = f"OneWrite{base.__name__}"
    return OneWrite


def _one_write_pool_classes() -> dict[str, type]:
    import urllib3

    classes = {}
    for scheme, pool in (("http", urllib3.HTTPConnectionPool), ("https", urllib3.HTTPSConnectionPool)):
        classes[scheme] = type(f"OneWrite{pool.__name__}", (pool,), {"ConnectionCls": _one_write(pool.ConnectionCls)})
    return classes


_sync_pool: Optional[urllib3.PoolManager] = None
_sync_lock = threading.Lock()


def _pool() -> urllib3.PoolManager:
    global _sync_pool
    if _sync_pool is None:
        import urllib3

        with _sync_lock:
            if _sync_pool is None:
                manager = urllib3.PoolManager(num_pools=50, maxsize=MAX_CONNECTIONS, ssl_context=tls_context())
                manager.pool_classes_by_scheme = _one_write_pool_classes()
                _sync_pool = manager
    return _sync_pool


_origins: dict[str, tuple[urllib3.HTTPConnectionPool, str]] = {}


def _origin(url: str) -> tuple[urllib3.HTTPConnectionPool, str]:
    """The connection pool of ``url``'s origin and the request target, looked up once per URL."""
    found = _origins.get(url)
    if found is None:
        from urllib3.util import parse_url

        found = (_pool().connection_from_url(url), parse_url(url).request_uri)
        _origins[url] = found
    return found


def close_sync_pool() -> None:
    """Close the idle blocking connections and forget the TLS context (both are made again on next use)."""
    global _sync_pool, _tls
    with _sync_lock:
        pool, _sync_pool = _sync_pool, None
        _origins.clear()
    with _tls_lock:
        _tls = None  # trust settings are read again on next use
    if pool is not None:
        pool.clear()


def _read_until(response: urllib3.BaseHTTPResponse, deadline: Optional[float]) -> list[bytes]:
    """The body of ``response`` as it arrives, each wait bounded by the time left (a trickling server does not
    get past the deadline)."""
    read1 = getattr(response, "read1", None)  # urllib3 2: what has arrived, without waiting for more
    if read1 is None or deadline is None:
        return list(response.stream(64 * 1024, decode_content=True))
    sock = getattr(getattr(response, "connection", None), "sock", None)
    parts: list[bytes] = []
    while True:
        left = _remaining(deadline)
        if sock is not None:
            sock.settimeout(left)
        part = read1(64 * 1024, decode_content=True)
        if not part:
            return parts
        parts.append(part)


def send_sync(url: str, headers: list[tuple[str, str]], body: Body, deadline: Optional[float]) -> RawResponse:
    """POST ``body`` to ``url``; the whole answer (content codings decoded), or TransportTimeout / TransportError."""
    import urllib3

    left = _remaining(deadline)
    fields = dict(headers)
    if not isinstance(body, bytes):
        pieces = _Pieces(list(body))
        fields["Content-Length"] = str(pieces.size)  # else urllib3 would send an iterable chunked
    try:
        pool, target = _origin(url)
        response = pool.urlopen(
            "POST",
            target,
            body=body if isinstance(body, bytes) else [pieces],  # type: ignore[list-item]  # our connections take it
            headers=fields,
            timeout=urllib3.Timeout(connect=left, read=left),
            retries=False,
            redirect=False,
            preload_content=False,
        )
        try:
            parts = _read_until(response, deadline)
            headers_out = list(response.headers.items())
            return RawResponse(response.status, headers_out, b"".join(parts))
        finally:
            response.release_conn()
    except urllib3.exceptions.NewConnectionError as err:  # a subclass of urllib3's TimeoutError
        raise TransportError(str(err) or type(err).__name__) from err
    except urllib3.exceptions.TimeoutError as err:
        raise TransportTimeout(str(err) or type(err).__name__) from err
    except (urllib3.exceptions.HTTPError, OSError) as err:
        raise TransportError(str(err) or type(err).__name__) from err


# ----------------------------------------------------------------------------------------------- asyncio
def prepare_async() -> None:
    """What a first ``new_async_session`` would otherwise do on the loop and that takes time: import aiohttp
    and its resolver, load the TLS trust store."""
    import aiohttp
    import aiohttp.resolver  # noqa: F401

    tls_context()


def new_async_session() -> aiohttp.ClientSession:
    """A session for the running loop: keep-alive connections, no automatic redirects or cookies."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=MAX_CONNECTIONS, ssl=tls_context(), keepalive_timeout=5.0)
    return aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        skip_auto_headers=("User-Agent", "Content-Type"),
    )


async def send_async(
    session: aiohttp.ClientSession, url: str, headers: list[tuple[str, str]], body: Body, deadline: Optional[float]
) -> RawResponse:
    """``send_sync`` over ``session`` on the running loop."""
    import asyncio

    import aiohttp

    left = _remaining(deadline)
    try:
        async with session.post(
            url,
            data=joined(body),
            headers=headers,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=left),
        ) as response:
            data = await response.read()
            return RawResponse(response.status, list(response.headers.items()), data)
    except asyncio.TimeoutError as err:
        raise TransportTimeout(str(err) or "the request's deadline passed") from err
    except (aiohttp.ClientError, OSError) as err:
        raise TransportError(str(err) or type(err).__name__) from err

"""Keep-alive HTTP/1.1 connections for the direct request path: a blocking one over a socket and an
asyncio one over a transport, both driving the same ``http11.ResponseParser``.

A pool holds idle connections per origin (scheme, host, port, TLS context). ``SyncPool`` is shared
by the threads of a process; an ``AsyncPool`` belongs to one event loop (``client_pool`` keeps one
per loop and closes it when the loop shuts down).

A reused connection the server has closed in the meantime fails before a single response byte
arrives; the request then goes out once more on a fresh connection. Any other failure closes the
connection and is raised. Timeouts (``Timeouts``): ``connect`` for opening a connection, ``write``
for sending the request, ``read`` for the wait between response bytes (the wait for the first one
included), as httpx counts them; ``None`` waits forever.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from .http11 import ProtocolError, ResponseParser

if TYPE_CHECKING:
    import ssl

__all__ = ["Origin", "Timeouts", "SyncPool", "AsyncPool", "sync_pool", "ConnectionFailed"]

MAX_IDLE_PER_ORIGIN = 100  # the openai SDK keeps at most 100 idle connections too
KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept (httpx's default)
_RECV = 256 * 1024


class ConnectionFailed(OSError):
    """The connection broke (closed, reset, refused) before the response was complete."""


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int
    ssl: Optional[ssl.SSLContext] = None  # None for plain http


@dataclass(frozen=True)
class Timeouts:
    connect: Optional[float]
    read: Optional[float]
    write: Optional[float]


def _no_delay(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):  # pragma: no cover - not a TCP socket
        pass


# ----------------------------------------------------------------------------------------- blocking
class SyncConnection:
    __slots__ = ("sock", "idle_since")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.idle_since = 0.0

    @classmethod
    def open(cls, origin: Origin, timeout: Optional[float]) -> SyncConnection:
        try:
            sock = socket.create_connection((origin.host, origin.port), timeout=timeout)
        except socket.timeout as err:
            raise TimeoutError(f"connecting to {origin.host}:{origin.port} timed out") from err
        _no_delay(sock)
        if origin.ssl is not None:
            try:
                sock = origin.ssl.wrap_socket(sock, server_hostname=origin.host)
            except BaseException:
                sock.close()
                raise
        return cls(sock)

    def exchange(self, data: bytes, timeouts: Timeouts, parser: ResponseParser) -> None:
        sock = self.sock
        try:
            sock.settimeout(timeouts.write)
            sock.sendall(data)
            sock.settimeout(timeouts.read)
            while True:
                chunk = sock.recv(_RECV)
                if not chunk:
                    parser.feed_eof()
                    return
                if parser.feed(chunk):
                    return
        except socket.timeout as err:  # TimeoutError itself from Python 3.10
            raise TimeoutError("the server did not answer in time") from err

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:  # pragma: no cover
            pass


class SyncPool:
    """Idle blocking connections per origin, shared by the threads of one process."""

    def __init__(self) -> None:
        self._idle: dict[Origin, list[SyncConnection]] = {}
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._swept = time.monotonic()

    def _acquire(self, origin: Origin) -> Optional[SyncConnection]:
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's sockets are not ours to use
                self._idle = {}
                self._pid = os.getpid()
            idle = self._idle.get(origin)
            now = time.monotonic()
            while idle:
                conn = idle.pop()
                if now - conn.idle_since < KEEPALIVE_EXPIRY:
                    return conn
                conn.close()
        return None

    def _release(self, origin: Origin, conn: SyncConnection) -> None:
        now = conn.idle_since = time.monotonic()
        expired: list[SyncConnection] = []
        with self._lock:
            if now - self._swept > KEEPALIVE_EXPIRY:  # now and then, let go of other origins' stale connections
                self._swept = now
                for conns in self._idle.values():
                    expired.extend(c for c in conns if now - c.idle_since >= KEEPALIVE_EXPIRY)
                    conns[:] = [c for c in conns if now - c.idle_since < KEEPALIVE_EXPIRY]
            idle = self._idle.setdefault(origin, [])
            kept = len(idle) < MAX_IDLE_PER_ORIGIN and self._pid == os.getpid()
            if kept:
                idle.append(conn)
        for old in expired:
            old.close()
        if not kept:
            conn.close()

    def request(self, origin: Origin, data: bytes, timeouts: Timeouts) -> ResponseParser:
        """Send ``data`` (a whole request) and return the parsed response."""
        conn = self._acquire(origin)
        if conn is not None:
            parser = ResponseParser()
            try:
                conn.exchange(data, timeouts, parser)
            except (OSError, ProtocolError) as err:
                conn.close()
                if parser.received or isinstance(err, TimeoutError):
                    raise _failed(err) from err
                # the server had closed this idle connection: go again on a new one
            except BaseException:
                conn.close()
                raise
            else:
                self._done(origin, conn, parser)
                return parser
        conn = SyncConnection.open(origin, timeouts.connect)
        parser = ResponseParser()
        try:
            conn.exchange(data, timeouts, parser)
        except (OSError, ProtocolError) as err:
            conn.close()
            raise _failed(err) from err
        except BaseException:
            conn.close()
            raise
        self._done(origin, conn, parser)
        return parser

    def _done(self, origin: Origin, conn: SyncConnection, parser: ResponseParser) -> None:
        if parser.keep_alive:
            self._release(origin, conn)
        else:
            conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()


def _failed(err: BaseException) -> BaseException:
    if isinstance(err, (TimeoutError, ConnectionFailed)):
        return err
    return ConnectionFailed(str(err) or type(err).__name__)


_sync_pool: Optional[SyncPool] = None
_sync_lock = threading.Lock()


def sync_pool() -> SyncPool:
    """The process's pool of blocking connections."""
    global _sync_pool
    pool = _sync_pool
    if pool is None:
        with _sync_lock:
            if _sync_pool is None:
                import atexit

                _sync_pool = SyncPool()
                atexit.register(_sync_pool.close)
            pool = _sync_pool
    return pool


# -------------------------------------------------------------------------------------------- asyncio
class AsyncConnection(asyncio.Protocol):
    """One connection driven by the event loop's callbacks; ``exchange`` awaits one response."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: Any = None
        self.closed = False
        self.idle_since = 0.0
        self._parser: Optional[ResponseParser] = None
        self._waiter: Optional[asyncio.Future[None]] = None
        self._timer: Optional[asyncio.TimerHandle] = None
        self._read_timeout: Optional[float] = None
        self._deadline = 0.0
        self._write_deadline: Optional[float] = None

    # ----- asyncio.Protocol
    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        parser = self._parser
        if parser is None:  # bytes on an idle connection: nothing to do with them, drop it
            self.close()
            return
        try:
            done = parser.feed(data)
        except Exception as err:
            self._settle(err)
            return
        if done:
            self._settle(None)
        elif self._read_timeout is not None:
            self._deadline = self.loop.time() + self._read_timeout

    def eof_received(self) -> bool:
        parser = self._parser
        if parser is not None:
            try:
                parser.feed_eof()
            except ProtocolError as err:
                self._settle(err)
            else:
                self._settle(None)
        return False  # close the transport

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.closed = True
        if self._parser is not None:
            self._settle(ConnectionFailed(str(exc) if exc else "the server closed the connection"))

    # ----- one request
    async def exchange(self, data: bytes, timeouts: Timeouts, parser: ResponseParser) -> None:
        if self.closed or self.transport is None or self.transport.is_closing():
            raise ConnectionFailed("the connection was closed before the request went out")
        loop = self.loop
        waiter = loop.create_future()
        self._waiter = waiter
        self._parser = parser
        self.transport.write(data)
        read = timeouts.read
        self._read_timeout = read
        if read is not None or timeouts.write is not None:
            now = loop.time()
            self._write_deadline = None if timeouts.write is None else now + timeouts.write
            self._deadline = now + (read if read is not None else 0.0)
            first = self._deadline if read is not None else self._write_deadline
            self._timer = loop.call_at(first, self._on_timer)  # type: ignore[arg-type]
        try:
            await waiter
        finally:
            self._parser = None
            self._waiter = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not parser.complete:
                self.close()  # cancelled or failed half-way: the connection's state is unknown

    def _on_timer(self) -> None:
        self._timer = None
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        now = self.loop.time()
        uploading = self.transport is not None and self.transport.get_write_buffer_size() > 0
        if uploading:
            if self._write_deadline is not None and now >= self._write_deadline:
                self._expire("sending the request timed out")
                return
            if self._read_timeout is not None:
                self._deadline = now + self._read_timeout  # the read clock starts once the request is out
            self._timer = self.loop.call_at(now + 0.05, self._on_timer)
            return
        if self._read_timeout is None:
            return
        if now >= self._deadline:
            self._expire("the server did not answer in time")
            return
        self._timer = self.loop.call_at(self._deadline, self._on_timer)

    def _expire(self, message: str) -> None:
        self._settle(TimeoutError(message))
        self.close()

    def _settle(self, err: Optional[BaseException]) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if err is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(err)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


class AsyncPool:
    """Idle asyncio connections per origin, for one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._idle: dict[Origin, list[AsyncConnection]] = {}
        self._swept = loop.time()

    def _acquire(self, origin: Origin) -> Optional[AsyncConnection]:
        idle = self._idle.get(origin)
        if not idle:
            return None
        now = self.loop.time()
        while idle:
            conn = idle.pop()
            if not conn.closed and now - conn.idle_since < KEEPALIVE_EXPIRY:
                return conn
            conn.close()
        return None

    async def _open(self, origin: Origin, timeout: Optional[float]) -> AsyncConnection:
        conn = AsyncConnection(self.loop)
        connecting = self.loop.create_connection(
            lambda: conn,
            origin.host,
            origin.port,
            ssl=origin.ssl,
            server_hostname=origin.host if origin.ssl is not None else None,
        )
        try:
            await asyncio.wait_for(connecting, timeout)
        except asyncio.TimeoutError as err:
            raise TimeoutError(f"connecting to {origin.host}:{origin.port} timed out") from err
        return conn

    async def request(self, origin: Origin, data: bytes, timeouts: Timeouts) -> ResponseParser:
        """Send ``data`` (a whole request) and return the parsed response."""
        conn = self._acquire(origin)
        if conn is not None:
            parser = ResponseParser()
            try:
                await conn.exchange(data, timeouts, parser)
            except (OSError, ProtocolError) as err:
                conn.close()
                if parser.received or isinstance(err, TimeoutError):
                    raise _failed(err) from err
                # the server had closed this idle connection: go again on a new one
            except BaseException:
                conn.close()
                raise
            else:
                self._done(origin, conn, parser)
                return parser
        conn = await self._open(origin, timeouts.connect)
        parser = ResponseParser()
        try:
            await conn.exchange(data, timeouts, parser)
        except (OSError, ProtocolError) as err:
            conn.close()
            raise _failed(err) from err
        except BaseException:
            conn.close()
            raise
        self._done(origin, conn, parser)
        return parser

    def _done(self, origin: Origin, conn: AsyncConnection, parser: ResponseParser) -> None:
        if not parser.keep_alive or conn.closed:
            conn.close()
            return
        now = self.loop.time()
        if now - self._swept > KEEPALIVE_EXPIRY:  # now and then, let go of other origins' stale connections
            self._swept = now
            for conns in self._idle.values():
                for stale in [c for c in conns if c.closed or now - c.idle_since >= KEEPALIVE_EXPIRY]:
                    conns.remove(stale)
                    stale.close()
        idle = self._idle.setdefault(origin, [])
        if len(idle) >= MAX_IDLE_PER_ORIGIN:
            conn.close()
            return
        conn.idle_since = now
        idle.append(conn)

    def close(self) -> None:
        idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()

"""Studio's front door: one ASGI middleware that every HTTP request and websocket passes before any route.

It enforces, in this order:

1. a path without NUL bytes (400);
2. an allowed ``Host`` header (the loopback names plus what ``--host`` / ``--allowed-host`` name): a foreign name,
   as DNS rebinding produces, gets 403;
3. an ``Origin``, when the client sends one, equal to the server's own origin: another web page gets 403 (and a
   websocket from it is refused before the handshake);
4. the per-launch access token, from the ``autogenstudio_token`` cookie, an ``Authorization: token ...`` /
   ``Bearer`` header or a ``?token=`` query parameter: without it, 401. A page opened with ``?token=`` gets the
   token back as an HttpOnly, SameSite=Strict cookie and is redirected to the same URL without it, as Jupyter does;
5. a request body no larger than ``max_body_bytes`` (413), counted as it arrives, never buffered whole.

Every answer also says it may not be framed by another site (clickjacking) nor content-sniffed.
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Iterable, List, Optional, Tuple
from urllib.parse import parse_qsl, urlencode, urlsplit

Scope = Dict[str, Any]
Message = Dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE_PREFIX = "autogenstudio_token"
LOOPBACK_HOSTS: FrozenSet[str] = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
_ANY_ADDRESS = {"0.0.0.0", "::", ""}
_SAFETY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


def new_token() -> str:
    """A fresh per-launch token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def host_name(value: str) -> str:
    """The host part of a ``Host`` header or a URL netloc, lower case, without port or brackets."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8081
        end = value.find("]")
        return value[1:end] if end > 0 else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def allowed_hosts_for(bind_host: str, extra: Iterable[str] = ()) -> FrozenSet[str]:
    """The Host allow-list for a server bound to ``bind_host``: loopback names, the bind address, and ``extra``."""
    names = set(LOOPBACK_HOSTS)
    if host_name(bind_host) not in _ANY_ADDRESS:
        names.add(host_name(bind_host))
    names.update(host_name(h) for h in extra if h.strip())
    return frozenset(names)


@dataclass(frozen=True)
class SecurityConfig:
    """What the middleware enforces. ``token`` defaults to a fresh random one per launch."""

    token: str = field(default_factory=new_token)
    allowed_hosts: FrozenSet[str] = LOOPBACK_HOSTS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    def __post_init__(self) -> None:
        if len(self.token) < 16:
            raise ValueError("the access token must be at least 16 characters long; leave it unset to get a random one")
        if self.max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be positive, got {self.max_body_bytes}")


class BodyTooLarge(Exception):
    """Raised inside the wrapped app when the body grew past the limit (the middleware answers 413)."""


def cookie_name(scope: Scope) -> str:
    """The cookie holding the token; named after the port, so that two Studios on one machine keep their own."""
    server = scope.get("server") or (None, None)
    return f"{COOKIE_PREFIX}_{server[1]}" if server[1] else COOKIE_PREFIX


_LOGIN_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>AutoGen Studio: access token</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>AutoGen Studio</h1>
<p>This Studio needs its access token. Open the URL printed when Studio started (it ends in
<code>?token=...</code>), or paste the token here.</p>
<form method="get" action="/"><input name="token" type="password" size="48" autofocus>
<button type="submit">Open</button></form></body></html>"""


def _headers(scope: Scope) -> Dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}


class SecurityMiddleware:
    """The checks listed in the module docstring, as plain ASGI around the whole application."""

    def __init__(self, app: ASGIApp, config: SecurityConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        problem = self.refusal(scope)
        if problem is not None:
            status, detail = problem
            await self._refuse(scope, receive, send, status, detail)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        query_token = self._query_token(scope)
        if query_token and scope["method"] in ("GET", "HEAD") and not scope["path"].startswith("/api/"):
            await self._store_cookie_and_redirect(scope, send)
            return
        await self._limited(scope, receive, send)

    # ---------------------------------------------------------------------------------------- checks --
    def refusal(self, scope: Scope) -> Optional[Tuple[int, str]]:
        """``(status, reason)`` when the request must be refused, else None."""
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("raw_path", b"").lower():
            return 400, "the path contains a NUL byte"
        headers = _headers(scope)
        host = headers.get("host", "")
        if host_name(host) not in self.config.allowed_hosts:
            return 403, (
                f"Host {host!r} is not allowed (allowed: {', '.join(sorted(self.config.allowed_hosts))}); "
                "start Studio with --allowed-host NAME to serve under another name"
            )
        origin = headers.get("origin")
        if origin is not None and not self._same_origin(origin, host):
            return 403, f"cross-origin request from {origin!r} refused"
        if not self._has_token(scope, headers):
            return 401, (
                "AutoGen Studio needs its access token: open the URL printed at start (…/?token=…), "
                "or send 'Authorization: token <TOKEN>'"
            )
        return None

    def _same_origin(self, origin: str, host: str) -> bool:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # "null" (sandboxed frames, file://) and anything else odd
        return parts.netloc.lower() == host.strip().lower() and host_name(parts.netloc) in self.config.allowed_hosts

    def _query_token(self, scope: Scope) -> Optional[str]:
        for key, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
            if key == "token":
                return value
        return None

    def _has_token(self, scope: Scope, headers: Dict[str, str]) -> bool:
        candidates: List[str] = []
        auth = headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() in ("token", "bearer"):
            candidates.append(value.strip())
        if "cookie" in headers:
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(headers["cookie"])
            except Exception:  # a malformed Cookie header carries no token
                cookie = SimpleCookie()
            name = cookie_name(scope)
            if name in cookie:
                candidates.append(cookie[name].value)
        query = self._query_token(scope)
        if query:  # a token in the URL must itself be right, whatever else the request carries
            candidates = [query]
        expected = self.config.token.encode()
        return any(hmac.compare_digest(c.encode(), expected) for c in candidates)

    # ------------------------------------------------------------------------------------- responses --
    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
        if scope["type"] == "websocket":
            await receive()  # websocket.connect; closing before accepting answers the handshake with 403
            await send({"type": "websocket.close", "code": 1008, "reason": detail[:120]})
            return
        wants_page = "text/html" in _headers(scope).get("accept", "") and not scope["path"].startswith("/api/")
        if status == 401 and wants_page:  # a browser without the token: a page that says how to get in
            body, kind = _LOGIN_PAGE.encode(), b"text/html; charset=utf-8"
        else:
            body, kind = json.dumps({"detail": detail}).encode(), b"application/json"
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        if status == 401:
            headers.append((b"www-authenticate", b'Token realm="AutoGen Studio"'))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _store_cookie_and_redirect(self, scope: Scope, send: Send) -> None:
        rest = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k != "token"]
        location = scope["path"] + (("?" + urlencode(rest)) if rest else "")
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = f"{cookie_name(scope)}={self.config.token}; Path=/; HttpOnly; SameSite=Strict{secure}"
        headers = [
            (b"location", location.encode("latin-1")),
            (b"set-cookie", cookie.encode("latin-1")),
            (b"cache-control", b"no-store"),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.config.max_body_bytes
        declared = _headers(scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(send)
            return
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's own answer to the cut body is replaced by the 413 below
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *_SAFETY_HEADERS]}
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        mb = self.config.max_body_bytes / (1024 * 1024)
        body = json.dumps(
            {"detail": f"the request body is larger than the limit of {mb:g} MB (--max-body-mb)"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": body})

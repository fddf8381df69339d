"""The direct request path: a completion request sent by ``transport`` (urllib3 / aiohttp), with the
openai SDK deciding everything that is not moving bytes.

Why
---
Through ``client.post`` a request costs 2-3 ms of CPU (an options model, an httpx request, the httpx/anyio
layers, field-by-field response construction); 100 concurrent chats of 100 ms model calls then spend most of
their time waiting for a CPU core. Sending the same request over aiohttp / urllib3 costs a fraction of that.

What stays the SDK's
--------------------
* The request: URL (``client.base_url`` + path, ``client.default_query`` such as Azure's ``api-version``) and
  headers (``client.auth_headers`` and ``client.default_headers``: auth, organization/project, user agent,
  platform headers, the config's ``default_headers``), all public properties of the SDK client, read once per
  endpoint. Per request only ``x-stainless-retry-count`` and ``x-stainless-read-timeout`` are added, as the SDK
  does.
* Retries, back-off (``retry-after``) and the exception raised for an HTTP error status: the SDK's own methods,
  through ``sdk_adapter.retry_policy`` (the only use of SDK internals; where they are missing the endpoint goes
  through ``client.post``). Timeouts raise ``openai.APITimeoutError``, broken connections
  ``openai.APIConnectionError``, both after the same retries.
* Results: real ``ChatCompletion`` / ``Completion`` objects (``model_validate_json``, or the SDK models' lenient
  ``construct`` for what validation rejects, as the SDK itself builds responses), ``_request_id`` set.

Timeout: a number is a deadline for each try of the request as a whole (connecting, sending and the complete
answer), not a limit per read: a server that trickles bytes cannot hold a call past it.

When the SDK sends instead
--------------------------
Only plain configurations take this path: an ``openai``/``azure`` endpoint whose settings are static (an api
key string or a static Azure AD token, base URL, organization/project, default headers/query, Azure endpoint/deployment/api-version) over
``http``/``https`` without a proxy in the environment, and a request that is not streamed and has no
``extra_headers``/``extra_query``/``extra_body``. Everything else (``http_client``, token providers, proxies,
streaming, ...) goes through ``client.post``. So does a request whose answer this path does not take (a
redirect): it is sent again through the SDK, and the endpoint stays on
the SDK from then on. ``AUTOGEN_DIRECT_HTTP=0`` sends everything through the SDK.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import urlencode, urlsplit

from .._flow import Flow, Invoke
from .json_utils import dumps_compact, encode_body_parts
from .transport import Body, RawResponse, TransportError, TransportTimeout, joined

if TYPE_CHECKING:
    from .client_pool import Endpoint
    from .sdk_adapter import RetryPolicy

__all__ = [
    "Route",
    "Unsupported",
    "route_for",
    "request_flow",
    "sdk_free",
    "parse_response",
    "clear_routes",
]

logger = logging.getLogger(__name__)


class Unsupported(Exception):
    """The answer is one only the SDK handles (a redirect, say)."""


# endpoint settings under which the SDK's request is the same every time
_STATIC_KWARGS = frozenset(
    {
        "api_key",
        "organization",
        "project",
        "base_url",
        "websocket_base_url",
        "webhook_secret",
        "default_headers",
        "default_query",
        "azure_endpoint",
        "azure_deployment",
        "azure_ad_token",
        "api_version",
    }
)


def _plain_endpoint(endpoint: Endpoint) -> bool:
    if endpoint.api_type not in ("openai", "azure"):
        return False
    for name, value in endpoint.kwargs.items():
        if name not in _STATIC_KWARGS:
            return False
        if name in ("api_key", "azure_ad_token") and not isinstance(value, str):
            return False  # a callable key is a provider
    return True


def _proxied(scheme: str, host: str) -> bool:
    import urllib.request

    proxies = urllib.request.getproxies_environment()
    if not (proxies.get(scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass_environment(host, proxies)  # type: ignore[attr-defined]


@dataclass
class Route:
    """Where and how one endpoint's requests for one path go, as the SDK would send them.

    The SDK itself (its retry methods, exception types, httpx flavour) is needed only when a try fails:
    ``load_sdk`` gives its sync client then (the first failure of an endpoint whose route was worked out
    without the SDK imports it), and ``policy`` / ``http`` come from it."""

    url: str
    headers: list[tuple[str, str]]  # the fixed headers
    timeout: Any  # the client's default timeout and retries
    max_retries: int
    load_sdk: Callable[[], Any]  # the sync SDK client of the endpoint
    read_timeout_header: bool = True  # whether this SDK sends x-stainless-read-timeout
    disabled: bool = False  # set when the endpoint answered with something only the SDK handles
    is_async: bool = False
    _policy: Optional[RetryPolicy] = None
    _http: Any = None

    @property
    def sdk_loaded(self) -> bool:
        return self._policy is not None

    def load_policy(self) -> None:
        """Look up the SDK's retry methods and httpx flavour (``AdapterUnavailable`` when they are missing)."""
        if self._policy is None:
            from .sdk_adapter import http_module, retry_policy

            self._http = http_module()
            self._policy = retry_policy(self.load_sdk())

    @property
    def policy(self) -> RetryPolicy:
        self.load_policy()
        assert self._policy is not None
        return self._policy

    @property
    def http(self) -> Any:
        self.load_policy()
        return self._http

    def request(self, body: Body) -> Any:
        return self.http.Request("POST", self.url, headers=self.headers, content=joined(body))

    def response(self, raw: RawResponse, body: Body) -> Any:
        """The SDK-flavoured response of ``raw`` (its body already decoded), for retry decisions and errors."""
        headers = [
            (k, v)
            for k, v in raw.headers
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return self.http.Response(raw.status, headers=headers, content=raw.body, request=self.request(body))


def _headers(endpoint: Endpoint, client: Any, is_async: bool) -> list[tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    azure = endpoint.api_type == "azure"
    # Azure's credential is chosen per request by the SDK (its auth_headers property differs across releases)
    for source in (client.default_headers,) if azure else (client.auth_headers, client.default_headers):
        for name, value in source.items():
            if isinstance(value, str):
                merged[name.lower()] = (name, value)
            else:  # the SDK's Omit(): the header is left out
                merged.pop(name.lower(), None)
    if azure:  # the SDK adds Azure's credential per request: the key (given or from the environment), else the token
        key, token = getattr(client, "api_key", None), endpoint.kwargs.get("azure_ad_token")
        if isinstance(key, str) and key:
            merged.setdefault("api-key", ("api-key", key))
        elif token:
            merged.setdefault("authorization", ("Authorization", f"Bearer {token}"))
    if is_async and "x-stainless-async" in merged:
        merged["x-stainless-async"] = (merged["x-stainless-async"][0], "async:asyncio")
    merged.setdefault("connection", ("Connection", "keep-alive"))  # as httpx says it
    merged.setdefault("accept-encoding", ("Accept-Encoding", "gzip, deflate"))  # both transports decode these
    if is_async and "user-agent" in merged:  # "OpenAI/Python 1.x" is "AsyncOpenAI/Python 1.x" from the async client
        name, agent = merged["user-agent"]
        if agent.split("/")[0] in ("OpenAI", "AzureOpenAI"):
            merged["user-agent"] = (name, "Async" + agent)
    return list(merged.values())


def _build_route(
    endpoint: Endpoint, path: str, client: Any, is_async: bool, load_sdk: Callable[[], Any]
) -> Optional[Route]:
    """The route from ``client``: the SDK client itself, or ``plain_endpoint.ClientSettings`` (the same public
    values, worked out without the SDK)."""
    from .sdk_adapter import sends_read_timeout_header, source_sends_read_timeout_header

    if client.custom_auth is not None:
        return None
    base = str(client.base_url)
    url = base.rstrip("/") + "/" + path.lstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None  # credentials in the URL are httpx's to turn into a header
    if _proxied(parts.scheme, parts.hostname):
        return None
    if endpoint.api_type == "azure" and "/deployments/" not in parts.path:
        return None  # the SDK inserts the deployment from the model name
    query = {k: v for k, v in client.default_query.items() if isinstance(v, (str, int, float))}
    if query:
        url += ("&" if parts.query else "?") + urlencode(query)
    sdk = getattr(client, "sdk", True)  # ClientSettings say False
    route = Route(
        url=url,
        headers=_headers(endpoint, client, is_async),
        timeout=client.timeout,
        max_retries=client.max_retries,
        load_sdk=(lambda: client) if sdk else load_sdk,
        read_timeout_header=sends_read_timeout_header(client) if sdk else source_sends_read_timeout_header(),
        is_async=is_async,
    )
    if sdk:
        route.load_policy()  # the SDK is loaded: check its retry methods now (AdapterUnavailable: no route)
    return route


_routes: dict[tuple[Any, ...], Optional[Route]] = {}
_routes_lock = threading.Lock()


def clear_routes() -> None:
    """Forget every route (and every decision to leave an endpoint to the SDK)."""
    with _routes_lock:
        _routes.clear()


def route_for(
    endpoint: Endpoint, path: str, model: Optional[str], load_sdk: Callable[[], Any], is_async: bool
) -> Optional[Route]:
    """The route for requests to ``path`` of ``endpoint``; None: use the SDK. ``load_sdk()`` gives the endpoint's
    sync SDK client; it is called only when the endpoint's settings cannot be worked out without it."""
    key = (endpoint, path, model if endpoint.api_type == "azure" else None, is_async)
    try:
        return _routes[key]
    except KeyError:
        pass
    route = None
    if direct_enabled() and _plain_endpoint(endpoint):
        from .plain_endpoint import settings_for

        try:
            client = settings_for(endpoint) or load_sdk()
            route = _build_route(endpoint, path, client, is_async, load_sdk)
        except ImportError:
            raise  # the SDK is missing or outside the supported range: say so, as loading it would
        except Exception:
            logger.debug("no direct route for %r; the SDK sends its requests", endpoint, exc_info=True)
    with _routes_lock:
        _routes[key] = route
    return route


def sdk_free(endpoint: Endpoint) -> bool:
    """Whether requests of ``endpoint`` can be sent before (and without) the SDK is loaded."""
    if not (direct_enabled() and _plain_endpoint(endpoint)):
        return False
    from .plain_endpoint import settings_for

    return settings_for(endpoint) is not None


# ------------------------------------------------------------------------------ one call, with retries
def deadline_seconds(timeout: Any) -> tuple[Optional[float], Optional[str]]:
    """(the deadline of one try, the x-stainless-read-timeout header) for a number, None or an httpx Timeout
    (whose longest limit is the deadline; a Timeout with an unlimited part has none)."""
    if timeout is None or isinstance(timeout, (int, float)):
        return (None, None) if timeout is None else (float(timeout), str(timeout))
    limits = [getattr(timeout, name, None) for name in ("connect", "read", "write", "pool")]
    known = [float(v) for v in limits if v is not None]
    read = getattr(timeout, "read", None)
    return (max(known) if len(known) == len(limits) else None), (None if read is None else str(read))


Sender = Callable[[list[tuple[str, str]], Body, Optional[float]], Any]
"""Sends the body with these headers before this deadline: blocking (urllib3) or a coroutine (aiohttp)."""


def _call_flow(
    route: Route,
    body: Body,
    limits: tuple[Optional[float], Optional[str]],
    max_retries: int,
    send: Sender,
    sleep: Callable[[float], Any],
) -> Flow[RawResponse]:
    """The SDK's retry loop over one request, run by the one driver (``autogen._flow``): ``send`` and ``sleep``
    are the blocking or the asyncio ones. A try that fails loads the SDK (in a worker thread under asyncio)
    for its retry rules and exceptions; a successful first try never needs it."""
    timeout, read_header = limits
    extra = [("x-stainless-read-timeout", read_header)] if read_header is not None and route.read_timeout_header else []
    for retries_taken in range(max_retries + 1):
        remaining = max_retries - retries_taken
        headers = [*route.headers, ("x-stainless-retry-count", str(retries_taken)), *extra]
        deadline = None if timeout is None else time.monotonic() + timeout
        failure: Optional[TransportError] = None
        try:
            raw: RawResponse = yield Invoke(send, args=(headers, body, deadline))
        except TransportError as err:
            failure = err
        else:
            if 200 <= raw.status < 300:
                return raw
            if raw.status < 400:
                raise Unsupported(f"HTTP {raw.status}")  # redirects and the like: the SDK follows them
        if not route.sdk_loaded:
            try:
                yield Invoke(route.load_policy, blocking=True)
            except ImportError:
                raise
            except Exception as err:  # AdapterUnavailable and the like: this SDK sends instead
                raise Unsupported(f"the SDK's retry rules are not usable here: {err!r}") from err
        policy = route.policy
        if failure is not None:
            if remaining > 0:
                yield Invoke(sleep, args=(policy.delay(remaining, max_retries),))
                continue
            from .sdk_adapter import load_openai

            openai = load_openai()
            error = openai.APITimeoutError if isinstance(failure, TransportTimeout) else openai.APIConnectionError
            raise error(request=route.request(body)) from failure
        response = route.response(raw, body)
        if remaining > 0 and policy.should_retry(response):
            yield Invoke(sleep, args=(policy.delay(remaining, max_retries, response.headers),))
            continue
        raise policy.status_error(response)
    raise AssertionError("unreachable")  # pragma: no cover


def _settings(route: Route, options: dict[str, Any]) -> tuple[tuple[Optional[float], Optional[str]], int]:
    timeout = options["timeout"] if "timeout" in options else route.timeout
    max_retries = options.get("max_retries", route.max_retries)
    return deadline_seconds(timeout), int(max_retries)


def request_flow(route: Route, params: dict[str, Any], options: dict[str, Any], is_async: bool) -> Flow[RawResponse]:
    """Send ``params`` as the JSON body; the successful response (errors raise the SDK's exceptions). The caller's
    driver runs it: urllib3 under a blocking one, the loop's aiohttp session under asyncio."""
    from . import transport

    body = encode_body_parts(params, dumps_compact)
    limits, max_retries = _settings(route, options)
    if is_async:
        import asyncio

        from .client_pool import get_async_session

        send: Sender = partial(transport.send_async, get_async_session(), route.url)
        sleep: Callable[[float], Any] = asyncio.sleep
    else:
        send, sleep = partial(transport.send_sync, route.url), time.sleep
    return _call_flow(route, body, limits, max_retries, send, sleep)


# ----------------------------------------------------------------------------------- the response
def parse_response(cast_to: type, response: RawResponse) -> Any:
    """``cast_to`` (ChatCompletion / Completion) from the response body, as the SDK would build it."""
    raw = response.body
    result: Any = None
    validate = getattr(cast_to, "model_validate_json", None)  # pydantic 2
    if validate is not None:
        import pydantic

        try:
            result = validate(raw)
        except pydantic.ValidationError:
            result = None
    if result is None:
        try:
            data = json.loads(raw)
        except ValueError:
            content_type = (response.header("content-type") or "*").split(";")[0].strip()
            if content_type.endswith("json"):
                raise
            return raw.decode("utf-8", "replace")  # the SDK too returns the text of a non-JSON answer
        if not isinstance(data, dict):
            return data
        result = cast_to.construct(**data)  # type: ignore[attr-defined]  # the SDK models' recursive, lenient build
    request_id = response.header("x-request-id")
    if request_id is not None:
        try:
            result._request_id = request_id
        except (AttributeError, TypeError, ValueError):  # pragma: no cover - models without it
            pass
    return result


_SAMPLE = (
    b'{"id":"x","object":"chat.completion","created":0,"model":"m","choices":[{"index":0,"finish_reason":"stop",'
    b'"message":{"role":"assistant","content":""}}],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}'
)


def prepare_parsing(cast_to: type) -> None:
    """Parse a sample answer once, so that what pydantic sets up on first use is not done on an event loop."""
    parse_response(cast_to, RawResponse(200, [("content-type", "application/json")], _SAMPLE))


def direct_enabled() -> bool:
    """``AUTOGEN_DIRECT_HTTP=0`` sends every request through the SDK's own client instead."""
    return os.environ.get("AUTOGEN_DIRECT_HTTP", "1").strip().lower() not in ("0", "false", "no", "off")

"""The direct request path: a completion request sent over our own keep-alive connections, with
the openai SDK deciding everything that is not moving bytes.

Why
---
Through ``AsyncOpenAI.post`` a request costs about 2-3 ms of CPU: the SDK builds an options model
and an httpx request (URL parsing, header merging) on every call, httpx/httpcore/anyio move the
bytes through several layers, and ``construct_type`` walks the response field by field. 100
concurrent chats of 100 ms model calls then spend most of their time waiting for one CPU core.
Sending the same bytes costs a tenth of that.

What stays the SDK's
--------------------
* The request itself. For each endpoint and path the pooled SDK client builds one request with its
  own ``_prepare_options`` / ``_build_request`` / ``_prepare_request``; its URL (base URL, Azure
  deployment route, ``api-version`` query) and headers (auth, organization, user agent, platform
  headers) become the template of every later request. Per request only ``x-stainless-retry-count``,
  ``x-stainless-read-timeout``, the idempotency key (when the client uses one) and Content-Length
  change, as they do in the SDK. The body is serialised with the SDK's own JSON encoder.
* Retries: the SDK's ``_should_retry`` (408, 409, 429, 5xx, ``x-should-retry``) and
  ``_calculate_retry_timeout`` (``retry-after``/``retry-after-ms``, else exponential back-off with
  jitter), over the same ``max_retries``; connection errors and timeouts are retried as the SDK does.
* Errors: ``_make_status_error_from_response`` builds the SDK's exception (``RateLimitError``,
  ``InternalServerError``, ...); timeouts raise ``APITimeoutError``, broken connections
  ``APIConnectionError``.
* Results: real ``ChatCompletion`` / ``Completion`` objects. Conforming JSON is validated in one
  pydantic-core pass (``model_validate_json``); anything it rejects (an OpenAI-compatible server's
  own ``finish_reason``, say) goes through the SDK's lenient ``construct_type`` as before. The
  ``x-request-id`` header becomes ``_request_id`` as in the SDK.

When the SDK sends instead
--------------------------
Only plain configurations take this path: an ``openai``/``azure`` endpoint whose settings are
static (api key or static Azure AD token, base URL, organization/project, default headers/query,
Azure endpoint/deployment/api-version) over ``http``/``https`` without a proxy in the environment,
and a request that is not streamed and has no ``extra_headers``/``extra_query``/``extra_body``.
Everything else (``http_client``, token providers, workload identity, proxies, streaming, ...)
keeps going through ``client.post``. So does a request whose answer this path cannot take (a
redirect, an unknown content coding): it is sent again through the SDK, and the endpoint stays on
the SDK from then on.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Generator, Optional, Union

from .connections import AsyncPool, Origin, Timeouts, sync_pool
from .http11 import ProtocolError, ResponseParser, Unsupported
from .json_utils import encode_body

if TYPE_CHECKING:
    import ssl

    from .client_pool import Endpoint

__all__ = ["Route", "sync_route", "async_route", "send_sync", "send_async", "Unsupported", "clear_routes"]

logger = logging.getLogger(__name__)

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
# client attributes that, when set, make auth or routing dynamic (names across openai versions)
_DYNAMIC_ATTRS = (
    "_api_key_provider",
    "_azure_ad_token_provider",
    "_workload_identity_auth",
    "_provider_runtime",
)
# headers the template leaves out: set per request, or by us
_PER_REQUEST = frozenset(
    {"content-length", "transfer-encoding", "x-stainless-retry-count", "x-stainless-read-timeout", "accept-encoding"}
)
ACCEPT_ENCODING = "gzip, deflate"  # what http11 decodes


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


_ssl_context: Optional[ssl.SSLContext] = None
_ssl_lock = threading.Lock()


def _tls(http: Any) -> ssl.SSLContext:
    """One client TLS context for the process, with the trust settings httpx would use."""
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            make = getattr(http, "create_ssl_context", None)
            if make is not None:
                context = make()
            else:  # pragma: no cover - very old httpx
                import ssl

                context = ssl.create_default_context()
            context.set_alpn_protocols(["http/1.1"])
            _ssl_context = context
        return _ssl_context


@dataclass
class Route:
    """Where and how one endpoint's requests for one path go, as the SDK built them."""

    origin: Origin
    url: str
    prefix: bytes  # request line and the fixed headers
    headers: list[tuple[str, str]]  # the fixed headers (for error objects)
    path: str
    sdk: Any  # the sync SDK client: retry decisions and error objects
    http: Any  # the httpx module the SDK uses
    idempotency_header: Optional[str]
    disabled: bool = False  # set when the endpoint answered with something only the SDK handles

    # ----- per request
    def encode(self, body: bytes, retries_taken: int, read_timeout: Optional[str], idempotency: Optional[str]) -> bytes:
        extra = f"x-stainless-retry-count: {retries_taken}\r\n"
        if read_timeout is not None:
            extra += f"x-stainless-read-timeout: {read_timeout}\r\n"
        if idempotency is not None and self.idempotency_header:
            extra += f"{self.idempotency_header}: {idempotency}\r\n"
        extra += f"content-length: {len(body)}\r\n\r\n"
        return b"".join((self.prefix, extra.encode("latin-1"), body))

    # ----- error path: the SDK's own objects and decisions
    def http_request(self, body: bytes) -> Any:
        return self.http.Request("POST", self.url, headers=self.headers, content=body)

    def http_response(self, parser: ResponseParser, body: bytes) -> Any:
        # the body is already decoded: drop the headers that describe its encoding on the wire
        headers = [
            (k, v)
            for k, v in parser.headers
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return self.http.Response(parser.status, headers=headers, content=parser.body, request=self.http_request(body))

    def retry_options(self, max_retries: int) -> Any:
        from openai._models import FinalRequestOptions

        return FinalRequestOptions.construct(method="post", url=self.path, max_retries=max_retries)


def _eligible_client(client: Any) -> bool:
    if any(getattr(client, name, None) is not None for name in _DYNAMIC_ATTRS):
        return False
    if getattr(client, "_strict_response_validation", False):
        return False
    try:
        return client.custom_auth is None
    except Exception:  # pragma: no cover - an SDK that cannot say
        return False


def _template_steps(client: Any, path: str, model: Optional[str]) -> Generator[Any, Any, Any]:
    """The SDK builds one request to ``path``, through the hooks it runs before sending any request.

    On an async client the hooks return awaitables: the async driver awaits what is yielded, the sync
    one sends it straight back.
    """
    from openai._models import FinalRequestOptions

    options = FinalRequestOptions.construct(
        method="post", url=path, json_data={"model": model} if model is not None else {}
    )
    prepared = yield client._prepare_options(options)
    if prepared is not None:  # older SDKs prepare in place
        options = prepared
    request = client._build_request(options)
    yield client._prepare_request(request)
    return request


def _make_route(path: str, client: Any, request: Any, sync_client: Any) -> Optional[Route]:
    http = __import__(type(request).__module__.split(".")[0])
    url = request.url
    scheme = url.scheme
    if scheme not in ("http", "https") or not url.host or url.userinfo:
        return None  # credentials in the URL are httpx's to turn into a header
    host = url.host
    if _proxied(scheme, host):
        return None
    port = url.port or (443 if scheme == "https" else 80)
    headers: list[tuple[str, str]] = []
    idempotency = getattr(client, "_idempotency_header", None)
    skip = set(_PER_REQUEST)
    if idempotency:
        skip.add(idempotency.lower())
    for raw_name, raw_value in request.headers.raw:
        name = raw_name.decode("latin-1")
        if name.lower() not in skip:
            headers.append((name, raw_value.decode("latin-1")))
    headers.append(("Accept-Encoding", ACCEPT_ENCODING))
    target = url.raw_path.decode("ascii")
    lines = [f"POST {target} HTTP/1.1"] + [f"{name}: {value}" for name, value in headers]
    prefix = ("\r\n".join(lines) + "\r\n").encode("latin-1")
    for forbidden in (b"\n\n", b"\r\r", b"\0"):
        if forbidden in prefix:
            return None
    origin = Origin(scheme, host, port, _tls(http) if scheme == "https" else None)
    return Route(
        origin=origin,
        url=str(url),
        prefix=prefix,
        headers=headers,
        path=path,
        sdk=sync_client,
        http=http,
        idempotency_header=idempotency,
    )


_routes: dict[tuple[Any, ...], Optional[Route]] = {}
_routes_lock = threading.Lock()
_NOT_YET = object()


def clear_routes() -> None:
    """Forget every route (and every decision to leave an endpoint to the SDK)."""
    with _routes_lock:
        _routes.clear()


def _known(endpoint: Endpoint, is_async: bool, path: str, model: Optional[str]) -> tuple[tuple[Any, ...], Any]:
    key = (endpoint, is_async, path, model if endpoint.api_type == "azure" else None)
    return key, _routes.get(key, _NOT_YET)


def _remember(key: tuple[Any, ...], route: Optional[Route]) -> Optional[Route]:
    with _routes_lock:
        _routes[key] = route
    return route


def _could_route(endpoint: Endpoint) -> bool:
    return direct_enabled() and _plain_endpoint(endpoint)


def sync_route(endpoint: Endpoint, path: str, model: Optional[str], client: Any) -> Optional[Route]:
    """The route for requests to ``path`` through the sync SDK ``client`` of ``endpoint``; None: use the SDK."""
    key, known = _known(endpoint, False, path, model)
    if known is not _NOT_YET:
        return known  # type: ignore[no-any-return]
    route = None
    if _could_route(endpoint) and _eligible_client(client):
        steps = _template_steps(client, path, model)
        try:
            value = next(steps)
            while True:
                value = steps.send(value)
        except StopIteration as done:
            route = _make_route(path, client, done.value, client)
        except Exception:
            logger.debug("no direct route for %r; the SDK sends its requests", endpoint, exc_info=True)
    return _remember(key, route)


async def async_route(
    endpoint: Endpoint, path: str, model: Optional[str], get_client: Callable[[], Any], sync_client: Any
) -> Optional[Route]:
    """``sync_route`` for the async SDK client ``get_client()`` (its headers say so), which is only
    needed to build the route; retries and errors use ``sync_client``."""
    key, known = _known(endpoint, True, path, model)
    if known is not _NOT_YET:
        return known  # type: ignore[no-any-return]
    route = None
    client = get_client() if _could_route(endpoint) else None
    if client is not None and _eligible_client(client):
        steps = _template_steps(client, path, model)
        try:
            value = next(steps)
            while True:
                value = steps.send(await value)
        except StopIteration as done:
            route = _make_route(path, client, done.value, sync_client)
        except Exception:
            logger.debug("no direct route for %r; the SDK sends its requests", endpoint, exc_info=True)
    return _remember(key, route)


# ------------------------------------------------------------------------------ one call, with retries
@dataclass
class _Send:
    data: bytes


@dataclass
class _Sleep:
    seconds: float


def _timeouts(value: Any) -> tuple[Timeouts, Optional[str]]:
    """(our timeouts, the x-stainless-read-timeout header) for a float, None or an httpx Timeout."""
    if value is None:
        return Timeouts(None, None, None), None
    if isinstance(value, (int, float)):
        seconds = float(value)
        return Timeouts(seconds, seconds, seconds), str(value)
    read = getattr(value, "read", None)
    return Timeouts(getattr(value, "connect", None), read, getattr(value, "write", None)), (
        None if read is None else str(read)
    )


def _call_steps(
    route: Route, body: bytes, read_header: Optional[str], max_retries: int
) -> Generator[Union[_Send, _Sleep], Any, ResponseParser]:
    """The SDK's retry loop over one request; the driver does the sending and sleeping."""
    import openai

    sdk = route.sdk
    idempotency = sdk._idempotency_key() if route.idempotency_header else None
    for retries_taken in range(max_retries + 1):
        remaining = max_retries - retries_taken
        try:
            response: ResponseParser = yield _Send(route.encode(body, retries_taken, read_header, idempotency))
        except TimeoutError as err:
            if remaining > 0:
                yield _Sleep(sdk._calculate_retry_timeout(remaining, route.retry_options(max_retries), None))
                continue
            raise openai.APITimeoutError(request=route.http_request(body)) from err
        except (OSError, ProtocolError) as err:
            if remaining > 0:
                yield _Sleep(sdk._calculate_retry_timeout(remaining, route.retry_options(max_retries), None))
                continue
            raise openai.APIConnectionError(request=route.http_request(body)) from err
        status = response.status
        if 200 <= status < 300:
            return response
        if status < 400:
            raise Unsupported(f"HTTP {status}")  # redirects and the like: the SDK follows them
        http_response = route.http_response(response, body)
        if remaining > 0 and sdk._should_retry(http_response):
            yield _Sleep(
                sdk._calculate_retry_timeout(remaining, route.retry_options(max_retries), http_response.headers)
            )
            continue
        raise sdk._make_status_error_from_response(http_response)
    raise AssertionError("unreachable")  # pragma: no cover


def _settings(route: Route, options: dict[str, Any]) -> tuple[Timeouts, Optional[str], int]:
    timeout = options["timeout"] if "timeout" in options else route.sdk.timeout
    timeouts, header = _timeouts(timeout)
    max_retries = options.get("max_retries", route.sdk.max_retries)
    return timeouts, header, max_retries


_dumps: Optional[Callable[[Any], bytes]] = None


def _body(params: dict[str, Any]) -> bytes:
    """The JSON body as the SDK writes it (its own encoder), long histories from the message cache."""
    global _dumps
    if _dumps is None:
        from openai._utils._json import openapi_dumps

        _dumps = openapi_dumps
    return encode_body(params, _dumps)


def send_sync(route: Route, params: dict[str, Any], options: dict[str, Any]) -> ResponseParser:
    """Send ``params`` as the JSON body; the successful response (errors raise the SDK's exceptions)."""
    body = _body(params)
    timeouts, read_header, max_retries = _settings(route, options)
    steps = _call_steps(route, body, read_header, max_retries)
    pool = sync_pool()
    origin = route.origin
    effect = next(steps)
    try:
        while True:
            if isinstance(effect, _Sleep):
                time.sleep(effect.seconds)
                effect = steps.send(None)
                continue
            try:
                result = pool.request(origin, effect.data, timeouts)
            except (OSError, ProtocolError) as err:
                effect = steps.throw(err)
            else:
                effect = steps.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def send_async(route: Route, params: dict[str, Any], options: dict[str, Any], pool: AsyncPool) -> ResponseParser:
    """``send_sync`` on the event loop, over ``pool``."""
    import asyncio

    body = _body(params)
    timeouts, read_header, max_retries = _settings(route, options)
    steps = _call_steps(route, body, read_header, max_retries)
    origin = route.origin
    effect = next(steps)
    try:
        while True:
            if isinstance(effect, _Sleep):
                await asyncio.sleep(effect.seconds)
                effect = steps.send(None)
                continue
            try:
                result = await pool.request(origin, effect.data, timeouts)
            except (OSError, ProtocolError) as err:
                effect = steps.throw(err)
            else:
                effect = steps.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


# ----------------------------------------------------------------------------------- the response
def parse_response(cast_to: type, response: ResponseParser) -> Any:
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
        from openai._models import construct_type

        try:
            data = json.loads(raw)
        except ValueError:
            content_type = (response.header("content-type") or "*").split(";")[0].strip()
            if content_type.endswith("json"):
                raise
            return raw.decode("utf-8", "replace")  # the SDK too returns the text of a non-JSON answer
        result = construct_type(type_=cast_to, value=data)
    request_id = response.header("x-request-id")
    try:
        from openai._models import add_request_id

        add_request_id(result, request_id)
    except (ImportError, AttributeError, TypeError, ValueError):  # pragma: no cover - older openai
        pass
    return result


def direct_enabled() -> bool:
    """``AUTOGEN_DIRECT_HTTP=0`` sends every request through the SDK's own client instead."""
    return os.environ.get("AUTOGEN_DIRECT_HTTP", "1").strip().lower() not in ("0", "false", "no", "off")

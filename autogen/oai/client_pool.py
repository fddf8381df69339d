"""One openai SDK client per distinct endpoint, shared by every wrapper and agent in the process.

An ``Endpoint`` is the identity of a client: api_type plus the constructor settings (api_key,
base_url, organization, headers, Azure deployment, ...). ``timeout`` and ``max_retries`` are not
part of it: they are sent with each request, so configs that differ only there share a client.

Async clients hold connections bound to an event loop, so they are pooled per running loop and
closed when that loop shuts down.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Mapping, Optional

if TYPE_CHECKING:
    import asyncio

    import aiohttp

__all__ = [
    "Endpoint",
    "make_endpoint",
    "get_sync_client",
    "get_async_client",
    "get_async_session",
    "clear_client_pool",
]

logger = logging.getLogger(__name__)

PER_REQUEST_KWARGS = frozenset({"timeout", "max_retries"})


def _freeze(value: Any) -> Any:
    """A hashable stand-in for ``value`` (dicts and lists by content, other objects by identity)."""
    if isinstance(value, Mapping):
        return ("__map__", tuple(sorted((str(k), _freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("__seq__", tuple(_freeze(v) for v in value))
    try:
        hash(value)
    except TypeError:
        return ("__id__", id(value))
    return value


@dataclass(frozen=True)
class Endpoint:
    api_type: str
    key: tuple[Any, ...]
    kwargs: dict[str, Any] = field(compare=False, hash=False, repr=False)

    def __repr__(self) -> str:
        where = self.kwargs.get("base_url") or self.kwargs.get("azure_endpoint") or "default"
        return f"Endpoint({self.api_type}, {where})"


def make_endpoint(api_type: str, client_kwargs: Mapping[str, Any], model: Any = None) -> Endpoint:
    """The endpoint for a config's client settings (Azure: base_url is the azure_endpoint,
    the deployment defaults to the model name without dots, as classic AutoGen does)."""
    kwargs = {k: v for k, v in client_kwargs.items() if k not in PER_REQUEST_KWARGS}
    if api_type == "azure":
        if "azure_endpoint" not in kwargs and "base_url" in kwargs:
            kwargs["azure_endpoint"] = kwargs.pop("base_url")
        deployment = kwargs.get("azure_deployment", model)
        if isinstance(deployment, str) and deployment:
            kwargs["azure_deployment"] = deployment.replace(".", "")
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    key = tuple(sorted((k, _freeze(v)) for k, v in kwargs.items()))
    return Endpoint(api_type, key, kwargs)


_accepted: dict[type, frozenset[str]] = {}
_warned_kwargs: set[tuple[type, str]] = set()


def _constructor_kwargs(cls: type, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The subset of ``kwargs`` the installed openai client class accepts (others are dropped, warned once)."""
    accepted = _accepted.get(cls)
    if accepted is None:
        import inspect

        accepted = frozenset(inspect.signature(cls).parameters)
        _accepted[cls] = accepted
    out = {}
    for name, value in kwargs.items():
        if name in accepted:
            out[name] = value
        elif (cls, name) not in _warned_kwargs:
            _warned_kwargs.add((cls, name))
            logger.warning("%s does not take %r; ignoring it.", cls.__name__, name)
    return out


def _sync_class(api_type: str) -> type:
    from .sdk_adapter import load_openai

    openai = load_openai()

    return openai.AzureOpenAI if api_type == "azure" else openai.OpenAI


def _async_class(api_type: str) -> type:
    from .sdk_adapter import load_openai

    openai = load_openai()

    return openai.AsyncAzureOpenAI if api_type == "azure" else openai.AsyncOpenAI


_lock = threading.Lock()
_sync_pool: dict[Endpoint, Any] = {}


class _LoopPool:
    """The async clients and the direct path's aiohttp session of one event loop, closed when the loop shuts down."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.clients: dict[Endpoint, Any] = {}
        self.session: Optional[aiohttp.ClientSession] = None  # made on first use, on the loop
        self.closer: Any = None  # the async generator that closes them (a strong reference keeps it alive)


_async_pools: dict[asyncio.AbstractEventLoop, _LoopPool] = {}


async def _close_at_loop_shutdown(loop: asyncio.AbstractEventLoop, pool: _LoopPool) -> AsyncIterator[None]:
    """Parked at its ``yield`` for the life of the loop.

    ``asyncio.run`` (and every runner) finalises unfinished async generators with
    ``loop.shutdown_asyncgens()`` before closing the loop: that runs the ``finally`` below inside
    the loop, so the clients' connections are closed properly and the loop is not kept alive.
    """
    try:
        yield
    finally:
        with _lock:
            if _async_pools.get(loop) is pool:
                del _async_pools[loop]
            clients = list(pool.clients.values())
            pool.clients.clear()
            session, pool.session = pool.session, None
        if session is not None:
            try:
                await session.close()
            except Exception:  # closing is best effort
                logger.debug("closing the aiohttp session failed", exc_info=True)
        for client in clients:
            try:
                await client.close()
            except Exception:  # closing is best effort
                logger.debug("closing %r failed", client, exc_info=True)


def _pool_for(loop: asyncio.AbstractEventLoop) -> _LoopPool:
    pool = _async_pools.get(loop)
    if pool is not None:
        return pool
    for stale in [other for other in _async_pools if other.is_closed()]:
        del _async_pools[stale]  # a loop closed without shutdown_asyncgens(): just forget it
    pool = _LoopPool(loop)
    pool.closer = _close_at_loop_shutdown(loop, pool)
    try:
        # step to the yield now: the loop's asyncgen hook registers the generator for shutdown
        pool.closer.asend(None).send(None)
    except StopIteration:
        pass
    _async_pools[loop] = pool
    return pool


def _build(factory: Callable[[str], type], endpoint: Endpoint) -> Any:
    cls = factory(endpoint.api_type)
    kwargs = dict(endpoint.kwargs)
    http_client = kwargs.get("http_client")
    if http_client is not None and (factory is _async_class) != hasattr(http_client, "aclose"):
        # an httpx.Client serves only the sync client (an AsyncClient only the async one)
        kwargs.pop("http_client")
    return cls(**_constructor_kwargs(cls, kwargs))


def get_sync_client(endpoint: Endpoint) -> Any:
    """The shared ``openai.OpenAI`` / ``openai.AzureOpenAI`` client of ``endpoint``."""
    client = _sync_pool.get(endpoint)
    if client is None:
        with _lock:
            client = _sync_pool.get(endpoint)
            if client is None:
                client = _build(_sync_class, endpoint)
                _sync_pool[endpoint] = client
    return client


def get_async_client(endpoint: Endpoint) -> Any:
    """The shared async client of ``endpoint`` for the running event loop."""
    import asyncio

    loop = asyncio.get_running_loop()
    with _lock:
        pool = _pool_for(loop)
        client = pool.clients.get(endpoint)
        if client is None:
            client = _build(_async_class, endpoint)
            pool.clients[endpoint] = client
    return client


def get_async_session() -> aiohttp.ClientSession:
    """The direct path's aiohttp session of the running event loop."""
    import asyncio

    loop = asyncio.get_running_loop()
    pool = _async_pools.get(loop)
    if pool is None:
        with _lock:
            pool = _pool_for(loop)
    if pool.session is None:
        from .transport import new_async_session

        pool.session = new_async_session()
    return pool.session


def clear_client_pool() -> None:
    """Forget every pooled client (they close when garbage-collected) and close idle direct connections."""
    from .direct import clear_routes
    from .transport import close_sync_pool

    with _lock:
        _sync_pool.clear()
        _async_pools.clear()
    clear_routes()
    close_sync_pool()

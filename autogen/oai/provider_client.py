"""``ProviderClient``: the base of every non-OpenAI model client (Anthropic, Gemini, Ollama, Mistral, ...).

A provider client implements four pure hooks; the base class owns the I/O and everything shared:

* ``make_sdk_client(is_async)``: the provider SDK's sync or async client, from ``self.config``;
* ``prepare(params)``: an OpenAI-style request as a ``ProviderCall`` (SDK method path and its kwargs);
* ``parse(raw, call)``: the SDK's answer as an openai ``ChatCompletion`` (see ``client_utils``);
* ``ERROR_TYPES`` / ``describe_error``: which SDK exceptions are provider failures, and how to say them.

``create`` and ``a_create`` differ only in the SDK client used and in ``await``: prepare, error mapping
and parsing are the same code. SDK clients are built once per wrapper config (the async one once per
event loop, off the loop since building an HTTP client loads TLS certificates).
The SDK itself is imported when the client is constructed, so a missing extra fails at config time.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, AsyncIterator, ClassVar, Iterator, Mapping, Optional, Union

from ..exception_utils import ConfigAssertionError
from .client_utils import ImagePart, content_parts, import_sdk, provider_cost, usage_of
from .errors import ProviderAPIError, ProviderTimeoutError
from .model_prices import Price

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

__all__ = ["ProviderCall", "ProviderClient"]


@dataclass
class ProviderCall:
    """What to call on the SDK client: ``client.<path>(**kwargs)`` (``async_path`` on the async client)."""

    path: str
    kwargs: dict[str, Any]
    model: str
    async_path: Optional[str] = None
    context: dict[str, Any] = field(default_factory=dict)  # anything ``parse`` needs besides the answer


def _resolve(obj: Any, path: str) -> Any:
    for name in path.split("."):
        obj = getattr(obj, name)
    return obj


def _has_remote_images(params: Mapping[str, Any]) -> bool:
    for message in params.get("messages") or []:
        content = message.get("content") if isinstance(message, Mapping) else None
        if isinstance(content, list) and any(
            isinstance(p, ImagePart) and p.url for p in content_parts(content) if not isinstance(p, str)
        ):
            return True
    return False


def _quietly(close: Any) -> None:
    try:
        close()
    except Exception:  # closing is best effort
        pass


def _closing(client: Any) -> Any:
    """A no-argument function that closes a sync SDK client (``close()``, else its context-manager exit)."""
    close = getattr(client, "close", None)
    if callable(close):
        return close
    return lambda: client.__exit__(None, None, None)


class _LoopClients:
    """The async SDK clients made in one event loop, closed when that loop shuts down."""

    def __init__(self) -> None:
        self.clients: list[Any] = []
        self.closer: Any = None  # the parked async generator (a strong reference keeps it alive)


_loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClients] = weakref.WeakKeyDictionary()
_loops_lock = threading.Lock()


async def _closer(state: _LoopClients) -> AsyncIterator[None]:
    """Parked at ``yield`` while the loop runs; ``loop.shutdown_asyncgens()`` (run by ``asyncio.run``)
    resumes it inside the loop, so the SDK clients close their connections properly."""
    try:
        yield
    finally:
        clients, state.clients = state.clients, []
        for client in clients:
            try:
                await client.__aexit__(None, None, None)
            except Exception:  # closing is best effort
                pass


def _close_at_loop_shutdown(loop: asyncio.AbstractEventLoop, client: Any) -> None:
    with _loops_lock:
        state = _loops.get(loop)
        if state is None:
            state = _loops[loop] = _LoopClients()
            state.closer = _closer(state)
            try:
                state.closer.asend(None).send(None)  # step to the yield: the loop's asyncgen hook registers it
            except StopIteration:
                pass
        state.clients.append(client)


_sdk_typed: dict[tuple[type[ProviderAPIError], type[BaseException]], type[ProviderAPIError]] = {}


def _rebuild(kind: type[ProviderAPIError], message: str, provider: str, status_code: Optional[int]) -> ProviderAPIError:
    return kind(message, provider=provider, status_code=status_code)


def _as_sdk_error(
    kind: type[ProviderAPIError], err: BaseException, message: str, provider: str, status: Optional[int]
) -> ProviderAPIError:
    """A ``kind`` error that is also an instance of ``err``'s class, carrying its attributes (``status_code``,
    ``body``, ``response``, ...): the classic clients let the provider SDK's exceptions through, so 0.2-era code
    catches e.g. ``anthropic.RateLimitError``, while the wrapper still sees a ``ProviderAPIError`` and moves on to the
    next config. Our message and ``repr`` are kept; it pickles as a plain ``kind``."""
    key = (kind, type(err))
    cls = _sdk_typed.get(key)
    if cls is None:
        try:
            cls = type(
                kind.__name__,
                (kind, type(err)),
                {
                    "__module__": kind.__module__,
                    "__qualname__": kind.__qualname__,
                    "__str__": kind.__str__,
                    "__repr__": kind.__repr__,
                    "__reduce__": lambda self: (_rebuild, (kind, self.message, self.provider, self.status_code)),
                },
            )
        except TypeError:  # an SDK class that cannot be combined (e.g. a C layout): our error alone
            return kind(message, provider=provider, status_code=status)
        _sdk_typed[key] = cls
    error = cls(message, provider=provider, status_code=status)  # kind's __init__; the SDK's is not run
    for name, value in vars(err).items():
        error.__dict__.setdefault(name, value)
    return error


class ProviderClient:
    """Base of the provider clients; subclasses set the class attributes and implement the hooks."""

    RESPONSE_USAGE_KEYS: ClassVar[list[str]] = ["prompt_tokens", "completion_tokens", "total_tokens", "cost", "model"]
    API_TYPE: ClassVar[str] = ""
    PROVIDER: ClassVar[str] = ""  # the provider's name in messages, e.g. "Mistral AI"
    SDK_MODULE: ClassVar[str] = ""  # what to import, e.g. "mistralai"
    SDK_PACKAGE: ClassVar[str] = ""  # the PyPI package, e.g. "mistralai"
    EXTRA: ClassVar[str] = ""  # the pyautogen extra, e.g. "mistral"
    PRICES: ClassVar[Mapping[str, Price]] = {}  # USD per 1k tokens (input, output)
    ERROR_TYPES: ClassVar[tuple[str, ...]] = ()  # dotted names of SDK exception classes, resolved lazily
    TIMEOUT_TYPES: ClassVar[tuple[str, ...]] = ()
    # a provider that needs an API key: the environment variables that may hold it (classic read the first), and
    # classic 0.2.35's AssertionError sentence for a config without one / without a model
    API_KEY_ENV: ClassVar[tuple[str, ...]] = ()
    CLASSIC_NO_KEY: ClassVar[str] = ""
    CLASSIC_NO_MODEL: ClassVar[str] = ""
    CLASSIC_ERROR: ClassVar[str] = ""  # what classic's RuntimeError said first, e.g. "Groq exception occurred"

    def __init__(self, **config: Any):
        self.config: dict[str, Any] = dict(config)
        if self.API_KEY_ENV and not config.get("api_key") and not any(os.environ.get(n) for n in self.API_KEY_ENV):
            raise ConfigAssertionError(
                f"{self.CLASSIC_NO_KEY} A {self.API_TYPE!r} config needs the {self.PROVIDER} API key: give 'api_key' "
                f"in the config entry or set {' or '.join(self.API_KEY_ENV)}."
            )
        self.sdk: ModuleType = import_sdk(self.SDK_MODULE, self.EXTRA, self.SDK_PACKAGE or None)
        self._lock = threading.Lock()
        self._sync_client: Any = None
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()
        self._errors: Optional[tuple[type[BaseException], ...]] = None
        self._timeouts: Optional[tuple[type[BaseException], ...]] = None
        self.client  # noqa: B018 - build the sync SDK client now, so a bad setting fails at config time

    # ----- hooks
    def make_sdk_client(self, is_async: bool) -> Any:
        raise NotImplementedError

    def prepare(self, params: dict[str, Any]) -> ProviderCall:
        raise NotImplementedError

    def parse(self, raw: Any, call: ProviderCall) -> ChatCompletion:
        raise NotImplementedError

    def describe_error(self, err: BaseException, call: ProviderCall) -> str:
        """The message of the ProviderAPIError raised for an SDK error."""
        status = self.status_of(err)
        where = f" (HTTP {status})" if status else ""
        detail = str(getattr(err, "message", None) or err or type(err).__name__)
        text = f"{self.PROVIDER} request for model {call.model!r} failed{where}: {detail}"
        return f"{self.CLASSIC_ERROR}: {text}" if self.CLASSIC_ERROR else text

    def error_class(self, status: Optional[int], timed_out: bool) -> type[ProviderAPIError]:
        """The exception raised for a failed request (a provider may name its own subclasses)."""
        return ProviderTimeoutError if timed_out else ProviderAPIError

    @staticmethod
    def status_of(err: BaseException) -> Optional[int]:
        for name in ("status_code", "status"):
            value = getattr(err, name, None)
            if isinstance(value, int):
                return value
        response = getattr(err, "response", None)
        value = getattr(response, "status_code", None)
        return value if isinstance(value, int) else None

    # ----- settings
    def setting(self, params: Mapping[str, Any], *names: str, default: Any = None) -> Any:
        """The first of ``names`` set in the request params or else the config (classic clients read both)."""
        for source in (params, self.config):
            for name in names:
                value = source.get(name)
                if value is not None:
                    return value
        return default

    # ----- SDK clients
    @property
    def client(self) -> Any:
        """The SDK's sync client (built on first use)."""
        if self._sync_client is None:
            with self._lock:
                if self._sync_client is None:
                    client = self.make_sdk_client(False)
                    # some SDKs leave their HTTP connections open when dropped
                    weakref.finalize(self, _quietly, _closing(client))
                    self._sync_client = client
        return self._sync_client

    async def _a_client(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None:
            client = await asyncio.to_thread(self.make_sdk_client, True)
            self._async_clients[loop] = client
            _close_at_loop_shutdown(loop, client)
        return client

    def _error_classes(self) -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
        if self._errors is None or self._timeouts is None:
            # transport errors of the HTTP library under the SDK (httpx; some SDKs use its fork httpx2)
            https = [m for m in (sys.modules.get("httpx"), sys.modules.get("httpx2")) if m is not None]

            def load(names: tuple[str, ...]) -> tuple[type[BaseException], ...]:
                out = []
                for dotted in names:
                    module, _, attr = dotted.rpartition(".")
                    out.append(getattr(import_sdk(module, self.EXTRA, self.SDK_PACKAGE or None), attr))
                return tuple(out)

            aiohttp = sys.modules.get("aiohttp")  # google-genai's async client uses it, unwrapped, when installed
            aio_timeouts = (aiohttp.ServerTimeoutError,) if aiohttp is not None else ()
            aio_errors = (aiohttp.ClientError,) if aiohttp is not None else ()
            self._timeouts = load(self.TIMEOUT_TYPES) + tuple(m.TimeoutException for m in https) + aio_timeouts
            self._errors = load(self.ERROR_TYPES) + tuple(m.HTTPError for m in https) + aio_errors + self._timeouts
        return self._errors, self._timeouts

    @contextmanager
    def _mapped_errors(self, call: ProviderCall) -> Iterator[None]:
        errors, timeouts = self._error_classes()
        try:
            yield
        except errors as err:
            message = self.describe_error(err, call)
            status = self.status_of(err)
            kind = self.error_class(status, isinstance(err, timeouts))
            if isinstance(err, self._sdk_errors):
                raise _as_sdk_error(kind, err, message, self.PROVIDER, status) from err
            raise kind(message, provider=self.PROVIDER, status_code=status) from err

    @property
    def _sdk_errors(self) -> tuple[type[BaseException], ...]:
        """The provider SDK's own exception classes (``ERROR_TYPES`` / ``TIMEOUT_TYPES`` outside builtins)."""
        errors, _ = self._error_classes()
        names = {name.rpartition(".")[2] for name in (*self.ERROR_TYPES, *self.TIMEOUT_TYPES)
                 if not name.startswith("builtins.")}  # fmt: skip
        return tuple(cls for cls in errors if cls.__name__ in names and cls.__module__ != "builtins")

    # ----- ModelClient
    def create(self, params: dict[str, Any]) -> ChatCompletion:
        call = self.prepare(params)
        with self._mapped_errors(call):
            raw = _resolve(self.client, call.path)(**call.kwargs)
        return self.parse(raw, call)

    async def a_create(self, params: dict[str, Any]) -> ChatCompletion:
        if _has_remote_images(params):  # converting may download images: keep that off the event loop
            call = await asyncio.to_thread(self.prepare, params)
        else:
            call = self.prepare(params)
        client = await self._a_client()
        with self._mapped_errors(call):
            raw = await _resolve(client, call.async_path or call.path)(**call.kwargs)
        return self.parse(raw, call)

    def message_retrieval(self, response: Any) -> Union[list[str], list[Any]]:
        """Text of each choice; the message object itself when it carries tool calls."""
        out: list[Any] = []
        for choice in response.choices:
            message = choice.message
            out.append(message if getattr(message, "tool_calls", None) else message.content)
        return out

    def cost(self, response: Any) -> float:
        return provider_cost(response, self.PRICES)

    @staticmethod
    def get_usage(response: Any) -> dict[str, Any]:
        return usage_of(response)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

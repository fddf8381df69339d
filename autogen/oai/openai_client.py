"""``OpenAIClient``: the ModelClient for OpenAI and Azure OpenAI endpoints.

Plain-JSON request path
-----------------------
The SDK's typed ``client.chat.completions.create(**params)`` walks and converts every message of
the body on each call (``maybe_transform`` over the whole history), which grows with the length
of the conversation. We call the same SDK client one level lower instead::

    client.post("/chat/completions", body=params, cast_to=ChatCompletion,
                options={"timeout": ..., "max_retries": ..., "headers": ...},
                stream=..., stream_cls=Stream[ChatCompletionChunk])

``post`` is the method the typed resource itself ends in, so authentication (Bearer or Azure
``api-key``), base URL and Azure deployment routing, ``api-version`` query, retries with back-off,
the ``APIError`` exception family and response parsing into ``ChatCompletion`` all stay the SDK's.
The body goes out as the plain dict we built: no per-message conversion, so per-call cost is flat
in history length. If the body holds something JSON cannot encode, the error names where it is.

Direct path
-----------
Even ``post`` costs 2-3 ms of CPU per call (options model, httpx request, httpx/anyio I/O,
field-by-field response construction), which caps how many async chats one core can keep going.
So a request that is not streamed and goes to a plainly configured endpoint takes ``direct.py``
instead: the same URL, headers and JSON body the SDK would send, moved by aiohttp (asyncio) or
urllib3 (blocking), with the SDK's retry decisions and exception types. For a plain OpenAI endpoint
the settings are worked out without the SDK (``plain_endpoint``), which is then loaded only when a
try fails; a chat answer comes back as a ``LazyChatCompletion`` (the server's JSON until someone needs
the SDK's ``ChatCompletion``). Everything else still goes through ``post``, and
``AUTOGEN_DIRECT_HTTP=0`` sends everything through it.

First use off the event loop
----------------------------
Importing the SDK and building its client take most of a second the first time. ``a_create`` does the
first-use work (the route, aiohttp, and the SDK with its types when the route needs them) in a worker
thread, so the first LLM calls of an async program never stall its event loop; a wrapper built while a
loop runs builds its SDK client then too, instead of at construction.

Sync and async differ only in which pooled SDK client is used and in ``await`` / ``async for``;
building the request, checking and assembling the response are shared.
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Optional, Union

from .._flow import IS_ASYNC, Flow, Invoke, flow_backed, run_async, run_sync
from . import direct
from .client_pool import Endpoint, get_async_client, get_sync_client, make_endpoint
from .config import coerce_max_retries, coerce_timeout
from .errors import IncompleteStreamError, InvalidResponseError, RequestNotSerializableError
from .json_utils import find_unserializable
from .lazy_completion import LazyChatCompletion, build, from_body, message_texts, needs_sdk, usage_of
from .model_prices import compute_cost
from .sdk_adapter import load_openai, response_format_param
from .stream_chunks import update_dict_from_chunk, update_function_call_from_chunk, update_tool_calls_from_chunk
from .streaming import StreamCollector

if TYPE_CHECKING:
    from openai.types import Completion
    from openai.types.chat import ChatCompletion, ChatCompletionMessage

    from .config import ConfigEntry

__all__ = ["OpenAIClient"]

logger = logging.getLogger(__name__)

# Azure api-versions from which streams can end with a usage chunk (stream_options.include_usage)
_AZURE_STREAM_USAGE_SINCE = "2024-09-01"

# request parameters that are request options for the SDK, not body fields
_OPTION_PARAMS = ("timeout", "max_retries", "extra_headers", "extra_query", "extra_body")


@dataclass
class _Request:
    path: str
    body: dict[str, Any]
    options: dict[str, Any]
    stream: bool
    is_chat: bool


def _in_event_loop() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


# (endpoint, path, model) whose first-use work (SDK client, types, route) is done
_warm: set[tuple[Any, ...]] = set()


def _timed_out(stream: Any) -> Exception:
    import openai

    return openai.APITimeoutError(request=stream.response.request)


def _check_deadline(deadline: Optional[float], stream: Any) -> None:
    """A stream whose deadline passed ends with the SDK's timeout error (its chunks arriving never so slowly)."""
    if deadline is not None and time.monotonic() > deadline:
        raise _timed_out(stream)


async def _next_before(chunks: Any, deadline: Optional[float], stream: Any) -> Any:
    """The next chunk of an async stream, waiting no later than ``deadline``."""
    import asyncio

    if deadline is None:
        return await chunks.__anext__()
    try:
        return await asyncio.wait_for(chunks.__anext__(), max(deadline - time.monotonic(), 0))
    except asyncio.TimeoutError:
        raise _timed_out(stream) from None


def _check_sdk_client(client: Any) -> None:
    """A client given to ``OpenAIClient`` must be the openai SDK's synchronous client."""
    import openai

    if isinstance(client, openai.OpenAI):  # AzureOpenAI is one too
        return
    if isinstance(client, (openai.AsyncOpenAI, openai.AsyncAzureOpenAI)):
        raise TypeError(
            f"OpenAIClient takes the synchronous openai.OpenAI / openai.AzureOpenAI client, got {type(client).__name__}; "
            "a_create sends a synchronous client's requests from a worker thread, so pass openai.OpenAI(...)."
        )
    raise TypeError(
        f"OpenAIClient's first argument must be an openai.OpenAI or openai.AzureOpenAI client, got "
        f"{type(client).__name__}. To build one from a config dict, use OpenAIWrapper(config_list=[...])."
    )


def _azure_stream_usage(api_version: Any) -> bool:
    """Whether streams of this Azure api-version can end with a usage chunk."""
    return api_version is not None and str(api_version) >= _AZURE_STREAM_USAGE_SINCE


def _stream_usage(client: Any) -> bool:
    """Whether to ask a given SDK client's endpoint for a usage chunk at the end of streams; warns, as classic
    AutoGen did, when an api.openai.com client has a key that does not look like an OpenAI key."""
    import openai

    if isinstance(client, openai.AzureOpenAI):
        return _azure_stream_usage(client.default_query.get("api-version"))
    from .api_keys import is_valid_api_key

    if str(client.base_url).startswith("https://api.openai.com") and not is_valid_api_key(client.api_key):
        logger.warning(
            "The API key specified is not a valid OpenAI format; it won't work with the OpenAI-hosted model."
        )
    return True


class OpenAIClient:
    """Sends chat completions to one OpenAI-compatible or Azure endpoint through the pooled SDK client."""

    # classic streaming helpers that plugins call (see autogen.oai.stream_chunks)
    _update_dict_from_chunk = staticmethod(update_dict_from_chunk)
    _update_function_call_from_chunk = staticmethod(update_function_call_from_chunk)
    _update_tool_calls_from_chunk = staticmethod(update_tool_calls_from_chunk)

    def __init__(
        self,
        client: Any,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        stream_usage: Optional[bool] = None,
        description: str = "",
    ):
        """``OpenAIClient(client)``: requests go through ``client``, an ``openai.OpenAI`` or ``openai.AzureOpenAI``
        instance (its base URL, headers, http_client, timeout and retries), as in classic AutoGen.

        Internally (``from_config``) ``client`` is an ``Endpoint``: requests go through the process-wide SDK clients
        of that endpoint, or straight over HTTP when the endpoint allows it (see the module docstring).
        """
        endpoint: Optional[Endpoint] = None
        if isinstance(client, Endpoint):
            client, endpoint = None, client
        self._given: Any = None
        if endpoint is None:
            _check_sdk_client(client)
            self._given = client
            if stream_usage is None:
                stream_usage = _stream_usage(client)
            description = description or f"{type(client).__name__}({client.base_url})"
        self.endpoint = endpoint
        self.timeout = timeout
        self.max_retries = max_retries
        self.stream_usage = True if stream_usage is None else stream_usage  # ask for a usage chunk at stream ends
        self.description = description or repr(endpoint)

    @classmethod
    def from_config(cls, entry: ConfigEntry) -> OpenAIClient:
        """The client for one config entry; builds (or reuses) the pooled SDK client right away,
        so a bad setting (e.g. no api_key anywhere) fails at construction.

        ``max_retries``: when the config sets none, a config with a next config to fall back to gets 0
        (the fallback is the retry, and it is immediate); the last config keeps the SDK default (2).
        """
        kwargs = dict(entry.client_kwargs)
        stream_usage = True
        if entry.api_type == "azure":
            api_version = entry.call_config.get("api_version")
            if api_version is not None:
                kwargs["api_version"] = api_version
            stream_usage = _azure_stream_usage(api_version)
        endpoint = make_endpoint(entry.api_type, kwargs, entry.config.get("model"))
        max_retries = kwargs.get("max_retries")
        if max_retries is None and not entry.is_last:
            max_retries = 0
        client = cls(
            endpoint,
            timeout=kwargs.get("timeout"),
            max_retries=max_retries,
            stream_usage=stream_usage,
            description=entry.description,
        )
        if not _in_event_loop() and not direct.sdk_free(endpoint):
            get_sync_client(endpoint)  # a bad setting fails here; on a running loop, at the first a_create
        return client

    def __repr__(self) -> str:
        return f"OpenAIClient({self.description})"

    @property
    def sdk_class_name(self) -> str:
        """The SDK class requests go through ("OpenAI" or "AzureOpenAI"): the class runtime logs name for this
        client, as classic logged the SDK object it built."""
        if self._given is not None:
            return type(self._given).__name__
        return "AzureOpenAI" if self.endpoint is not None and self.endpoint.api_type == "azure" else "OpenAI"

    # ----- the SDK clients (shared process-wide)
    @property
    def client(self) -> Any:
        """The synchronous ``openai.OpenAI`` / ``openai.AzureOpenAI`` client (the one given, else the pooled one)."""
        if self._given is not None:
            return self._given
        return get_sync_client(self.endpoint)  # type: ignore[arg-type]

    @property
    def _oai_client(self) -> Any:
        """Classic name of the SDK client (e.g. GPT assistant code reads ``wrapper._clients[0]._oai_client``)."""
        return self.client

    def _async_client(self) -> Any:
        """The running loop's ``openai.AsyncOpenAI`` / ``openai.AsyncAzureOpenAI`` client."""
        return get_async_client(self.endpoint)  # type: ignore[arg-type]

    def _in_worker(self, is_async: bool) -> bool:
        """Whether the sync SDK client's calls go to a worker thread: under asyncio, for a client given by the user
        (there is no async twin of it to use)."""
        return is_async and self._given is not None

    # ----- shared request building and response handling
    def _prepare(self, params: dict[str, Any]) -> _Request:
        body = dict(params)
        options: dict[str, Any] = {}
        timeout = coerce_timeout(body.pop("timeout", self.timeout), self.description)
        if timeout is not None:
            options["timeout"] = timeout
        max_retries = coerce_max_retries(body.pop("max_retries", self.max_retries), self.description)
        if max_retries is not None:
            options["max_retries"] = max_retries
        headers = body.pop("extra_headers", None)
        if headers:
            options["headers"] = headers
        query = body.pop("extra_query", None)
        if query:
            options["params"] = query
        extra_body = body.pop("extra_body", None)
        if extra_body:
            options["extra_json"] = extra_body
        is_chat = "messages" in body
        stream = bool(body.get("stream", False))
        if not is_chat and stream:
            logger.warning("Streaming is only supported for chat messages; sending the prompt without streaming.")
            body.pop("stream")
            stream = False
        if stream and self.stream_usage and "stream_options" not in body:
            body["stream_options"] = {"include_usage": True}
        if "response_format" in body:
            body["response_format"] = response_format_param(body["response_format"])
        return _Request("/chat/completions" if is_chat else "/completions", body, options, stream, is_chat)

    @contextmanager
    def _errors(self, request: _Request) -> Iterator[None]:
        """Turn transport-level surprises into errors that say what went wrong."""
        try:
            yield
        except json.JSONDecodeError as err:
            raise InvalidResponseError(
                f"{self.description} answered with a body that is not valid JSON ({err}); "
                "is base_url pointing at an OpenAI-compatible API (usually ending in /v1)?"
            ) from err
        except (TypeError, ValueError) as err:
            found = find_unserializable(request.body)
            if found is None:
                raise
            where, value = found
            raise RequestNotSerializableError(
                f"The request to {self.description} cannot be sent as JSON: {where} is a "
                f"{type(value).__name__} ({value!r:.100}). Messages and parameters may hold only str, numbers, "
                "bools, None, lists and dicts."
            ) from err

    def _types(self, request: _Request) -> tuple[type, Any]:
        load_openai()
        from openai import Stream
        from openai.types import Completion
        from openai.types.chat import ChatCompletion, ChatCompletionChunk

        return (ChatCompletion if request.is_chat else Completion), Stream[ChatCompletionChunk]

    def _check(self, response: Any, cast_to: type) -> Any:
        if type(response) is LazyChatCompletion:
            return response  # built only from a body whose choices are a list
        if not isinstance(response, cast_to) or not isinstance(getattr(response, "choices", None), list):
            shown = response.model_dump() if hasattr(response, "model_dump") else response
            raise InvalidResponseError(
                f"{self.description} answered with something that is not a "
                f"{'chat completion' if cast_to.__name__ == 'ChatCompletion' else 'completion'}: {str(shown)[:300]!r}"
            )
        return response

    def _new_collector(self) -> StreamCollector:
        from ..io.base import IOStream

        return StreamCollector(IOStream.get_default())

    def _streamed_completion(self, collector: StreamCollector, request: _Request) -> ChatCompletion:
        from openai.types.chat import ChatCompletion

        collector.finish()
        data = collector.completion_dict()
        if not data["choices"]:
            raise InvalidResponseError(
                f"{self.description} answered the streamed request without any completion chunk; "
                "does the endpoint support stream=True?"
            )
        cut = collector.incomplete_choices()
        if cut:
            raise IncompleteStreamError(
                f"{self.description}: the streamed answer ended without a finish_reason for choice(s) {cut} "
                "(no end of answer: the stream was cut, e.g. by a proxy or the network)."
            )
        if data["usage"] is None:
            # the endpoint sent no usage chunk: estimate with the tokenizer
            from ..token_count_utils import count_token

            model = data["model"] or request.body.get("model") or "gpt-4"
            prompt = count_token(request.body.get("messages", []), model)
            completion = count_token(collector.completion_text(), model)
            data["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            }
        return ChatCompletion(**data)

    # ----- the direct path (see direct.py): plain requests skip the SDK's per-call machinery
    @staticmethod
    def _direct_eligible(request: _Request) -> bool:
        return not request.stream and all(k in ("timeout", "max_retries") for k in request.options)

    def _route(self, request: _Request, is_async: bool) -> Optional[direct.Route]:
        """The direct route of an eligible request (None: the SDK sends it)."""
        if self.endpoint is None or not self._direct_eligible(request):
            return None  # a client given by the user sends everything itself
        route = direct.route_for(self.endpoint, request.path, self._model(request), self._sdk_client, is_async)
        return None if route is None or route.disabled else route

    def _sdk_client(self) -> Any:
        return self.client

    def _direct_result(self, request: _Request, answer: Any) -> Any:
        """The answer of the direct path: a chat completion stays the server's JSON until someone needs the SDK's
        ``ChatCompletion`` (see lazy_completion); anything else is parsed by the SDK's types as before."""
        if request.is_chat:
            lazy = from_body(answer.body, answer.header("x-request-id"))
            if lazy is not None:
                return lazy
        cast_to, _ = self._types(request)
        return self._check(direct.parse_response(cast_to, answer), cast_to)

    def _model(self, request: _Request) -> Optional[str]:
        model = request.body.get("model")
        return model if isinstance(model, str) else None

    # ----- ModelClient protocol
    def _create_flow(self, params: dict[str, Any]) -> Flow[Union[ChatCompletion, Completion]]:
        # create/a_create are marked with this flow: the wrapper's completion flow (and through it an agent's
        # turn) runs it in place, so a direct request is one coroutine chain from the agent to aiohttp.
        is_async = yield IS_ASYNC
        request = self._prepare(params)
        if is_async:
            warm_key = (self.endpoint, request.path, self._model(request), self._direct_eligible(request))
            if warm_key not in _warm:
                yield Invoke(self._first_use, args=(request,), blocking=True)
                _warm.add(warm_key)
        with self._errors(request):
            route = self._route(request, is_async)
            if route is not None:
                try:
                    answer = yield from direct.request_flow(route, request.body, request.options, is_async)
                    result = self._direct_result(request, answer)
                    if is_async and needs_sdk(result):  # a tool call: the SDK's message is read, load it off the loop
                        yield Invoke(build, args=(result,), blocking=True)
                    return result
                except direct.Unsupported as err:
                    self._leave_direct(route, err)
            return (yield from self._sdk_flow(request, is_async))

    @flow_backed(_create_flow)
    def create(self, params: dict[str, Any]) -> Union[ChatCompletion, Completion]:
        return run_sync(self._create_flow(params))

    @flow_backed(_create_flow)
    async def a_create(self, params: dict[str, Any]) -> Union[ChatCompletion, Completion]:
        return await run_async(self._create_flow(params))

    def _sdk_flow(self, request: _Request, is_async: bool) -> Flow[Union[ChatCompletion, Completion]]:
        """The request through the SDK client (streams, and what the direct path does not take); a stream cut
        short is sent again as the SDK's retry rules allow."""
        cast_to, stream_cls = self._types(request)
        in_worker = self._in_worker(is_async)
        if not request.stream:
            post = self._async_client().post if is_async and not in_worker else self.client.post
            kwargs = {"cast_to": cast_to, "body": request.body, "options": request.options}
            return self._check((yield Invoke(post, args=(request.path,), kwargs=kwargs, blocking=in_worker)), cast_to)
        stream = (
            Invoke(self._stream_async, args=(request, cast_to))
            if is_async and not in_worker
            else Invoke(self._stream_sync, args=(self.client, request, cast_to, stream_cls), blocking=in_worker)
        )
        tries = 0
        while True:
            try:
                return (yield stream)
            except IncompleteStreamError as err:
                tries += 1
                self._retry_or_raise(err, tries, request, self.client)

    def _stream_sync(self, client: Any, request: _Request, cast_to: type, stream_cls: Any) -> ChatCompletion:
        deadline = self._deadline(request)
        response = client.post(
            request.path,
            cast_to=cast_to,
            body=request.body,
            options=request.options,
            stream=True,
            stream_cls=stream_cls,
        )
        collector = self._new_collector()
        with self._cut_off():
            try:
                for chunk in response:
                    collector.add(chunk)
                    _check_deadline(deadline, response)
            finally:
                response.close()  # releases the connection even if the stream broke off
        return self._streamed_completion(collector, request)

    def _first_use(self, request: _Request) -> None:
        """Everything a first request needs that costs time, done once per endpoint and path (in a worker
        thread when called from ``a_create``): the direct route and aiohttp; the SDK, its types and client
        unless the route was worked out without them."""
        route = self._route(request, is_async=True)
        if route is not None:
            from . import transport

            transport.prepare_async()
            if route.sdk_loaded or not request.is_chat:
                direct.prepare_parsing(self._types(request)[0])
            return
        self.client  # noqa: B018 - builds the pooled SDK client (a given one exists already)
        self._types(request)
        # the async SDK client itself belongs to the loop: it is built there (cheaply, once imported)
        from openai import AsyncStream  # noqa: F401

    async def _stream_async(self, request: _Request, cast_to: type) -> ChatCompletion:
        from openai import AsyncStream
        from openai.types.chat import ChatCompletionChunk

        deadline = self._deadline(request)
        response = await self._async_client().post(
            request.path,
            cast_to=cast_to,
            body=request.body,
            options=request.options,
            stream=True,
            stream_cls=AsyncStream[ChatCompletionChunk],
        )
        collector = self._new_collector()
        with self._cut_off():
            try:
                chunks = response.__aiter__()
                while True:
                    try:
                        chunk = await _next_before(chunks, deadline, response)
                    except StopAsyncIteration:
                        break
                    collector.add(chunk)
            finally:
                await response.close()
        return self._streamed_completion(collector, request)

    # ----- cut streams: an error, retried like a failed request, then left to the next config
    @contextmanager
    def _cut_off(self) -> Iterator[None]:
        """A connection that breaks off while the answer streams in (not a timeout) means a cut stream."""
        import httpx
        from openai import APIConnectionError, APITimeoutError

        try:
            yield
        except (httpx.TimeoutException, APITimeoutError):
            raise
        except (httpx.TransportError, APIConnectionError) as err:  # newer SDKs wrap the httpx error
            raise IncompleteStreamError(
                f"{self.description}: the streamed answer broke off ({type(err).__name__}: {err})."
            ) from err

    def _retry_or_raise(self, err: IncompleteStreamError, tries: int, request: _Request, client: Any) -> None:
        """Return when the request should be sent again (``tries`` failed so far); else raise ``err``."""
        max_retries = request.options.get("max_retries", getattr(client, "max_retries", 2))
        if tries > int(max_retries or 0):
            raise err
        logger.warning("%s Retrying (%d of %d).", err, tries, max_retries)

    def _deadline(self, request: _Request) -> Optional[float]:
        """When a streamed answer must be complete: ``timeout`` seconds from now (the SDK's default otherwise)."""
        if not request.stream:
            return None
        timeout = request.options["timeout"] if "timeout" in request.options else self.client.timeout
        seconds = direct.deadline_seconds(timeout)[0]
        return None if seconds is None else time.monotonic() + seconds

    def _leave_direct(self, route: Any, err: Exception) -> None:
        route.disabled = True
        logger.info(
            "%s answered with something the direct path does not take (%s); the SDK sends from now on.",
            self.description,
            err,
        )

    def message_retrieval(self, response: Any) -> Union[list[str], list[ChatCompletionMessage]]:
        """Text of each choice; the message object itself when it carries tool or function calls."""
        texts = message_texts(response)
        if texts is not None:
            return texts
        if getattr(response, "object", None) == "text_completion":
            return [choice.text for choice in response.choices]
        out: list[Any] = []
        for choice in response.choices:
            message = choice.message
            if getattr(message, "tool_calls", None) or getattr(message, "function_call", None):
                out.append(message)
            else:
                out.append(message.content)
        return out

    def cost(self, response: Any) -> float:
        plain = usage_of(response)
        if plain is not None:
            data, counts = plain
            return compute_cost(data.get("model"), counts.get("prompt_tokens", 0), counts.get("completion_tokens", 0))
        usage = getattr(response, "usage", None)
        return compute_cost(
            getattr(response, "model", None),
            getattr(usage, "prompt_tokens", 0) if usage is not None else 0,
            getattr(usage, "completion_tokens", 0) if usage is not None else 0,
        )

    @staticmethod
    def get_usage(response: Any) -> dict[str, Any]:
        plain = usage_of(response)
        if plain is not None:
            data, counts = plain
            return {
                "prompt_tokens": counts.get("prompt_tokens") or 0,
                "completion_tokens": counts.get("completion_tokens") or 0,
                "total_tokens": counts.get("total_tokens") or 0,
                "cost": getattr(response, "cost", 0) or 0,
                "model": data.get("model", ""),
            }
        usage = getattr(response, "usage", None)
        return {
            "prompt_tokens": (usage.prompt_tokens or 0) if usage is not None else 0,
            "completion_tokens": (usage.completion_tokens or 0) if usage is not None else 0,
            "total_tokens": (usage.total_tokens or 0) if usage is not None else 0,
            "cost": getattr(response, "cost", 0) or 0,
            "model": getattr(response, "model", ""),
        }

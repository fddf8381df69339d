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
Even ``post`` costs 2-3 ms of CPU per call (options model, httpx request, httpcore/anyio I/O,
field-by-field response construction), which caps how many async chats one core can keep going.
So a request that is not streamed and goes to a plainly configured endpoint takes ``direct.py``
instead: the same URL, headers and JSON body the SDK would send (the SDK builds them once per
endpoint), over our own keep-alive connections, with the SDK's retry decisions and exception
types, parsed into the same ``ChatCompletion``. Everything else still goes through ``post``, and
``AUTOGEN_DIRECT_HTTP=0`` sends everything through it.

Sync and async differ only in which pooled SDK client is used and in ``await`` / ``async for``;
building the request, checking and assembling the response are shared.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Optional, Union

from . import direct
from .client_pool import Endpoint, get_async_client, get_async_connections, get_sync_client, make_endpoint
from .errors import InvalidResponseError, RequestNotSerializableError
from .json_utils import find_unserializable
from .model_prices import compute_cost
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


def _response_format_param(value: Any) -> Any:
    """A pydantic model class as response_format becomes a strict JSON-schema format."""
    if isinstance(value, type) and hasattr(value, "model_json_schema"):
        try:
            from openai.lib._parsing._completions import type_to_response_format_param

            return type_to_response_format_param(value)
        except ImportError:  # pragma: no cover - older openai
            return {
                "type": "json_schema",
                "json_schema": {"name": value.__name__, "schema": value.model_json_schema(), "strict": True},
            }
    return value


class OpenAIClient:
    """Sends chat completions to one OpenAI-compatible or Azure endpoint through the pooled SDK client."""

    # classic streaming helpers that plugins call (see autogen.oai.stream_chunks)
    _update_dict_from_chunk = staticmethod(update_dict_from_chunk)
    _update_function_call_from_chunk = staticmethod(update_function_call_from_chunk)
    _update_tool_calls_from_chunk = staticmethod(update_tool_calls_from_chunk)

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        stream_usage: bool = True,
        description: str = "",
    ):
        self.endpoint = endpoint
        self.timeout = timeout
        self.max_retries = max_retries
        self.stream_usage = stream_usage  # ask for a usage chunk at the end of streams
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
            stream_usage = api_version is not None and str(api_version) >= _AZURE_STREAM_USAGE_SINCE
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
        get_sync_client(endpoint)
        return client

    def __repr__(self) -> str:
        return f"OpenAIClient({self.description})"

    # ----- the SDK clients (shared process-wide)
    @property
    def client(self) -> Any:
        """The synchronous ``openai.OpenAI`` / ``openai.AzureOpenAI`` client."""
        return get_sync_client(self.endpoint)

    def _async_client(self) -> Any:
        """The running loop's ``openai.AsyncOpenAI`` / ``openai.AsyncAzureOpenAI`` client."""
        return get_async_client(self.endpoint)

    # ----- shared request building and response handling
    def _prepare(self, params: dict[str, Any]) -> _Request:
        body = dict(params)
        options: dict[str, Any] = {}
        timeout = body.pop("timeout", self.timeout)
        if timeout is not None:
            options["timeout"] = timeout
        max_retries = body.pop("max_retries", self.max_retries)
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
            body["response_format"] = _response_format_param(body["response_format"])
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
        from openai import Stream
        from openai.types import Completion
        from openai.types.chat import ChatCompletion, ChatCompletionChunk

        return (ChatCompletion if request.is_chat else Completion), Stream[ChatCompletionChunk]

    def _check(self, response: Any, cast_to: type) -> Any:
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

    def _model(self, request: _Request) -> Optional[str]:
        model = request.body.get("model")
        return model if isinstance(model, str) else None

    # ----- ModelClient protocol
    def create(self, params: dict[str, Any]) -> Union[ChatCompletion, Completion]:
        request = self._prepare(params)
        cast_to, stream_cls = self._types(request)
        client = self.client
        with self._errors(request):
            if self._direct_eligible(request):
                route = direct.sync_route(self.endpoint, request.path, self._model(request), client)
                if route is not None and not route.disabled:
                    try:
                        answer = direct.send_sync(route, request.body, request.options)
                        return self._check(direct.parse_response(cast_to, answer), cast_to)
                    except direct.Unsupported as err:
                        self._leave_direct(route, err)
            response = client.post(
                request.path,
                cast_to=cast_to,
                body=request.body,
                options=request.options,
                stream=request.stream,
                stream_cls=stream_cls,
            )
            if not request.stream:
                return self._check(response, cast_to)
            collector = self._new_collector()
            try:
                for chunk in response:
                    collector.add(chunk)
            finally:
                response.close()  # releases the connection even if the stream broke off
        return self._streamed_completion(collector, request)

    async def a_create(self, params: dict[str, Any]) -> Union[ChatCompletion, Completion]:
        request = self._prepare(params)
        cast_to, _ = self._types(request)
        with self._errors(request):
            if self._direct_eligible(request):
                route = await direct.async_route(
                    self.endpoint, request.path, self._model(request), self._async_client, self.client
                )
                if route is not None and not route.disabled:
                    try:
                        answer = await direct.send_async(route, request.body, request.options, get_async_connections())
                        return self._check(direct.parse_response(cast_to, answer), cast_to)
                    except direct.Unsupported as err:
                        self._leave_direct(route, err)
            from openai import AsyncStream
            from openai.types.chat import ChatCompletionChunk

            response = await self._async_client().post(
                request.path,
                cast_to=cast_to,
                body=request.body,
                options=request.options,
                stream=request.stream,
                stream_cls=AsyncStream[ChatCompletionChunk],
            )
            if not request.stream:
                return self._check(response, cast_to)
            collector = self._new_collector()
            try:
                async for chunk in response:
                    collector.add(chunk)
            finally:
                await response.close()
        return self._streamed_completion(collector, request)

    def _leave_direct(self, route: Any, err: Exception) -> None:
        route.disabled = True
        logger.info(
            "%s answered with something the direct path does not take (%s); the SDK sends from now on.",
            self.description,
            err,
        )

    def message_retrieval(self, response: Any) -> Union[list[str], list[ChatCompletionMessage]]:
        """Text of each choice; the message object itself when it carries tool or function calls."""
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
        usage = getattr(response, "usage", None)
        return compute_cost(
            getattr(response, "model", None),
            getattr(usage, "prompt_tokens", 0) if usage is not None else 0,
            getattr(usage, "completion_tokens", 0) if usage is not None else 0,
        )

    @staticmethod
    def get_usage(response: Any) -> dict[str, Any]:
        usage = getattr(response, "usage", None)
        return {
            "prompt_tokens": (usage.prompt_tokens or 0) if usage is not None else 0,
            "completion_tokens": (usage.completion_tokens or 0) if usage is not None else 0,
            "total_tokens": (usage.total_tokens or 0) if usage is not None else 0,
            "cost": getattr(response, "cost", 0) or 0,
            "model": getattr(response, "model", ""),
        }

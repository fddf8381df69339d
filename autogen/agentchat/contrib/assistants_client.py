"""The OpenAI Assistants API (v2) requests GPTAssistantAgent makes, and the effects that send them.

A request is plain data (:class:`ApiRequest`: method, path, body, query, result type) built by the
small functions below. :class:`AssistantsClient` sends it through one endpoint's pooled openai SDK
client, blocking (:meth:`~AssistantsClient.send`) or awaited on the async client of the running event
loop (:meth:`~AssistantsClient.a_send`); the flows of the agent yield :class:`ApiCall` effects, so the
same flow serves sync and async chats (see ``autogen._flow``).

Requests go through the SDK's own ``get``/``post``/``delete`` with the ``OpenAI-Beta: assistants=v2``
header and are parsed into the SDK's types (``Assistant``, ``Thread``, ``Run``, ``Message``, ...):
authentication, Azure routing, retries and the ``openai.APIError`` family stay the SDK's. The typed
``client.beta.assistants`` resources are not used because every call there emits a
``DeprecationWarning`` in current openai releases; the REST paths are the documented ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional
from urllib.parse import quote

from ..._flow import Effect
from ...exception_utils import ConfigError

if TYPE_CHECKING:
    from ...oai.client_pool import Endpoint

__all__ = [
    "BETA_HEADERS",
    "ApiCall",
    "ApiRequest",
    "AssistantsClient",
    "Sleep",
    "cancel_run",
    "create_assistant",
    "create_message",
    "create_run",
    "create_thread",
    "delete_assistant",
    "delete_thread",
    "list_assistants",
    "list_messages",
    "retrieve_assistant",
    "retrieve_file",
    "retrieve_run",
    "submit_tool_outputs",
    "update_assistant",
]

logger = logging.getLogger(__name__)

BETA_HEADERS = {"OpenAI-Beta": "assistants=v2"}


def _result_types() -> Dict[str, Any]:
    from openai.pagination import SyncCursorPage
    from openai.types import FileObject
    from openai.types.beta import Assistant, AssistantDeleted, Thread, ThreadDeleted
    from openai.types.beta.threads import Message, Run

    return {
        "assistant": Assistant,
        "assistant.deleted": AssistantDeleted,
        "assistant.list": SyncCursorPage[Assistant],
        "thread": Thread,
        "thread.deleted": ThreadDeleted,
        "message": Message,
        "message.list": SyncCursorPage[Message],
        "run": Run,
        "file": FileObject,
    }


_TYPES: Optional[Dict[str, Any]] = None


def result_type(kind: str) -> Any:
    """The openai SDK type a response of ``kind`` is parsed into (imported on first use)."""
    global _TYPES
    if _TYPES is None:
        _TYPES = _result_types()
    return _TYPES[kind]


@dataclass(frozen=True)
class ApiRequest:
    """One Assistants API request, as data."""

    method: str  # "get", "post" or "delete"
    path: str  # relative to the client's base URL, e.g. "/threads/thread_abc/runs"
    result: str  # the kind of object answered (see ``result_type``)
    body: Optional[Dict[str, Any]] = None
    query: Optional[Dict[str, Any]] = None


def _id(value: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"An Assistants API object id must be a non-empty string, got {value!r}.")
    return quote(value, safe="")


def _without_none(params: Mapping[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


# ------------------------------------------------------------------------------------- requests --
def create_assistant(params: Mapping[str, Any]) -> ApiRequest:
    return ApiRequest("post", "/assistants", "assistant", body=_without_none(params))


def retrieve_assistant(assistant_id: str) -> ApiRequest:
    return ApiRequest("get", f"/assistants/{_id(assistant_id)}", "assistant")


def update_assistant(assistant_id: str, params: Mapping[str, Any]) -> ApiRequest:
    return ApiRequest("post", f"/assistants/{_id(assistant_id)}", "assistant", body=dict(params))


def delete_assistant(assistant_id: str) -> ApiRequest:
    return ApiRequest("delete", f"/assistants/{_id(assistant_id)}", "assistant.deleted")


def list_assistants(after: Optional[str] = None, limit: int = 100, order: str = "desc") -> ApiRequest:
    query = _without_none({"limit": limit, "order": order, "after": after})
    return ApiRequest("get", "/assistants", "assistant.list", query=query)


def create_thread(messages: Optional[List[Dict[str, Any]]] = None) -> ApiRequest:
    return ApiRequest("post", "/threads", "thread", body=_without_none({"messages": messages}))


def delete_thread(thread_id: str) -> ApiRequest:
    return ApiRequest("delete", f"/threads/{_id(thread_id)}", "thread.deleted")


def create_message(thread_id: str, message: Mapping[str, Any]) -> ApiRequest:
    return ApiRequest("post", f"/threads/{_id(thread_id)}/messages", "message", body=dict(message))


def list_messages(
    thread_id: str,
    *,
    run_id: Optional[str] = None,
    order: str = "asc",
    after: Optional[str] = None,
    limit: int = 100,
) -> ApiRequest:
    query = _without_none({"run_id": run_id, "order": order, "after": after, "limit": limit})
    return ApiRequest("get", f"/threads/{_id(thread_id)}/messages", "message.list", query=query)


def create_run(thread_id: str, params: Mapping[str, Any]) -> ApiRequest:
    return ApiRequest("post", f"/threads/{_id(thread_id)}/runs", "run", body=_without_none(params))


def retrieve_run(thread_id: str, run_id: str) -> ApiRequest:
    return ApiRequest("get", f"/threads/{_id(thread_id)}/runs/{_id(run_id)}", "run")


def cancel_run(thread_id: str, run_id: str) -> ApiRequest:
    return ApiRequest("post", f"/threads/{_id(thread_id)}/runs/{_id(run_id)}/cancel", "run", body={})


def submit_tool_outputs(thread_id: str, run_id: str, outputs: List[Dict[str, Any]]) -> ApiRequest:
    path = f"/threads/{_id(thread_id)}/runs/{_id(run_id)}/submit_tool_outputs"
    return ApiRequest("post", path, "run", body={"tool_outputs": outputs})


def retrieve_file(file_id: str) -> ApiRequest:
    return ApiRequest("get", f"/files/{_id(file_id)}", "file")


# --------------------------------------------------------------------------------------- client --
class AssistantsClient:
    """Sends :class:`ApiRequest` s to one endpoint, with the sync SDK client or the async one.

    Built from an llm_config with :meth:`from_llm_config` (the pooled clients of ``autogen.oai``), or
    around a given ``openai.OpenAI`` client with :meth:`for_sdk_client` (then the async path runs the
    sync client in a worker thread).
    """

    def __init__(
        self,
        sync_client: Callable[[], Any],
        async_client: Optional[Callable[[], Any]] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        description: str = "",
    ) -> None:
        self._sync_client = sync_client
        self._async_client = async_client
        self.timeout = timeout
        self.max_retries = max_retries
        self.description = description

    @classmethod
    def for_sdk_client(cls, client: Any) -> AssistantsClient:
        if isinstance(client, AssistantsClient):
            return client
        return cls(lambda: client, description=repr(getattr(client, "base_url", client)))

    @classmethod
    def from_endpoint(
        cls,
        endpoint: Endpoint,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        description: str = "",
    ) -> AssistantsClient:
        from ...oai.client_pool import get_async_client, get_sync_client

        return cls(
            lambda: get_sync_client(endpoint),
            lambda: get_async_client(endpoint),
            timeout=timeout,
            max_retries=max_retries,
            description=description or repr(endpoint),
        )

    @classmethod
    def from_llm_config(cls, llm_config: Mapping[str, Any]) -> AssistantsClient:
        """The client for the first config of ``llm_config`` (the base settings merge under it)."""
        import openai

        from ...oai.config import prepare_config_list
        from ...oai.openai_client import OpenAIClient

        config_list = llm_config.get("config_list")
        base = {k: v for k, v in llm_config.items() if k != "config_list"}
        if isinstance(config_list, (list, tuple)):
            if len(config_list) > 1:
                logger.warning("GPT Assistant only supports one OpenAI client. Using the first client in the list.")
            config_list = list(config_list[:1])
        entry = prepare_config_list(config_list, base)[0]
        if entry.api_type not in ("openai", "azure"):
            raise ConfigError(
                f"GPTAssistantAgent talks to the OpenAI Assistants API, but {entry.description} names a custom model "
                "client. Give the agent a config for an OpenAI or Azure OpenAI endpoint."
            )
        try:
            client = OpenAIClient.from_config(entry)
        except openai.OpenAIError as err:
            raise ConfigError(
                f"GPTAssistantAgent cannot build an OpenAI client from {entry.description}: {err} "
                "Set 'api_key' (and 'base_url'; for Azure also 'api_type': 'azure' and 'api_version') "
                "in the first config of llm_config['config_list']."
            ) from err
        assert client.endpoint is not None  # from_config always builds an endpoint (only a given SDK client has none)
        return cls.from_endpoint(client.endpoint, client.timeout, client.max_retries, entry.description)

    @property
    def sync_client(self) -> Any:
        """The ``openai.OpenAI`` (or ``AzureOpenAI``) client requests go through."""
        return self._sync_client()

    def _call_args(self, request: ApiRequest) -> Dict[str, Any]:
        options: Dict[str, Any] = {"headers": BETA_HEADERS}
        if request.query:
            options["params"] = request.query
        if self.timeout is not None:
            options["timeout"] = self.timeout
        if self.max_retries is not None:
            options["max_retries"] = self.max_retries
        kwargs: Dict[str, Any] = {"cast_to": result_type(request.result), "options": options}
        if request.method == "post":
            kwargs["body"] = request.body or {}
        return kwargs

    def send(self, request: ApiRequest) -> Any:
        """Send ``request`` and wait for the answer (parsed into the SDK's type)."""
        return getattr(self.sync_client, request.method)(request.path, **self._call_args(request))

    async def a_send(self, request: ApiRequest) -> Any:
        """Send ``request`` without blocking the event loop."""
        if self._async_client is None:
            import asyncio

            return await asyncio.to_thread(self.send, request)
        client = self._async_client()
        return await getattr(client, request.method)(request.path, **self._call_args(request))

    def call(self, request: ApiRequest) -> ApiCall:
        """The effect a flow yields to send ``request``."""
        return ApiCall(self, request)


# -------------------------------------------------------------------------------------- effects --
class ApiCall(Effect):
    """Send one Assistants API request: blocking in sync chats, awaited in async chats."""

    __slots__ = ("client", "request")

    def __init__(self, client: AssistantsClient, request: ApiRequest) -> None:
        self.client = client
        self.request = request

    def run_sync(self) -> Any:
        return self.client.send(self.request)

    async def run_async(self) -> Any:
        return await self.client.a_send(self.request)

    def __repr__(self) -> str:
        return f"ApiCall({self.request.method.upper()} {self.request.path})"


class Sleep(Effect):
    """Wait: ``time.sleep`` in sync chats, ``asyncio.sleep`` (never blocking the loop) in async chats."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, float(seconds))

    def run_sync(self) -> None:
        import time

        time.sleep(self.seconds)

    async def run_async(self) -> None:
        import asyncio

        await asyncio.sleep(self.seconds)

    def __repr__(self) -> str:
        return f"Sleep({self.seconds})"

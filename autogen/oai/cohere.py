"""``CohereClient``: Cohere's Command models (``api_type: "cohere"``), through the ``cohere`` SDK's v2 chat API.

Config keys (classic): ``model``, ``api_key`` (else ``CO_API_KEY`` or classic's ``COHERE_API_KEY``), ``base_url``
(else ``CO_API_URL``), ``client_name``, ``temperature``, ``max_tokens``, ``k`` (or ``top_k``), ``p`` (or ``top_p``), ``seed``,
``frequency_penalty``, ``presence_penalty``, ``stop`` (Cohere's ``stop_sequences``), ``strict_tools``,
``response_format``, ``hide_tools``, ``timeout``, ``max_retries``.

Cohere's v2 format: the answer's content is a list of text items, usage counts input/output tokens,
finish reasons are COMPLETE / TOOL_CALL / MAX_TOKENS, and an assistant turn that calls tools carries
its reasoning in ``tool_plan`` (kept as the message text here and sent back as ``tool_plan``).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any, Mapping, Optional

from .client_utils import (  # noqa: F401 - validate_parameter: a classic module name
    ToolCall,
    build_chat_completion,
    function_declarations,
    tool_arguments_json,
    validate_parameter,
)
from .errors import ProviderAPIError, ProviderTimeoutError
from .model_prices import compute_cost
from .openai_compatible import NUMBER, OpenAICompatibleClient
from .provider_client import ProviderCall

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

__all__ = [
    "CohereClient",
    "CohereError",
    "CohereRateLimitError",
    "COHERE_PRICING_1K",
    "calculate_cohere_cost",
    "oai_messages_to_cohere_messages",
]

logger = logging.getLogger(__name__)


class CohereError(ProviderAPIError):
    """Cohere refused or failed a request (classic name; a ``ProviderAPIError``, so the wrapper falls back)."""


class CohereRateLimitError(CohereError):
    """Cohere answered HTTP 429: too many requests."""


class CohereClient(OpenAICompatibleClient):
    API_TYPE = "cohere"
    PROVIDER = "Cohere"
    SDK_MODULE = "cohere"
    SDK_PACKAGE = "cohere"
    EXTRA = "cohere"
    SDK_CLASS = "ClientV2"
    ASYNC_SDK_CLASS = "AsyncClientV2"
    ERROR_TYPES = ("cohere.core.api_error.ApiError",)
    API_KEY_ENV = ("COHERE_API_KEY", "CO_API_KEY")  # the SDK reads both (classic only the first)
    CLASSIC_NO_KEY = (
        "Please include the api_key in your config list entry for Cohere or set the COHERE_API_KEY env variable."
    )
    CLASSIC_NO_MODEL = "Please specify the 'model' in your config list entry to nominate the Cohere model to use."
    CREATE_PATH = "chat"
    BASE_URL_SUFFIXES = ("/v2", "/v1")
    MESSAGE_NAMES = False
    PARAMS = {
        "temperature": ("temperature", NUMBER, (0, 5)),
        "max_tokens": ("max_tokens", int, (1, None)),
        "k": ("k", int, (0, 500)),
        "top_k": ("k", int, (0, 500)),
        "p": ("p", NUMBER, (0.01, 0.99)),
        "top_p": ("p", NUMBER, (0.01, 0.99)),
        "seed": ("seed", int, None),
        "frequency_penalty": ("frequency_penalty", NUMBER, (0, 1)),
        "presence_penalty": ("presence_penalty", NUMBER, (0, 1)),
        "strict_tools": ("strict_tools", bool, None),
    }
    # USD per 1k tokens (input, output), from Cohere's price list
    PRICES = {
        "command-a-03-2025": (0.0025, 0.01),
        "command-r-plus": (0.0025, 0.01),
        "command-r-plus-08-2024": (0.0025, 0.01),
        "command-r": (0.00015, 0.0006),
        "command-r-08-2024": (0.00015, 0.0006),
        "command-r7b-12-2024": (0.0000375, 0.00015),
        "command": (0.001, 0.002),
        "command-light": (0.0003, 0.0006),
    }

    def sdk_client_kwargs(self) -> dict[str, Any]:
        kwargs = super().sdk_client_kwargs()
        if "base_url" not in kwargs and os.environ.get("CO_API_URL"):
            kwargs["base_url"] = os.environ["CO_API_URL"]  # the SDK reads it only when it is imported
        if self.config.get("client_name"):
            kwargs["client_name"] = self.config["client_name"]
        kwargs["log_warning_experimental_features"] = False
        return kwargs

    def prepare(self, params: dict[str, Any]) -> ProviderCall:
        call = super().prepare(params)
        stop = params.get("stop")
        if stop:
            call.kwargs["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
        return call

    @classmethod
    def convert_message(cls, message: Mapping[str, Any]) -> dict[str, Any]:
        out = super().convert_message(message)
        if out["role"] == "assistant" and out.get("tool_calls"):
            plan = out.pop("content", None)
            if plan:
                out["tool_plan"] = plan
        elif out["role"] == "assistant" and out.get("content") is None:
            out["content"] = ""
        return out

    def response_format(self, value: Any) -> Any:
        # Cohere: {"type": "json_object", "json_schema": {...}} instead of OpenAI's named json_schema
        if isinstance(value, Mapping) and value.get("type") == "json_schema":
            return {"type": "json_object", "json_schema": value["json_schema"].get("schema", {})}
        return value

    def error_class(self, status: Optional[int], timed_out: bool) -> type[ProviderAPIError]:
        if timed_out:
            return ProviderTimeoutError
        return CohereRateLimitError if status == 429 else CohereError

    def describe_error(self, err: BaseException, call: ProviderCall) -> str:
        body = getattr(err, "body", None)
        detail: Optional[str] = body.get("message") if isinstance(body, Mapping) else None
        status = self.status_of(err)
        where = f" (HTTP {status})" if status else ""
        return f"Cohere request for model {call.model!r} failed{where}: {detail or body or err}"

    def parse(self, raw: Any, call: ProviderCall) -> ChatCompletion:
        message = raw.message
        calls = [
            ToolCall(id=c.id, name=c.function.name, arguments=tool_arguments_json(c.function.arguments))
            for c in message.tool_calls or []
        ]
        text = "".join(getattr(item, "text", "") or "" for item in message.content or [])
        if calls and not text:
            text = message.tool_plan or ""
        usage = raw.usage
        tokens = (usage.billed_units or usage.tokens) if usage is not None else None  # billed units are what costs
        return build_chat_completion(
            model=call.model,
            text=text or (None if calls else ""),
            tool_calls=calls,
            prompt_tokens=int(getattr(tokens, "input_tokens", 0) or 0),
            completion_tokens=int(getattr(tokens, "output_tokens", 0) or 0),
            finish_reason=raw.finish_reason,
            response_id=raw.id,
        )


COHERE_PRICING_1K = CohereClient.PRICES  # the classic name of the same table


def oai_messages_to_cohere_messages(
    messages: list[dict[str, Any]], params: dict[str, Any], cohere_params: dict[str, Any]
) -> tuple[list[dict[str, Any]], str, str]:
    """Classic helper: ``(history, preamble, message)`` for OpenAI-format ``messages``.

    The messages are in the v2 chat format this client sends (``role``/``content``; an assistant's tool calls with
    its ``tool_plan``; tool results as ``tool`` messages). ``preamble`` is the text of the system messages;
    ``message`` is the text of a final user message (taken out of the history), "" when the conversation ends with
    tool results, else "Please continue.". The tools of ``params`` are put into ``cohere_params["tools"]``.
    """
    tools = function_declarations(params)
    if tools:
        cohere_params["tools"] = [{"type": "function", "function": tool} for tool in tools]
    preamble = "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "system")
    history = [CohereClient.convert_message(m) for m in messages if m.get("role") != "system"]
    last = history[-1] if history else {}
    if last.get("role") == "user" and isinstance(last.get("content"), str):
        history.pop()
        return history, preamble, last["content"]
    return history, preamble, "" if last.get("role") == "tool" else "Please continue."


def calculate_cohere_cost(input_tokens: int, output_tokens: int, model: str) -> float:
    """The cost in USD of a Cohere call from its token counts (0, with a warning, for a model without a price)."""
    return compute_cost(model, input_tokens, output_tokens, table=COHERE_PRICING_1K)

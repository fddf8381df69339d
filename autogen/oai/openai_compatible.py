"""``OpenAICompatibleClient``: the base of provider clients whose SDK speaks chat completions in OpenAI's shape.

Groq, Together, Cerebras (and, with its own SDK calls, Mistral) take OpenAI-style messages and tools and
answer with choices / message / tool_calls / usage; what differs is the SDK class, which message fields
and parameters each accepts, and its prices. Subclasses set those as class attributes and, where the
provider has its own rules, override ``convert_message``.

Config keys: ``api_key`` (else the SDK's own environment variable, e.g. ``GROQ_API_KEY``), ``base_url``
(else the SDK's, e.g. ``GROQ_BASE_URL``), ``timeout``, ``max_retries``, ``hide_tools``, and the sampling
parameters listed in the subclass's ``PARAMS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Mapping, Optional, Union

from ..exception_utils import ConfigAssertionError, ConfigError
from .client_utils import (
    ToolCall,
    build_chat_completion,
    content_parts,
    content_text,
    function_declarations,
    message_tool_calls,
    response_format_param,
    should_hide_tools,
    tool_arguments_json,
    tool_result_id,
    validate_parameter,
)
from .provider_client import ProviderCall, ProviderClient

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

__all__ = ["OpenAICompatibleClient", "Param"]

# (request field, allowed types, (lower, upper) bound or None)
Param = tuple[str, Union[type, tuple[type, ...]], Optional[tuple[Optional[float], Optional[float]]]]

NUMBER = (int, float)

COMMON_PARAMS: dict[str, Param] = {
    "temperature": ("temperature", NUMBER, (0, 2)),
    "top_p": ("top_p", NUMBER, (0, 1)),
    "max_tokens": ("max_tokens", int, (1, None)),
    "seed": ("seed", int, None),
    "stop": ("stop", (str, list), None),
    "frequency_penalty": ("frequency_penalty", NUMBER, (-2, 2)),
    "presence_penalty": ("presence_penalty", NUMBER, (-2, 2)),
}


class OpenAICompatibleClient(ProviderClient):
    """A provider SDK with ``client.chat.completions.create(**kwargs)`` returning an OpenAI-shaped completion."""

    SDK_CLASS: ClassVar[str] = ""  # e.g. "Groq"
    ASYNC_SDK_CLASS: ClassVar[str] = ""  # e.g. "AsyncGroq"
    PARAMS: ClassVar[Mapping[str, Param]] = COMMON_PARAMS
    TAKES_IMAGES: ClassVar[bool] = True
    MESSAGE_NAMES: ClassVar[bool] = True  # whether messages may carry "name"
    CREATE_PATH: ClassVar[str] = "chat.completions.create"
    ASYNC_CREATE_PATH: ClassVar[Optional[str]] = None  # when the async client names it differently
    SDK_BASE_ERROR: ClassVar[str] = ""  # e.g. "GroqError"
    BASE_URL_SUFFIXES: ClassVar[tuple[str, ...]] = ("/v1",)  # what the SDK adds to the base URL itself

    def sdk_client_kwargs(self) -> dict[str, Any]:
        """Settings for the SDK client; unset ones are left to the SDK (and its environment variables)."""
        kwargs = {k: self.config[k] for k in ("api_key", "timeout", "max_retries") if self.config.get(k)}
        if self.base_url():
            kwargs["base_url"] = self.base_url()
        if self.config.get("max_retries") == 0:
            kwargs["max_retries"] = 0
        return kwargs

    def base_url(self) -> Optional[str]:
        """The configured ``base_url`` without the API path the SDK appends itself (``/v1`` and the like), so
        the URL a user would give an OpenAI-compatible client works too."""
        url = self.config.get("base_url")
        if not url:
            return None
        url = str(url).rstrip("/")
        for suffix in self.BASE_URL_SUFFIXES:
            if url.endswith(suffix):
                return url[: -len(suffix)]
        return url

    def make_sdk_client(self, is_async: bool) -> Any:
        cls = getattr(self.sdk, self.ASYNC_SDK_CLASS if is_async else self.SDK_CLASS)
        try:
            return cls(**self.sdk_client_kwargs())
        except self.sdk_error_types() as err:  # e.g. no api_key anywhere
            raise ConfigError(f"{self.PROVIDER} client: {err}. Set 'api_key' in the config entry.") from err

    def sdk_error_types(self) -> tuple[type[BaseException], ...]:
        """The SDK's base error (raised e.g. when no api_key is set anywhere)."""
        return (getattr(self.sdk, self.SDK_BASE_ERROR),) if self.SDK_BASE_ERROR else ()

    # ----- request
    def parse_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """The model and the sampling settings of ``params`` as the provider's request takes them (classic name).

        Values of the wrong type or out of range are left out with a warning; settings not given are left to the
        provider's defaults.
        """
        model = params.get("model")
        if not model:
            raise ConfigAssertionError(f"{self.CLASSIC_NO_MODEL} A {self.PROVIDER} config needs a 'model'.".lstrip())
        out: dict[str, Any] = {"model": model}
        for key, (field, types, bound) in self.PARAMS.items():
            if params.get(key) is not None:
                value = validate_parameter(params, key, types, True, None, bound, None)
                if value is not None:
                    out[field] = value
        return out

    def prepare(self, params: dict[str, Any]) -> ProviderCall:
        settings = self.parse_params(params)
        model = settings.pop("model")
        messages = params.get("messages") or []
        kwargs: dict[str, Any] = {"model": model, "messages": [self.convert_message(m) for m in messages]}
        tools = function_declarations(params)
        if tools and not should_hide_tools(
            messages, params.get("tools"), self.setting(params, "hide_tools", default="never")
        ):
            kwargs["tools"] = [{"type": "function", "function": t} for t in tools]
            if params.get("tool_choice") is not None:
                kwargs["tool_choice"] = params["tool_choice"]
        kwargs.update(settings)
        if params.get("response_format") is not None:
            kwargs["response_format"] = self.response_format(response_format_param(params["response_format"]))
        return ProviderCall(path=self.CREATE_PATH, async_path=self.ASYNC_CREATE_PATH, kwargs=kwargs, model=model)

    def response_format(self, value: Any) -> Any:
        """OpenAI's ``response_format`` as the provider takes it (the same shape, unless overridden)."""
        return value

    @classmethod
    def convert_message(cls, message: Mapping[str, Any]) -> dict[str, Any]:
        """One OpenAI message as the provider takes it: known fields only, images only where supported."""
        role = message.get("role")
        content = message.get("content")
        if role in ("tool", "function"):  # "function": a legacy function result
            text = content_text(content) if isinstance(content, list) else str(content or "")
            return {"role": "tool", "content": text, "tool_call_id": tool_result_id(message)}
        out: dict[str, Any] = {"role": role}
        if isinstance(content, list):
            has_images = any(not isinstance(p, str) for p in content_parts(content))
            if has_images and not cls.TAKES_IMAGES:
                raise ValueError(f"{cls.PROVIDER} models do not take images; send text only.")
            out["content"] = content if has_images else content_text(content)
        else:
            out["content"] = content if content is not None else ("" if role != "assistant" else None)
        calls = message_tool_calls(message) if role == "assistant" else []
        if calls:
            out["tool_calls"] = [
                {
                    "id": call["id"],
                    "type": "function",
                    "function": {
                        "name": call["function"]["name"],
                        "arguments": tool_arguments_json(call["function"].get("arguments") or "{}"),
                    },
                }
                for call in calls
            ]
        if cls.MESSAGE_NAMES and message.get("name") and role in ("user", "assistant", "system"):
            out["name"] = message["name"]
        return out

    # ----- response
    def parse(self, raw: Any, call: ProviderCall) -> ChatCompletion:
        choice = raw.choices[0]
        message = choice.message
        calls = [
            ToolCall(id=c.id, name=c.function.name, arguments=tool_arguments_json(c.function.arguments))
            for c in (getattr(message, "tool_calls", None) or [])
        ]
        usage = getattr(raw, "usage", None)
        return build_chat_completion(
            model=getattr(raw, "model", None) or call.model,
            text=_text(getattr(message, "content", None)),
            tool_calls=calls,
            prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
            finish_reason=getattr(choice, "finish_reason", None),
            response_id=getattr(raw, "id", None),
            created=getattr(raw, "created", None),
        )


def _text(content: Any) -> Optional[str]:
    if content is None or isinstance(content, str):
        return content
    return "".join(getattr(part, "text", "") or "" for part in content)  # content chunks (Mistral)

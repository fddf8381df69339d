"""Helpers shared by the non-OpenAI provider clients (Anthropic, Gemini, Bedrock, Ollama, Mistral, ...).

Pure functions, no SDK at module level:

* the classic helpers ``validate_parameter`` and ``should_hide_tools``;
* ``import_sdk``: the lazy import of a provider SDK, failing with the ``pip install "pyautogen[extra]"`` to run;
* reading OpenAI-format messages: text of a content, its parts (text / images), data URLs, tool-call arguments;
* ``function_declarations``: OpenAI ``tools`` (and legacy ``functions``) as plain JSON-schema declarations;
* ``build_chat_completion`` / ``ToolCall``: a provider's answer as an openai ``ChatCompletion``;
* ``usage_of`` / ``provider_cost``: usage in the classic keys, and its cost from a provider price table.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import json
import time
import uuid
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

from .model_prices import Price, compute_cost

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

__all__ = [
    "ImagePart",
    "ToolCall",
    "build_chat_completion",
    "content_parts",
    "content_text",
    "fetch_image",
    "function_declarations",
    "import_sdk",
    "legacy_call_id",
    "message_tool_calls",
    "new_tool_call_id",
    "parse_data_url",
    "parse_tool_arguments",
    "provider_cost",
    "response_format_param",
    "should_hide_tools",
    "tool_result_id",
    "tool_arguments_json",
    "usage_of",
    "validate_parameter",
]


# ----- classic helpers


def validate_parameter(
    params: Mapping[str, Any],
    param_name: str,
    allowed_types: Union[type, tuple[type, ...]],
    allow_None: bool,  # noqa: N803 - the classic keyword name
    default_value: Any,
    numerical_bound: Optional[tuple[Optional[float], Optional[float]]],
    allowed_values: Optional[list[Any]],
) -> Any:
    """The value of ``params[param_name]`` if it is valid, else ``default_value`` with a warning.

    Valid means: of ``allowed_types`` (or None when ``allow_None``), inside ``numerical_bound``
    (``(lower, upper)``, either may be None) and one of ``allowed_values`` when given.
    A missing parameter gives ``default_value`` without a warning.
    """
    if allowed_values is not None and not isinstance(allowed_values, list):
        raise TypeError(f"allowed_values should be a list or None, got {type(allowed_values).__name__}")
    if param_name not in params:
        return default_value
    value: Any = params[param_name]
    # the warnings say what classic 0.2.35's said, word for word (0.2-era tests match them)
    or_none = ", or can be None" if allow_None else ""
    problem = ""
    if value is None:
        if not allow_None:
            problem = "cannot be None"
    elif not isinstance(value, allowed_types):
        if isinstance(allowed_types, tuple):
            names = "(" + ", ".join(t.__name__ for t in allowed_types) + ")"
        else:
            names = allowed_types.__name__
        problem = f"must be of type {names}{' or None' if allow_None else ''}"
    elif numerical_bound is not None:
        lower, upper = numerical_bound
        number: Any = value
        if (lower is not None and number < lower) or (upper is not None and number > upper):
            low = f", >= {lower}" if lower is not None else ""
            high = f"{' and' if low else ''} <= {upper}" if upper is not None else ""
            problem = f"has numerical bounds{low}{high}{or_none}"
    if not problem and value is not None and allowed_values and value not in allowed_values:
        problem = f"must be one of these values [{allowed_values}]{or_none}"
    if problem:
        warnings.warn(f"Config error - {param_name} {problem}, defaulting to {default_value}.", UserWarning, 2)
        return default_value
    return value


def should_hide_tools(messages: Sequence[Mapping[str, Any]], tools: Optional[list[Any]], hide_tools_param: str) -> bool:
    """Whether to leave ``tools`` out of the next request (to stop a model from calling tools in a loop).

    ``hide_tools_param``: "never"; "if_any_run" (some tool has been called in ``messages``);
    "if_all_run" (every tool in ``tools`` has been called at least once).
    """
    if hide_tools_param not in ("never", "if_any_run", "if_all_run"):
        raise TypeError(
            f"hide_tools must be 'never', 'if_any_run' or 'if_all_run', got {hide_tools_param!r}; "
            "set it in the config entry."
        )
    if hide_tools_param == "never" or not tools:
        return False
    called = {
        (call.get("function") or {}).get("name")
        for message in messages
        for call in (message.get("tool_calls") or [])
        if isinstance(call, Mapping)
    }
    if hide_tools_param == "if_any_run":
        return bool(called)
    names = {(tool.get("function") or {}).get("name") for tool in tools if isinstance(tool, Mapping)}
    return names <= called


# ----- SDK import


# the classic 0.2 sentences (code matches on them); Cohere's named the Groq API there, Gemini's an older SDK
_CLASSIC_INSTALL_HINTS = {
    "anthropic": "Please install `anthropic` to use Anthropic API.",
    "mistral": "Please install `mistralai` to use the Mistral.AI API.",
    "together": "Please install `together` to use the Together.AI API.",
    "groq": "Please install `groq` to use the Groq API.",
    "cohere": "Please install `cohere` to use the Cohere API.",
    "gemini": "Please install `google-genai` to use Google Gemini API.",
}


def import_sdk(module: str, extra: str, package: Optional[str] = None) -> ModuleType:
    """``import module``, or an ImportError that says which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        classic = _CLASSIC_INSTALL_HINTS.get(extra, "")
        raise ImportError(
            f"{classic + ' ' if classic else ''}"
            f"This config needs the {package or module.split('.')[0]!r} package, which is not installed. "
            f'Install it with: pip install "pyautogen[{extra}]"'
        ) from err


# ----- reading OpenAI-format messages


@dataclass(frozen=True)
class ImagePart:
    """An image of a message: base64 ``data`` with its ``mime_type`` (from a data URL), or a remote ``url``."""

    mime_type: str
    data: Optional[str] = None
    url: Optional[str] = None

    @property
    def raw(self) -> bytes:
        return base64.b64decode(self.data or "")


def parse_data_url(url: str) -> Optional[ImagePart]:
    """``data:image/png;base64,...`` as an ImagePart; None for other URLs."""
    if not url.startswith("data:"):
        return None
    header, _, payload = url[5:].partition(",")
    mime, *flags = header.split(";")
    if "base64" not in flags:
        raise ValueError(f"Only base64 data URLs are supported for images, got a data URL with header {header!r}")
    try:
        base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as err:
        raise ValueError("An image data URL does not hold valid base64 data.") from err
    return ImagePart(mime_type=mime or "image/png", data=payload)


def _guess_mime(url: str) -> str:
    lowered = url.lower().split("?")[0]
    for suffix, mime in ((".png", "image/png"), (".gif", "image/gif"), (".webp", "image/webp")):
        if lowered.endswith(suffix):
            return mime
    return "image/jpeg"


def content_parts(content: Any) -> list[Union[str, ImagePart]]:
    """A message content (a string, or a list of OpenAI parts) as text strings and ImageParts, in order."""
    if content is None:
        return []
    if isinstance(content, str):
        return [content] if content else []
    parts: list[Union[str, ImagePart]] = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
            continue
        kind = part.get("type")
        if kind == "text":
            parts.append(part.get("text") or "")
        elif kind == "image_url":
            image = part.get("image_url")
            url = image.get("url") if isinstance(image, Mapping) else image
            if not isinstance(url, str):
                raise ValueError(f"An image_url part needs a URL string, got {part!r}")
            parts.append(parse_data_url(url) or ImagePart(mime_type=_guess_mime(url), url=url))
        else:
            raise ValueError(f"Unsupported message content part of type {kind!r}; use 'text' or 'image_url' parts.")
    return parts


def fetch_image(part: ImagePart, timeout: float = 30.0) -> ImagePart:
    """``part`` with its bytes: a remote image is downloaded (for providers that take only inline images)."""
    if part.data is not None or not part.url:
        return part
    import httpx

    try:
        response = httpx.get(part.url, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as err:
        raise ValueError(f"Could not download the image {part.url}: {err}") from err
    mime = response.headers.get("content-type", "").split(";")[0] or part.mime_type
    return ImagePart(mime_type=mime, data=base64.b64encode(response.content).decode("ascii"))


def content_text(content: Any) -> str:
    """The text of a message content; images are left out."""
    if isinstance(content, str):
        return content
    return "\n".join(part for part in content_parts(content) if isinstance(part, str))


def parse_tool_arguments(arguments: Any) -> dict[str, Any]:
    """OpenAI tool-call ``arguments`` (a JSON string) as a dict; an empty string is no arguments."""
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if not arguments:
        return {}
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError as err:
        raise ValueError(f"Tool-call arguments are not valid JSON: {arguments!r}") from err
    if not isinstance(value, dict):
        raise ValueError(f"Tool-call arguments must be a JSON object, got {arguments!r}")
    return value


def tool_arguments_json(arguments: Any) -> str:
    """A provider's tool-call arguments (a dict, or already a JSON string) as the JSON string OpenAI uses."""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments if arguments is not None else {})


def legacy_call_id(name: str) -> str:
    """The tool-call id that stands for a legacy ``function_call`` (and its ``function`` result) of ``name``."""
    return f"function{''.join(ch for ch in name if ch.isalnum())}"


def message_tool_calls(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The OpenAI tool calls of an assistant message; a legacy ``function_call`` counts as one call."""
    calls = message.get("tool_calls")
    if calls:
        return list(calls)
    legacy = message.get("function_call")
    if legacy:
        function = {"name": legacy["name"], "arguments": legacy.get("arguments", "")}
        return [{"id": legacy_call_id(legacy["name"]), "type": "function", "function": function}]
    return []


def tool_result_id(message: Mapping[str, Any]) -> str:
    """The id of the call a ``tool`` (or legacy ``function``) message answers."""
    if message.get("role") == "function":
        return legacy_call_id(message.get("name", ""))
    return str(message.get("tool_call_id", ""))


def function_declarations(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``tools`` (and legacy ``functions``) of a request as ``{"name", "description", "parameters"}`` dicts."""
    declared: list[dict[str, Any]] = []
    for tool in params.get("tools") or []:
        if tool.get("type", "function") != "function" or "function" not in tool:
            raise ValueError(f"Only function tools are supported, got {tool!r}")
        declared.append(tool["function"])
    declared.extend(params.get("functions") or [])
    out = []
    for fn in declared:
        schema = fn.get("parameters") or {"type": "object", "properties": {}}
        out.append({"name": fn["name"], "description": fn.get("description", ""), "parameters": schema})
    return out


def response_format_param(value: Any) -> Any:
    """A ``response_format`` in OpenAI's request form: a pydantic model class becomes a strict JSON-schema format."""
    if isinstance(value, type) and hasattr(value, "model_json_schema"):
        schema = value.model_json_schema()
        return {"type": "json_schema", "json_schema": {"name": value.__name__, "schema": schema, "strict": True}}
    return value


# ----- building the response


@dataclass(frozen=True)
class ToolCall:
    """A tool call of a provider's answer; ``arguments`` is a JSON string."""

    id: str
    name: str
    arguments: str


_FINISH = {
    "stop": "stop",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "complete": "stop",
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "eos": "stop",
    "length": "length",
    "max_tokens": "length",
    "MAX_TOKENS": "length",
    "model_length": "length",
    "tool_calls": "tool_calls",
    "tool_use": "tool_calls",
    "TOOL_CALL": "tool_calls",
    "content_filter": "content_filter",
    "ERROR": "stop",
}


def new_tool_call_id() -> str:
    return "call_" + uuid.uuid4().hex[:24]


def build_chat_completion(
    *,
    model: str,
    text: Optional[str],
    tool_calls: Sequence[ToolCall] = (),
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    finish_reason: Optional[str] = None,
    response_id: Optional[str] = None,
    created: Optional[int] = None,
) -> ChatCompletion:
    """One provider answer as an openai ``ChatCompletion`` with one choice and usage."""
    from openai.types.chat import ChatCompletion, ChatCompletionMessage
    from openai.types.chat.chat_completion import Choice
    from openai.types.chat.chat_completion_message_tool_call import ChatCompletionMessageToolCall, Function
    from openai.types.completion_usage import CompletionUsage

    calls: list[Any] = [
        ChatCompletionMessageToolCall(id=c.id, type="function", function=Function(name=c.name, arguments=c.arguments))
        for c in tool_calls
    ]
    reason = "tool_calls" if calls else _FINISH.get(finish_reason or "stop", "stop")
    if text is None and not calls:  # an empty answer is "" (as classic's clients gave), never a None text to retrieve
        text = ""
    message = ChatCompletionMessage(role="assistant", content=text, tool_calls=calls or None)
    return ChatCompletion(
        id=response_id or "chatcmpl-" + uuid.uuid4().hex,
        object="chat.completion",
        created=created if created is not None else int(time.time()),
        model=model,
        choices=[Choice(index=0, message=message, finish_reason=reason)],  # type: ignore[arg-type]
        usage=CompletionUsage(
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
        ),
    )


def usage_of(response: Any) -> dict[str, Any]:
    """The classic usage dict (prompt_tokens, completion_tokens, total_tokens, cost, model) of a response."""
    usage = getattr(response, "usage", None)
    return {
        "prompt_tokens": (getattr(usage, "prompt_tokens", 0) or 0) if usage is not None else 0,
        "completion_tokens": (getattr(usage, "completion_tokens", 0) or 0) if usage is not None else 0,
        "total_tokens": (getattr(usage, "total_tokens", 0) or 0) if usage is not None else 0,
        "cost": getattr(response, "cost", 0) or 0,
        "model": getattr(response, "model", ""),
    }


def provider_cost(response: Any, table: Mapping[str, Price]) -> float:
    """The cost in USD of a response from a provider's price table (USD per 1k tokens, (input, output))."""
    usage = usage_of(response)
    return compute_cost(usage["model"], usage["prompt_tokens"], usage["completion_tokens"], table=table)

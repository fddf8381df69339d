"""``OllamaClient``: models served by Ollama (``api_type: "ollama"``), through the ``ollama`` SDK.

Config keys (the classic ones): ``model``, ``client_host`` (else ``base_url``, else the SDK's
``OLLAMA_HOST``), ``native_tool_calls`` (default True), ``hide_tools`` ("never" / "if_any_run" /
"if_all_run"), ``timeout``; the sampling options ``temperature``, ``top_p``, ``top_k``, ``seed``,
``num_ctx``, ``num_predict`` (``max_tokens`` also sets it), ``repeat_penalty`` go in Ollama's ``options``.

Tool calls: by default Ollama's native ``tools``. For models without tool support, ``native_tool_calls:
False`` describes the tools in the system prompt and asks for a JSON list of calls, which is read back
into OpenAI tool calls; earlier calls and their results are written into the conversation as text.
Local models cost nothing, so ``cost`` is 0.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Mapping, Optional

from .client_utils import (
    ImagePart,
    ToolCall,
    build_chat_completion,
    content_parts,
    content_text,
    fetch_image,
    function_declarations,
    message_tool_calls,
    new_tool_call_id,
    parse_tool_arguments,
    response_format_param,
    should_hide_tools,
    tool_arguments_json,
    tool_result_id,
    validate_parameter,
)
from .provider_client import ProviderCall, ProviderClient

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

__all__ = ["OllamaClient"]

# config key -> (allowed types, lower bound) of Ollama's sampling options
_OPTIONS: dict[str, tuple[tuple[type, ...], Optional[float]]] = {
    "temperature": ((int, float), 0),
    "top_p": ((int, float), 0),
    "top_k": ((int,), 0),
    "seed": ((int,), None),
    "num_ctx": ((int,), 1),
    "num_predict": ((int,), -2),
    "repeat_penalty": ((int, float), 0),
}

MANUAL_TOOL_PROMPT = (
    "You can call these functions:\n{functions}\n\n"
    "To call one or more of them, answer with ONLY a JSON list of calls, for example "
    '[{{"name": "function_name", "arguments": {{"parameter": "value"}}}}], and nothing else. '
    "When no function call is needed, answer normally."
)


def manual_tool_prompt(declarations: list[dict[str, Any]]) -> str:
    """The system-prompt text that offers ``declarations`` to a model without native tool calls."""
    return MANUAL_TOOL_PROMPT.format(functions=json.dumps(declarations, indent=1))


_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def parse_manual_tool_calls(text: str, known: set[str]) -> list[ToolCall]:
    """The tool calls in a model's text answer (a JSON call, or a list of them); [] when it is plain text."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1)
    if not stripped.startswith(("[", "{")):
        return []
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError:
        return []
    items = value if isinstance(value, list) else [value]
    calls = []
    for item in items:
        if not isinstance(item, dict) or item.get("name") not in known:
            return []
        arguments = item.get("arguments", item.get("parameters", {}))
        calls.append(ToolCall(id=new_tool_call_id(), name=item["name"], arguments=tool_arguments_json(arguments)))
    return calls


def _host(config: Mapping[str, Any]) -> Optional[str]:
    host = config.get("client_host") or config.get("base_url")
    if host:
        host = str(host).rstrip("/")
        for suffix in ("/v1", "/api"):  # an OpenAI-compatible or API URL of the same server
            if host.endswith(suffix):
                host = host[: -len(suffix)]
    return host or None


class OllamaClient(ProviderClient):
    """The Ollama chat API (``/api/chat``)."""

    API_TYPE = "ollama"
    PROVIDER = "Ollama"
    SDK_MODULE = "ollama"
    SDK_PACKAGE = "ollama"
    EXTRA = "ollama"
    ERROR_TYPES = ("ollama.ResponseError", "ollama.RequestError", "builtins.ConnectionError")

    def make_sdk_client(self, is_async: bool) -> Any:
        kwargs: dict[str, Any] = {}
        if self.config.get("timeout") is not None:
            kwargs["timeout"] = self.config["timeout"]
        cls = self.sdk.AsyncClient if is_async else self.sdk.Client
        return cls(host=_host(self.config), **kwargs)

    # ----- request
    def prepare(self, params: dict[str, Any]) -> ProviderCall:
        model = params.get("model")
        if not model:
            raise ValueError("An Ollama config needs a 'model', e.g. {'model': 'llama3.1', 'api_type': 'ollama'}.")
        messages = params.get("messages") or []
        native = bool(self.setting(params, "native_tool_calls", default=True))
        hide = self.setting(params, "hide_tools", default="never")
        tools = function_declarations(params)
        if tools and should_hide_tools(messages, params.get("tools"), hide):
            tools = []
        converted = self.convert_messages(messages, native)
        kwargs: dict[str, Any] = {"model": model, "messages": converted, "stream": False}
        if tools and native:
            kwargs["tools"] = [{"type": "function", "function": t} for t in tools]
        elif tools:
            instruction = manual_tool_prompt(tools)
            if converted and converted[0]["role"] == "system":
                converted[0] = {**converted[0], "content": converted[0]["content"] + "\n\n" + instruction}
            else:
                converted.insert(0, {"role": "system", "content": instruction})
        options = self._options(params)
        if options:
            kwargs["options"] = options
        response_format = params.get("response_format") or params.get("format")
        if response_format is not None:
            kwargs["format"] = _format(response_format)
        return ProviderCall(
            path="chat",
            kwargs=kwargs,
            model=model,
            context={"manual_tools": {t["name"] for t in tools} if tools and not native else set()},
        )

    def _options(self, params: Mapping[str, Any]) -> dict[str, Any]:
        source = dict(params)
        if "num_predict" not in source and source.get("max_tokens") is not None:
            source["num_predict"] = source["max_tokens"]
        options = {}
        for name, (types, lower) in _OPTIONS.items():
            if source.get(name) is not None:
                value = validate_parameter(source, name, types, True, None, (lower, None), None)
                if value is not None:
                    options[name] = value
        if params.get("stop"):
            stop = params["stop"]
            options["stop"] = [stop] if isinstance(stop, str) else list(stop)
        return options

    @staticmethod
    def convert_messages(messages: list[dict[str, Any]], native: bool) -> list[dict[str, Any]]:
        """OpenAI messages as Ollama messages (tool traffic as text when ``native`` is False)."""
        out: list[dict[str, Any]] = []
        names: dict[str, str] = {}  # tool_call_id -> function name
        for message in messages:
            role = message.get("role")
            if role == "function":
                role = "tool"
            if role == "tool":
                name = names.get(tool_result_id(message), message.get("name", ""))
                text = _text_of(message.get("content"))
                if native:
                    out.append({"role": "tool", "content": text, "tool_name": name})
                else:
                    result = f"Result of the function call {name}: {text}"
                    if out and out[-1]["role"] == "user" and out[-1].get("_results"):
                        out[-1]["content"] += "\n" + result
                    else:
                        out.append({"role": "user", "content": result, "_results": True})
                continue
            if role not in ("system", "user", "assistant"):
                raise ValueError(f"Ollama takes system, user, assistant and tool messages, not role {role!r}.")
            text_parts, images = [], []
            for part in content_parts(message.get("content")):
                if isinstance(part, ImagePart):
                    images.append(fetch_image(part).raw)
                else:
                    text_parts.append(part)
            item: dict[str, Any] = {"role": role, "content": "\n".join(text_parts)}
            if images:
                item["images"] = images
            calls = message_tool_calls(message) if role == "assistant" else []
            for call in calls:
                names[call.get("id", "")] = call["function"]["name"]
            if calls and native:
                item["tool_calls"] = [
                    {
                        "function": {
                            "name": call["function"]["name"],
                            "arguments": parse_tool_arguments(call["function"].get("arguments")),
                        }
                    }
                    for call in calls
                ]
            elif calls:
                listed = [
                    {"name": c["function"]["name"], "arguments": parse_tool_arguments(c["function"].get("arguments"))}
                    for c in calls
                ]
                item["content"] = (item["content"] + "\n" if item["content"] else "") + json.dumps(listed)
            out.append(item)
        for item in out:
            item.pop("_results", None)
        return out

    # ----- response
    def parse(self, raw: Any, call: ProviderCall) -> ChatCompletion:
        message = raw.message
        text = message.content or ""
        calls = [
            ToolCall(
                id=new_tool_call_id(), name=c.function.name, arguments=tool_arguments_json(dict(c.function.arguments))
            )
            for c in message.tool_calls or []
        ]
        manual = call.context.get("manual_tools")
        if manual and not calls:
            calls = parse_manual_tool_calls(text, manual)
            if calls:
                text = ""  # the text was the calls
        return build_chat_completion(
            model=raw.model or call.model,
            text=(text or None) if calls else text,
            tool_calls=calls,
            prompt_tokens=raw.prompt_eval_count or 0,
            completion_tokens=raw.eval_count or 0,
            finish_reason=raw.done_reason,
        )

    def cost(self, response: Any) -> float:
        return 0.0  # local models


def _text_of(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, (str, list)):
        return content_text(content)
    return json.dumps(content)


def _format(response_format: Any) -> Any:
    """OpenAI's ``response_format`` (or Ollama's ``format``) as Ollama's ``format``."""
    response_format = response_format_param(response_format)
    if isinstance(response_format, Mapping):
        kind = response_format.get("type")
        if kind == "json_object":
            return "json"
        if kind == "json_schema":
            return response_format["json_schema"].get("schema", {})
        if kind == "text":
            return None
        return dict(response_format)
    return response_format

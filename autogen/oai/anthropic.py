"""``AnthropicClient``: Claude through the ``anthropic`` SDK, for configs with ``"api_type": "anthropic"``.

Config keys (those of the classic 0.2.3x client keep their meaning):

* ``model``, ``api_key`` (else ``ANTHROPIC_API_KEY``), ``base_url`` (else ``ANTHROPIC_BASE_URL``), ``timeout``,
  ``max_retries``, ``default_headers``;
* Claude on Amazon Bedrock, used when the config has no ``api_key`` but AWS settings: ``aws_access_key``,
  ``aws_secret_key``, ``aws_session_token``, ``aws_region``, ``aws_profile`` (each else the SDK's / boto's
  environment: ``AWS_ACCESS_KEY_ID``, ``AWS_REGION``, ..., and ``ANTHROPIC_BEDROCK_BASE_URL``); classic's variables
  ``AWS_ACCESS_KEY`` / ``AWS_SECRET_KEY`` / ``AWS_REGION`` fill in what the config lacks;
* request settings: ``max_tokens`` (default 4096), ``temperature``, ``top_p``, ``top_k``, ``stop_sequences``
  (or ``stop``), ``tools`` / ``functions``, ``tool_choice``; ``price`` overrides the price table.

Messages go out as the Messages API wants them (see ``chat_turns``): the system prompt in ``system``, alternating
turns, ``tool_use`` / ``tool_result`` blocks with matching ids, images as base64 or URL sources.
"""

from __future__ import annotations

import inspect
import logging
import os
import warnings
from typing import TYPE_CHECKING, Any, ClassVar, Mapping, Optional

from ..exception_utils import ConfigAssertionError, ConfigError
from .chat_turns import Block, Conversation, Text, ToolResult, ToolUse, to_turns
from .client_utils import (
    ImagePart,
    ToolCall,
    build_chat_completion,
    function_declarations,
    tool_arguments_json,
    validate_parameter,
)
from .model_prices import Price
from .provider_client import ProviderCall, ProviderClient

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

__all__ = [
    "AnthropicClient",
    "ANTHROPIC_PRICES",
    "ANTHROPIC_PRICING_1k",
    "oai_messages_to_anthropic_messages",
    "to_anthropic_request",
]

logger = logging.getLogger(__name__)

# USD per 1k tokens (input, output)
ANTHROPIC_PRICES: dict[str, Price] = {
    "claude-opus-4": (0.015, 0.075),
    "claude-opus-4-1": (0.015, 0.075),
    "claude-sonnet-4": (0.003, 0.015),
    "claude-sonnet-4-5": (0.003, 0.015),
    "claude-3-7-sonnet": (0.003, 0.015),
    "claude-3-5-sonnet": (0.003, 0.015),
    "claude-3-5-haiku": (0.0008, 0.004),
    "claude-haiku-4-5": (0.001, 0.005),
    "claude-3-opus": (0.015, 0.075),
    "claude-3-sonnet": (0.003, 0.015),
    "claude-3-haiku": (0.00025, 0.00125),
    "claude-2.1": (0.008, 0.024),
    "claude-2.0": (0.008, 0.024),
    "claude-instant-1.2": (0.0008, 0.0024),
}

ANTHROPIC_PRICING_1k = ANTHROPIC_PRICES  # the classic name of the same table


def __getattr__(name: str) -> Any:
    if name == "TOOL_ENABLED":  # classic: whether the installed anthropic SDK has tool use (0.23.1 and later)
        from importlib.metadata import PackageNotFoundError, version

        from packaging.version import Version

        try:
            return Version(version("anthropic")) >= Version("0.23.1")
        except PackageNotFoundError:
            return False
    if name == "anthropic_version":  # classic: the installed anthropic SDK's version
        from importlib.metadata import version

        return version("anthropic")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_AWS_KEYS = ("aws_access_key", "aws_secret_key", "aws_session_token", "aws_region", "aws_profile")
_CLASSIC_AWS_ENV = {"aws_access_key": "AWS_ACCESS_KEY", "aws_secret_key": "AWS_SECRET_KEY", "aws_region": "AWS_REGION"}
_SAMPLING = ("temperature", "top_p", "top_k")
DEFAULT_MAX_TOKENS = 4096


def _block(block: Block) -> dict[str, Any]:
    if isinstance(block, Text):
        return {"type": "text", "text": block.text}
    if isinstance(block, ToolUse):
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.arguments}
    if isinstance(block, ToolResult):
        return {"type": "tool_result", "tool_use_id": block.id, "content": block.content}
    if isinstance(block, ImagePart):
        if block.data is not None:
            return {"type": "image", "source": {"type": "base64", "media_type": block.mime_type, "data": block.data}}
        return {"type": "image", "source": {"type": "url", "url": block.url}}
    raise TypeError(f"unexpected block {block!r}")


def _tool_choice(choice: Any) -> Optional[dict[str, Any]]:
    if choice is None:
        return None
    if isinstance(choice, str):
        mapped = {"auto": "auto", "required": "any", "any": "any", "none": "none"}.get(choice)
        if mapped is None:
            raise ConfigError(f"tool_choice {choice!r} is not one of 'auto', 'required', 'none' or a function choice.")
        return {"type": mapped}
    if choice.get("type") == "function":
        return {"type": "tool", "name": choice["function"]["name"]}
    return dict(choice)  # already in Anthropic's form


def _conversation(params: Mapping[str, Any], tools: list[dict[str, Any]]) -> Conversation:
    return to_turns(params.get("messages") or [], tool_blocks=bool(tools))


def _messages(conversation: Conversation) -> list[dict[str, Any]]:
    return [{"role": t.role, "content": [_block(b) for b in t.blocks]} for t in conversation.turns]


def oai_messages_to_anthropic_messages(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The OpenAI-format ``params["messages"]`` as Messages API messages (alternating turns starting and ending
    with the user, tool blocks paired); as in classic AutoGen, the system message goes to ``params["system"]``."""
    conversation = _conversation(params, function_declarations(params))
    if conversation.system:
        params["system"] = conversation.system
    return _messages(conversation)


def to_anthropic_request(params: Mapping[str, Any], model: str) -> dict[str, Any]:
    """The Messages API request (``messages.create`` keyword arguments) for OpenAI-style ``params``."""
    tools = function_declarations(params)
    conversation = _conversation(params, tools)
    request: dict[str, Any] = {
        "model": model,
        "max_tokens": params.get("max_tokens") or params.get("max_completion_tokens") or DEFAULT_MAX_TOKENS,
        "messages": _messages(conversation),
    }
    if conversation.system:
        request["system"] = conversation.system
    for name in _SAMPLING:
        if params.get(name) is not None:
            request[name] = params[name]
    stop = params.get("stop_sequences", params.get("stop"))
    if stop:
        request["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if tools:
        request["tools"] = [AnthropicClient.openai_func_to_anthropic(t) for t in tools]
        choice = _tool_choice(params.get("tool_choice"))
        if choice is not None:
            request["tool_choice"] = choice
    return request


def _aws_setting(key: str, env: str) -> property:
    def read(self: AnthropicClient) -> Optional[str]:
        value = self.config.get(key)
        if not value and self.on_bedrock:
            value = os.environ.get(env)
        return value

    return property(read, doc=f"The {key} used on Bedrock (the config's, else {env}).")


class AnthropicClient(ProviderClient):
    API_TYPE = "anthropic"
    PROVIDER = "Anthropic"
    SDK_MODULE = "anthropic"
    SDK_PACKAGE = "anthropic"
    EXTRA = "anthropic"
    PRICES = ANTHROPIC_PRICES
    ERROR_TYPES = ("anthropic.APIError",)
    TIMEOUT_TYPES = ("anthropic.APITimeoutError",)
    CLASSIC_NO_MODEL = "Please provide a `model` in the config_list to use the Anthropic API."
    _create_params: ClassVar[Optional[frozenset[str]]] = None

    def __init__(self, **config: Any):
        if not config.get("api_key") and not os.environ.get("ANTHROPIC_API_KEY"):
            # classic read the Bedrock settings a config lacks from these variables (AWS_ACCESS_KEY, not _ID)
            found = {k: os.environ[v] for k, v in _CLASSIC_AWS_ENV.items() if not config.get(k) and os.environ.get(v)}
            if any(config.get(key) for key in _AWS_KEYS) or len(found) == len(_CLASSIC_AWS_ENV):
                config = {**config, **found}
        self.on_bedrock = not config.get("api_key") and any(config.get(key) for key in _AWS_KEYS)
        if not self.on_bedrock and not (
            config.get("api_key") or os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_AUTH_TOKEN")
        ):
            raise ConfigError(
                "API key or AWS credentials are required to use the Anthropic API. Set 'api_key' in the config or "
                "the ANTHROPIC_API_KEY environment variable; for Claude on Amazon Bedrock give 'aws_region' (and 'aws_access_key' / "
                "'aws_secret_key', or AWS credentials in the environment) instead."
            )
        super().__init__(**config)

    # ----- SDK clients
    def make_sdk_client(self, is_async: bool) -> Any:
        common: dict[str, Any] = {
            k: self.config[k] for k in ("timeout", "max_retries", "default_headers") if self.config.get(k) is not None
        }
        if self.config.get("base_url"):  # the SDK adds /v1/messages: take a gateway's ".../v1" as it is meant
            common["base_url"] = str(self.config["base_url"]).rstrip("/").removesuffix("/v1")
        if self.on_bedrock:
            cls = self.sdk.AsyncAnthropicBedrock if is_async else self.sdk.AnthropicBedrock
            aws = {key: self.config[key] for key in _AWS_KEYS if self.config.get(key) is not None}
            return cls(**aws, **common)
        cls = self.sdk.AsyncAnthropic if is_async else self.sdk.Anthropic
        if self.config.get("api_key"):
            common["api_key"] = self.config["api_key"]
        return cls(**common)

    # ----- classic accessors
    @property
    def api_key(self) -> Optional[str]:
        """The API key used: the config's, else ``ANTHROPIC_API_KEY`` (None on Bedrock)."""
        if self.on_bedrock:
            return None
        return self.config.get("api_key") or os.environ.get("ANTHROPIC_API_KEY")

    # On Bedrock: the config's AWS setting, else the environment variable the SDK reads; otherwise the config's.
    aws_access_key = _aws_setting("aws_access_key", "AWS_ACCESS_KEY_ID")
    aws_secret_key = _aws_setting("aws_secret_key", "AWS_SECRET_ACCESS_KEY")
    aws_session_token = _aws_setting("aws_session_token", "AWS_SESSION_TOKEN")
    aws_region = _aws_setting("aws_region", "AWS_REGION")

    @staticmethod
    def openai_func_to_anthropic(openai_func: dict[str, Any]) -> dict[str, Any]:
        """An OpenAI function declaration as an Anthropic tool (``parameters`` becomes ``input_schema``)."""
        tool = dict(openai_func)
        tool["input_schema"] = tool.pop("parameters")
        return tool

    @staticmethod
    def convert_tools_to_functions(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The function declarations of OpenAI ``tools`` (other tool types are left out)."""
        return [tool["function"] for tool in tools if tool.get("type") == "function" and "function" in tool]

    def _with_config(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` over the sampling settings of the config."""
        return {**{k: v for k, v in self.config.items() if k in _SAMPLING or k == "max_tokens"}, **params}

    def load_config(self, params: dict[str, Any]) -> dict[str, Any]:
        """The request settings of ``params`` (falling back to the config), checked as classic AutoGen checks them:
        a value of the wrong type or out of range is replaced by the default, with a warning."""
        merged = self._with_config(params)
        model = merged.get("model") or self.config.get("model")
        if not model:
            raise ConfigAssertionError(f'{self.CLASSIC_NO_MODEL} E.g. "model": "claude-3-5-sonnet-20240620".')
        settings = {
            "model": model,
            "temperature": validate_parameter(merged, "temperature", (float, int), False, 1.0, (0.0, 1.0), None),
            "max_tokens": validate_parameter(merged, "max_tokens", int, False, DEFAULT_MAX_TOKENS, (1, None), None),
            "top_k": validate_parameter(merged, "top_k", int, True, None, (1, None), None),
            "top_p": validate_parameter(merged, "top_p", (float, int), True, None, (0.0, 1.0), None),
            "stop_sequences": validate_parameter(merged, "stop_sequences", list, True, None, None, None),
            "stream": validate_parameter(merged, "stream", bool, False, False, None, None),
        }
        if settings["stream"]:
            warnings.warn(
                "Streaming is not currently supported, streaming will be disabled. (The answer comes in one piece.)",
                UserWarning,
                stacklevel=2,
            )
            settings["stream"] = False
        return settings

    # ----- request and answer
    def _accepted(self) -> frozenset[str]:
        if AnthropicClient._create_params is None:
            create = self.sdk.resources.messages.Messages.create
            AnthropicClient._create_params = frozenset(inspect.signature(create).parameters)
        return AnthropicClient._create_params

    def prepare(self, params: dict[str, Any]) -> ProviderCall:
        settings = self.load_config(params)
        model = settings["model"]
        merged = self._with_config(params)
        for name in (*_SAMPLING, "max_tokens"):  # checked values of the settings given (unset ones: the API's)
            if merged.get(name) is not None:
                merged[name] = settings[name]
        request = to_anthropic_request(merged, model)
        accepted = self._accepted()
        extra = {k: request.pop(k) for k in list(request) if k not in accepted}  # fields this SDK version lacks
        if extra:
            request["extra_body"] = extra
        return ProviderCall(path="messages.create", kwargs=request, model=model)

    def parse(self, raw: Any, call: ProviderCall) -> ChatCompletion:
        texts: list[str] = []
        calls: list[ToolCall] = []
        for block in raw.content:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "tool_use":
                calls.append(ToolCall(id=block.id, name=block.name, arguments=tool_arguments_json(block.input)))
        usage = raw.usage
        return build_chat_completion(
            model=getattr(raw, "model", None) or call.model,
            text="\n".join(texts) if texts else None,
            tool_calls=calls,
            prompt_tokens=usage.input_tokens,
            completion_tokens=usage.output_tokens,
            finish_reason=raw.stop_reason,
            response_id=raw.id,
        )

    def describe_error(self, err: BaseException, call: ProviderCall) -> str:
        body = getattr(err, "body", None)
        detail = ""
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
            detail = f"{error.get('type')}: {error.get('message')}"
        where = "Anthropic on Bedrock" if self.on_bedrock else "Anthropic"
        status = self.status_of(err)
        return (
            f"{where} request for model {call.model!r} failed"
            + (f" (HTTP {status})" if status else "")
            + f": {detail or getattr(err, 'message', None) or err}"
        )

    def cost(self, response: Any) -> float:
        if self.on_bedrock:  # Bedrock's model ids and prices
            from .bedrock import bedrock_cost

            return bedrock_cost(response)
        return super().cost(response)

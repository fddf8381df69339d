"""``GeminiClient``: Gemini through the ``google-genai`` SDK (Gemini API and Vertex AI), for ``"api_type": "google"``.

Config keys (those of the classic 0.2.3x client keep their meaning):

* Gemini API: ``api_key`` (else ``GOOGLE_GEMINI_API_KEY``, ``GOOGLE_API_KEY`` or ``GEMINI_API_KEY``);
* Vertex AI, used when ``project_id`` (or ``credentials`` / ``google_application_credentials``) is given:
  ``project_id``, ``location`` (default "us-central1"), ``credentials`` (a ``google.auth`` credentials object) or
  ``google_application_credentials`` (the path of a service-account key file), else Application Default
  Credentials;
* ``base_url`` (else the SDK's ``GOOGLE_GEMINI_BASE_URL`` / ``GOOGLE_VERTEX_BASE_URL``), ``timeout`` (seconds),
  ``max_retries``, ``default_headers``, ``api_version``;
* request settings: ``temperature``, ``top_p``, ``top_k``, ``max_tokens`` (or ``max_output_tokens``), ``seed``,
  ``stop`` (or ``stop_sequences``), ``safety_settings`` ([{"category": "HARM_CATEGORY_...", "threshold": "BLOCK_..."}]),
  ``system_instruction`` (put before the system messages), ``tools`` / ``functions`` (function declarations),
  ``tool_choice``; ``price`` overrides the price table.

Roles become ``user`` / ``model``, the system prompt goes in ``system_instruction``, tool calls and results become
``function_call`` / ``function_response`` parts (see ``chat_turns``), images travel inline.
"""

from __future__ import annotations

import json
import os
import warnings
from typing import TYPE_CHECKING, Any, Mapping, Optional

from ..exception_utils import ConfigError
from .chat_turns import Block, Text, ToolResult, ToolUse, fetch_image, to_turns
from .client_utils import (
    ImagePart,
    ToolCall,
    build_chat_completion,
    function_declarations,
    new_tool_call_id,
    tool_arguments_json,
)
from .errors import ProviderAPIError
from .model_prices import Price
from .provider_client import ProviderCall, ProviderClient

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

__all__ = ["GeminiClient", "GEMINI_PRICES", "to_gemini_request"]

# USD per 1k tokens (input, output), prompts up to 128k/200k tokens
GEMINI_PRICES: dict[str, Price] = {
    "gemini-2.5-pro": (0.00125, 0.01),
    "gemini-2.5-flash": (0.0003, 0.0025),
    "gemini-2.5-flash-lite": (0.0001, 0.0004),
    "gemini-2.0-flash": (0.0001, 0.0004),
    "gemini-2.0-flash-lite": (0.000075, 0.0003),
    "gemini-1.5-pro": (0.00125, 0.005),
    "gemini-1.5-flash": (0.000075, 0.0003),
    "gemini-1.5-flash-8b": (0.0000375, 0.00015),
    "gemini-1.0-pro": (0.0005, 0.0015),
    "gemini-pro": (0.0005, 0.0015),
    "gemini-pro-vision": (0.0005, 0.0015),
}

_API_KEY_ENV = ("GOOGLE_GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY")
_GENERATION = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "max_tokens": "max_output_tokens",
    "max_output_tokens": "max_output_tokens",
    "seed": "seed",
    "stop": "stop_sequences",
    "stop_sequences": "stop_sequences",
    "response_mime_type": "response_mime_type",
}
_OTHER_SETTINGS = ("safety_settings", "system_instruction")
_MODES = {"auto": "AUTO", "required": "ANY", "any": "ANY", "none": "NONE"}


def _function_response(result: ToolResult) -> dict[str, Any]:
    try:
        value = json.loads(result.content)
    except ValueError:
        value = None
    response = value if isinstance(value, dict) else {"result": result.content}
    return {"function_response": {"name": result.name, "response": response}}


def _part(block: Block) -> dict[str, Any]:
    if isinstance(block, Text):
        return {"text": block.text}
    if isinstance(block, ToolUse):
        return {"function_call": {"name": block.name, "args": block.arguments}}
    if isinstance(block, ToolResult):
        return _function_response(block)
    if isinstance(block, ImagePart):
        image = fetch_image(block)
        return {"inline_data": {"mime_type": image.mime_type, "data": image.raw}}
    raise TypeError(f"unexpected block {block!r}")


def _tool_config(choice: Any) -> Optional[dict[str, Any]]:
    if choice is None:
        return None
    if isinstance(choice, str):
        if choice not in _MODES:
            raise ConfigError(f"tool_choice {choice!r} is not one of 'auto', 'required', 'none' or a function choice.")
        return {"function_calling_config": {"mode": _MODES[choice]}}
    name = choice["function"]["name"]
    return {"function_calling_config": {"mode": "ANY", "allowed_function_names": [name]}}


def to_gemini_request(params: Mapping[str, Any], model: str) -> dict[str, Any]:
    """``models.generate_content`` keyword arguments for OpenAI-style ``params``."""
    conversation = to_turns(params.get("messages") or [])
    contents = [
        {"role": "model" if t.role == "assistant" else "user", "parts": [_part(b) for b in t.blocks]}
        for t in conversation.turns
    ]
    config: dict[str, Any] = {}
    # classic took a "system_instruction" setting (config or create()) besides the system messages: both are kept
    system = [text for text in (params.get("system_instruction"), conversation.system) if text]
    if system:
        config["system_instruction"] = "\n\n".join(str(text) for text in system)
    for ours, theirs in _GENERATION.items():
        value = params.get(ours)
        if value is not None:
            config[theirs] = [value] if theirs == "stop_sequences" and isinstance(value, str) else value
    if params.get("safety_settings"):
        config["safety_settings"] = list(params["safety_settings"])
    tools = function_declarations(params)
    if tools:
        declarations = [
            {"name": t["name"], "description": t["description"], "parameters_json_schema": t["parameters"]}
            for t in tools
        ]
        config["tools"] = [{"function_declarations": declarations}]
        tool_config = _tool_config(params.get("tool_choice"))
        if tool_config is not None:
            config["tool_config"] = tool_config
    return {"model": model, "contents": contents, "config": config or None}


class GeminiClient(ProviderClient):
    API_TYPE = "google"
    PROVIDER = "Google Gemini"
    SDK_MODULE = "google.genai"
    SDK_PACKAGE = "google-genai"
    EXTRA = "gemini"
    PRICES = GEMINI_PRICES
    ERROR_TYPES = ("google.genai.errors.APIError", "google.auth.exceptions.GoogleAuthError")

    def __init__(self, **config: Any):
        self.use_vertexai = bool(
            config.get("project_id")
            or config.get("credentials")
            or config.get("google_application_credentials")
            or config.get("vertexai")
        )
        self.api_key = config.get("api_key") or next((os.environ[n] for n in _API_KEY_ENV if os.environ.get(n)), None)
        if not self.use_vertexai and not self.api_key:
            raise ConfigError(
                "A 'google' config needs an API key for the Gemini API: set 'api_key' in the config or the "
                "GOOGLE_GEMINI_API_KEY (or GOOGLE_API_KEY) environment variable; for Vertex AI give 'project_id' "
                "and 'location' (and 'credentials' or 'google_application_credentials' unless Application Default "
                "Credentials are set up)."
            )
        super().__init__(**config)

    def _credentials(self) -> Any:
        if self.config.get("credentials") is not None:
            return self.config["credentials"]
        path = self.config.get("google_application_credentials")
        if path:
            from google.oauth2 import service_account

            scopes = ["https://www.googleapis.com/auth/cloud-platform"]
            return service_account.Credentials.from_service_account_file(path, scopes=scopes)
        return None

    def make_sdk_client(self, is_async: bool) -> Any:
        types = self.sdk.types
        http: dict[str, Any] = {}
        if self.config.get("base_url"):
            http["base_url"] = self.config["base_url"]
        if self.config.get("timeout") is not None:
            http["timeout"] = int(float(self.config["timeout"]) * 1000)  # the SDK takes milliseconds
        if self.config.get("default_headers"):
            http["headers"] = dict(self.config["default_headers"])
        if self.config.get("api_version") or not self.use_vertexai:
            http["api_version"] = self.config.get("api_version") or "v1beta"  # tools and JSON schemas are beta there
        if self.config.get("max_retries") is not None:
            http["retry_options"] = types.HttpRetryOptions(attempts=int(self.config["max_retries"]) + 1)
        options = types.HttpOptions(**http) if http else None
        if self.use_vertexai:
            client = self.sdk.Client(
                vertexai=True,
                project=self.config.get("project_id"),
                location=self.config.get("location") or "us-central1",
                credentials=self._credentials(),
                http_options=options,
            )
        else:
            client = self.sdk.Client(api_key=self.api_key, http_options=options)
        return client.aio if is_async else client

    def prepare(self, params: dict[str, Any]) -> ProviderCall:
        model = params.get("model") or self.config.get("model")
        if not model:
            raise ConfigError("A 'google' config needs a 'model', e.g. \"gemini-1.5-flash\".")
        settings = {k: v for k, v in self.config.items() if k in _GENERATION or k in _OTHER_SETTINGS}
        merged = {**settings, **params}
        if merged.get("stream"):  # classic's warnings, word for word
            warnings.warn(
                "Streaming is not supported for Gemini yet, and it will have no effect. Please set stream=False.",
                UserWarning,
                stacklevel=2,
            )
        if (merged.get("n") or 1) > 1:
            warnings.warn("Gemini only supports `n=1` for now. We only generate one response.", UserWarning, 2)
        request = to_gemini_request(merged, model)
        return ProviderCall(path="models.generate_content", kwargs=request, model=model)

    def parse(self, raw: Any, call: ProviderCall) -> ChatCompletion:
        candidates = raw.candidates or []
        if not candidates:
            feedback = getattr(raw, "prompt_feedback", None)
            reason = getattr(getattr(feedback, "block_reason", None), "value", None) or "no candidates"
            error = ProviderAPIError(
                f"Google Gemini returned no answer for model {call.model!r}: the prompt was blocked ({reason}). "
                "Rephrase the request or relax 'safety_settings' in the config.",
                provider=self.PROVIDER,
            )
            error.code = "content_filter"  # type: ignore[attr-defined]
            raise error
        candidate = candidates[0]
        texts: list[str] = []
        calls: list[ToolCall] = []
        for part in (candidate.content.parts if candidate.content else None) or []:
            if part.function_call is not None:
                call_id = getattr(part.function_call, "id", None) or new_tool_call_id()
                arguments = tool_arguments_json(part.function_call.args or {})
                calls.append(ToolCall(id=call_id, name=part.function_call.name, arguments=arguments))
            elif part.text and not getattr(part, "thought", None):  # thinking models: skip the thoughts
                texts.append(part.text)
        usage = raw.usage_metadata
        finish = getattr(candidate.finish_reason, "value", candidate.finish_reason)
        return build_chat_completion(
            model=call.model,
            text="".join(texts) if texts else None,
            tool_calls=calls,
            prompt_tokens=(usage.prompt_token_count or 0) if usage else 0,
            completion_tokens=(usage.candidates_token_count or 0) if usage else 0,
            finish_reason={"SAFETY": "content_filter", "RECITATION": "content_filter"}.get(finish, finish),
            response_id=raw.response_id,
        )

    @staticmethod
    def status_of(err: BaseException) -> Optional[int]:
        code = getattr(err, "code", None)
        return code if isinstance(code, int) else ProviderClient.status_of(err)

    def describe_error(self, err: BaseException, call: ProviderCall) -> str:
        where = "Vertex AI" if self.use_vertexai else "Google Gemini"
        if type(err).__module__.startswith("google.auth"):
            return (
                f"{where} request for model {call.model!r} failed: no usable Google credentials ({err}). Give "
                "'credentials' or 'google_application_credentials' in the config, or set up Application Default "
                "Credentials (gcloud auth application-default login)."
            )
        status = self.status_of(err)
        detail = f"{getattr(err, 'status', '') or ''}: {getattr(err, 'message', None) or err}".lstrip(": ")
        return (
            "Google GenAI exception occurred while calling Gemini API: "  # classic's RuntimeError said this
            f"{where} request for model {call.model!r} failed" + (f" (HTTP {status})" if status else "") + f": {detail}"
        )

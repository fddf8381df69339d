"""``BedrockClient``: models on Amazon Bedrock through boto3's Converse API, for ``"api_type": "bedrock"``.

Config keys (those of the classic 0.2.3x client keep their meaning):

* ``model`` (the model id, e.g. "anthropic.claude-3-5-sonnet-20240620-v1:0" or an inference profile),
  ``aws_region`` (else ``AWS_REGION`` / ``AWS_DEFAULT_REGION``), ``aws_access_key``, ``aws_secret_key``,
  ``aws_session_token`` (else ``AWS_ACCESS_KEY`` / ``AWS_SECRET_KEY`` / ``AWS_SESSION_TOKEN``, else boto's own
  chain: ``AWS_ACCESS_KEY_ID``, profiles, roles), ``aws_profile_name``;
* ``base_url`` (boto3's ``endpoint_url``: a VPC endpoint, a proxy), ``timeout`` (seconds), ``total_max_attempts``
  (or ``max_retries`` + 1), ``mode`` (boto's retry mode, default "standard");
* ``supports_system_prompts`` (default True; else the system prompt leads the first user turn);
* request settings: ``temperature``, ``top_p``, ``max_tokens`` (default 4096), ``stop`` / ``stop_sequences``,
  ``top_k`` and ``additional_model_request_fields`` (model-specific), ``tools`` / ``functions``, ``tool_choice``;
  ``price`` overrides the price table.

boto3 has no asyncio client, so ``a_create`` runs the Converse call in a worker thread (the event loop never waits).
"""

from __future__ import annotations

import asyncio
import os
import re
from typing import TYPE_CHECKING, Any, Mapping, Optional

from ..exception_utils import ConfigError
from .chat_turns import Block, Text, ToolResult, ToolUse, fetch_image, image_format, to_turns
from .client_utils import (
    ImagePart,
    ToolCall,
    build_chat_completion,
    function_declarations,
    tool_arguments_json,
    usage_of,
)
from .model_prices import Price, compute_cost
from .provider_client import ProviderCall, ProviderClient

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

__all__ = ["BedrockClient", "BEDROCK_PRICES", "bedrock_cost", "to_converse_request"]

# USD per 1k tokens (input, output), on-demand in us-east-1
BEDROCK_PRICES: dict[str, Price] = {
    "anthropic.claude-3-7-sonnet": (0.003, 0.015),
    "anthropic.claude-3-5-sonnet": (0.003, 0.015),
    "anthropic.claude-3-5-haiku": (0.0008, 0.004),
    "anthropic.claude-3-opus": (0.015, 0.075),
    "anthropic.claude-3-sonnet": (0.003, 0.015),
    "anthropic.claude-3-haiku": (0.00025, 0.00125),
    "anthropic.claude-sonnet-4": (0.003, 0.015),
    "anthropic.claude-opus-4": (0.015, 0.075),
    "meta.llama3-1-8b-instruct": (0.00022, 0.00022),
    "meta.llama3-1-70b-instruct": (0.00072, 0.00072),
    "meta.llama3-1-405b-instruct": (0.0024, 0.0024),
    "meta.llama3-8b-instruct": (0.0003, 0.0006),
    "meta.llama3-70b-instruct": (0.00265, 0.0035),
    "mistral.mistral-7b-instruct": (0.00015, 0.0002),
    "mistral.mixtral-8x7b-instruct": (0.00045, 0.0007),
    "mistral.mistral-large-2402": (0.004, 0.012),
    "mistral.mistral-large-2407": (0.002, 0.006),
    "mistral.mistral-small-2402": (0.001, 0.003),
    "amazon.nova-micro": (0.000035, 0.00014),
    "amazon.nova-lite": (0.00006, 0.00024),
    "amazon.nova-pro": (0.0008, 0.0032),
    "amazon.titan-text-express": (0.0002, 0.0006),
    "amazon.titan-text-lite": (0.00015, 0.0002),
    "amazon.titan-text-premier": (0.0005, 0.0015),
    "cohere.command-r": (0.0005, 0.0015),
    "cohere.command-r-plus": (0.003, 0.015),
}

DEFAULT_MAX_TOKENS = 4096
_INFERENCE = {"max_tokens": "maxTokens", "temperature": "temperature", "top_p": "topP"}
_SETTINGS = {"max_tokens", "temperature", "top_p", "top_k", "stop", "stop_sequences", "additional_model_request_fields"}


def _block(block: Block) -> dict[str, Any]:
    if isinstance(block, Text):
        return {"text": block.text}
    if isinstance(block, ToolUse):
        return {"toolUse": {"toolUseId": block.id, "name": block.name, "input": block.arguments}}
    if isinstance(block, ToolResult):
        return {"toolResult": {"toolUseId": block.id, "content": [{"text": block.content}], "status": "success"}}
    if isinstance(block, ImagePart):
        image = fetch_image(block)
        return {"image": {"format": image_format(image), "source": {"bytes": image.raw}}}
    raise TypeError(f"unexpected block {block!r}")


def _tool_choice(choice: Any) -> Optional[dict[str, Any]]:
    if choice is None or choice == "none":
        return None
    if isinstance(choice, str):
        if choice not in ("auto", "required", "any"):
            raise ConfigError(f"tool_choice {choice!r} is not one of 'auto', 'required', 'none' or a function choice.")
        return {"auto": {}} if choice == "auto" else {"any": {}}
    return {"tool": {"name": choice["function"]["name"]}}


def to_converse_request(params: Mapping[str, Any], model: str, supports_system_prompts: bool = True) -> dict[str, Any]:
    """``converse`` keyword arguments for OpenAI-style ``params``."""
    tools = function_declarations(params) if params.get("tool_choice") != "none" else []
    conversation = to_turns(params.get("messages") or [], tool_blocks=bool(tools))
    turns = conversation.turns
    if conversation.system and not supports_system_prompts:
        turns[0].blocks.insert(0, Text(conversation.system))
    request: dict[str, Any] = {
        "modelId": model,
        "messages": [{"role": t.role, "content": [_block(b) for b in t.blocks]} for t in turns],
    }
    if conversation.system and supports_system_prompts:
        request["system"] = [{"text": conversation.system}]
    inference = {theirs: params[ours] for ours, theirs in _INFERENCE.items() if params.get(ours) is not None}
    inference.setdefault("maxTokens", DEFAULT_MAX_TOKENS)
    stop = params.get("stop_sequences", params.get("stop"))
    if stop:
        inference["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    request["inferenceConfig"] = inference
    additional = dict(params.get("additional_model_request_fields") or {})
    if params.get("top_k") is not None:
        additional["top_k"] = params["top_k"]
    if additional:
        request["additionalModelRequestFields"] = additional
    if tools:
        specs = [
            {
                "toolSpec": {
                    "name": t["name"],
                    "description": t["description"] or t["name"],
                    "inputSchema": {"json": t["parameters"]},
                }
            }
            for t in tools
        ]
        request["toolConfig"] = {"tools": specs}
        choice = _tool_choice(params.get("tool_choice"))
        if choice is not None:
            request["toolConfig"]["toolChoice"] = choice
    return request


class _ThreadedConverse:
    """boto3's client seen as an async one: each call runs in a worker thread."""

    def __init__(self, client: Any):
        self._client = client

    async def converse(self, **kwargs: Any) -> Any:
        return await asyncio.to_thread(self._client.converse, **kwargs)


def bedrock_cost(response: Any) -> float:
    """The cost of a Bedrock answer; an inference profile (``us.anthropic.claude-...``) or ARN is priced as its
    base model."""
    usage = usage_of(response)
    model = re.sub(r"^(us|eu|apac|us-gov|global)\.", "", usage["model"].rsplit("/", 1)[-1])
    return compute_cost(model, usage["prompt_tokens"], usage["completion_tokens"], table=BEDROCK_PRICES)


class BedrockClient(ProviderClient):
    API_TYPE = "bedrock"
    PROVIDER = "Amazon Bedrock"
    SDK_MODULE = "boto3"
    SDK_PACKAGE = "boto3"
    EXTRA = "bedrock"
    PRICES = BEDROCK_PRICES
    ERROR_TYPES = ("botocore.exceptions.ClientError", "botocore.exceptions.BotoCoreError")
    TIMEOUT_TYPES = ("botocore.exceptions.ReadTimeoutError", "botocore.exceptions.ConnectTimeoutError")

    def __init__(self, **config: Any):
        self.region = config.get("aws_region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if not self.region:
            raise ConfigError(
                "A 'bedrock' config needs the AWS region: set 'aws_region' in the config (e.g. \"us-east-1\") or "
                "the AWS_REGION environment variable."
            )
        super().__init__(**config)

    def make_sdk_client(self, is_async: bool) -> Any:
        from botocore.config import Config

        retries: dict[str, Any] = {"mode": self.config.get("mode") or "standard"}
        if self.config.get("total_max_attempts") is not None:
            retries["total_max_attempts"] = int(self.config["total_max_attempts"])
        elif self.config.get("max_retries") is not None:
            retries["total_max_attempts"] = int(self.config["max_retries"]) + 1
        options: dict[str, Any] = {"region_name": self.region, "retries": retries}
        if self.config.get("timeout") is not None:
            options["read_timeout"] = options["connect_timeout"] = float(self.config["timeout"])
        session = self.sdk.session.Session(
            aws_access_key_id=self.config.get("aws_access_key") or os.environ.get("AWS_ACCESS_KEY"),
            aws_secret_access_key=self.config.get("aws_secret_key") or os.environ.get("AWS_SECRET_KEY"),
            aws_session_token=self.config.get("aws_session_token") or os.environ.get("AWS_SESSION_TOKEN"),
            profile_name=self.config.get("aws_profile_name"),
            region_name=self.region,
        )
        client = session.client("bedrock-runtime", endpoint_url=self.config.get("base_url"), config=Config(**options))
        return _ThreadedConverse(client) if is_async else client

    def prepare(self, params: dict[str, Any]) -> ProviderCall:
        model = params.get("model") or self.config.get("model")
        if not model:
            raise ConfigError("A 'bedrock' config needs a 'model' (the Bedrock model id).")
        settings = {k: v for k, v in self.config.items() if k in _SETTINGS}
        system_ok = self.config.get("supports_system_prompts", True) is not False
        request = to_converse_request({**settings, **params}, model, system_ok)
        return ProviderCall(path="converse", kwargs=request, model=model)

    def parse(self, raw: Any, call: ProviderCall) -> ChatCompletion:
        texts: list[str] = []
        calls: list[ToolCall] = []
        for block in raw["output"]["message"]["content"]:
            if "text" in block:
                texts.append(block["text"])
            elif "toolUse" in block:
                use = block["toolUse"]
                calls.append(
                    ToolCall(id=use["toolUseId"], name=use["name"], arguments=tool_arguments_json(use["input"]))
                )
        usage = raw.get("usage") or {}
        return build_chat_completion(
            model=call.model,
            text="\n".join(texts) if texts else None,
            tool_calls=calls,
            prompt_tokens=usage.get("inputTokens", 0),
            completion_tokens=usage.get("outputTokens", 0),
            finish_reason=raw.get("stopReason"),
            response_id=(raw.get("ResponseMetadata") or {}).get("RequestId"),
        )

    @staticmethod
    def status_of(err: BaseException) -> Optional[int]:
        response = getattr(err, "response", None)
        if isinstance(response, dict):
            return (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        return None

    def describe_error(self, err: BaseException, call: ProviderCall) -> str:
        status = self.status_of(err)
        response = getattr(err, "response", None)
        error = response.get("Error", {}) if isinstance(response, dict) else {}
        detail = f"{error.get('Code')}: {error.get('Message')}" if error else str(err)
        where = f" (HTTP {status})" if status else ""
        return f"Amazon Bedrock request for model {call.model!r} in {self.region} failed{where}: {detail}"

    def cost(self, response: Any) -> float:
        return bedrock_cost(response)

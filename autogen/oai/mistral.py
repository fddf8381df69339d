"""``MistralAIClient``: Mistral AI models (``api_type: "mistral"``), through the ``mistralai`` SDK.

Config keys (classic): ``model``, ``api_key`` (else ``MISTRAL_API_KEY``), ``base_url`` (the SDK's
``server_url``), ``temperature``, ``top_p``, ``max_tokens``, ``random_seed`` (or ``seed``), ``safe_prompt``,
``stop``, ``presence_penalty``, ``frequency_penalty``, ``hide_tools``, ``timeout``.

Mistral's own rules, handled here: tool-call ids are 9 letters/digits (other ids, e.g. from an OpenAI
turn earlier in the chat, are mapped to such ids consistently), messages carry no ``name``, and the
conversation must not end with an assistant turn (a "Please continue." user turn is added, as classic
AutoGen did).
"""

from __future__ import annotations

import hashlib
import re
import warnings
from typing import Any, Mapping

from .openai_compatible import COMMON_PARAMS, OpenAICompatibleClient
from .provider_client import ProviderCall

__all__ = ["MistralAIClient"]

_ID = re.compile(r"^[a-zA-Z0-9]{9}$")


def mistral_tool_call_id(call_id: str) -> str:
    """``call_id`` if Mistral accepts it, else a stable 9-character id derived from it."""
    if _ID.match(call_id):
        return call_id
    return hashlib.sha256(call_id.encode()).hexdigest()[:9]


class MistralAIClient(OpenAICompatibleClient):
    API_TYPE = "mistral"
    PROVIDER = "Mistral AI"
    SDK_MODULE = "mistralai.client"
    SDK_PACKAGE = "mistralai"
    EXTRA = "mistral"
    ERROR_TYPES = ("mistralai.client.errors.MistralError", "mistralai.client.errors.NoResponseError")
    API_KEY_ENV = ("MISTRAL_API_KEY",)
    CLASSIC_NO_KEY = (
        "Please specify the 'api_key' in your config list entry for Mistral or set the MISTRAL_API_KEY env variable."
    )
    CLASSIC_NO_MODEL = "Please specify the 'model' in your config list entry to nominate the Mistral.ai model to use."
    CREATE_PATH = "chat.complete"
    ASYNC_CREATE_PATH = "chat.complete_async"
    MESSAGE_NAMES = False
    PARAMS = {
        **{k: v for k, v in COMMON_PARAMS.items() if k != "seed"},
        "seed": ("random_seed", int, None),
        "random_seed": ("random_seed", int, None),
        "safe_prompt": ("safe_prompt", bool, None),
    }
    # USD per 1k tokens (input, output), from Mistral's price list
    PRICES = {
        "mistral-large-latest": (0.002, 0.006),
        "mistral-large-2411": (0.002, 0.006),
        "mistral-small-latest": (0.0002, 0.0006),
        "mistral-medium-latest": (0.0004, 0.002),
        "pixtral-12b-2409": (0.00015, 0.00015),
        "pixtral-large-latest": (0.002, 0.006),
        "open-mistral-nemo": (0.00015, 0.00015),
        "open-mistral-7b": (0.00025, 0.00025),
        "open-mixtral-8x7b": (0.0007, 0.0007),
        "open-mixtral-8x22b": (0.002, 0.006),
        "codestral-latest": (0.0003, 0.0009),
        "ministral-8b-latest": (0.0001, 0.0001),
        "ministral-3b-latest": (0.00004, 0.00004),
    }

    def make_sdk_client(self, is_async: bool) -> Any:
        # one SDK object serves both sync and async calls (complete / complete_async)
        kwargs: dict[str, Any] = {}
        if self.config.get("api_key"):
            kwargs["api_key"] = self.config["api_key"]
        if self.base_url():
            kwargs["server_url"] = self.base_url()
        if self.config.get("timeout"):
            kwargs["timeout_ms"] = int(float(self.config["timeout"]) * 1000)
        return self.sdk.Mistral(**kwargs)

    def prepare(self, params: dict[str, Any]) -> ProviderCall:
        call = super().prepare(params)
        if params.get("stream"):  # classic's warning; the answer comes in one piece
            warnings.warn(
                "Streaming is not currently supported, streaming will be disabled.", UserWarning, stacklevel=2
            )
        messages = call.kwargs["messages"]
        if messages and messages[-1]["role"] == "assistant":
            messages.append({"role": "user", "content": "Please continue."})
        return call

    @classmethod
    def convert_message(cls, message: Mapping[str, Any]) -> dict[str, Any]:
        out = super().convert_message(message)
        if out["role"] == "tool":
            out["tool_call_id"] = mistral_tool_call_id(out["tool_call_id"])
        for call in out.get("tool_calls") or []:
            call["id"] = mistral_tool_call_id(call["id"])
        return out

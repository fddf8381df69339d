"""``CerebrasClient``: models on Cerebras Inference (``api_type: "cerebras"``), through ``cerebras-cloud-sdk``.

Config keys (classic): ``model``, ``api_key`` (else ``CEREBRAS_API_KEY``), ``base_url`` (else
``CEREBRAS_BASE_URL``), ``max_tokens``, ``seed``, ``temperature``, ``top_p``, ``stop``, ``hide_tools``,
``timeout``, ``max_retries``. Cerebras models take text only.
"""

from __future__ import annotations

from typing import Any

from .openai_compatible import COMMON_PARAMS, OpenAICompatibleClient

__all__ = ["CerebrasClient"]


class CerebrasClient(OpenAICompatibleClient):
    API_TYPE = "cerebras"
    PROVIDER = "Cerebras"
    SDK_MODULE = "cerebras.cloud.sdk"
    SDK_PACKAGE = "cerebras-cloud-sdk"
    EXTRA = "cerebras"
    SDK_CLASS = "Cerebras"
    ASYNC_SDK_CLASS = "AsyncCerebras"
    SDK_BASE_ERROR = "CerebrasError"
    ERROR_TYPES = ("cerebras.cloud.sdk.APIError",)
    TIMEOUT_TYPES = ("cerebras.cloud.sdk.APITimeoutError",)
    TAKES_IMAGES = False
    PARAMS = {k: v for k, v in COMMON_PARAMS.items() if k not in ("frequency_penalty", "presence_penalty")}
    # USD per 1k tokens (input, output), from Cerebras' price list
    PRICES = {
        "llama3.1-8b": (0.0001, 0.0001),
        "llama3.1-70b": (0.0006, 0.0006),
        "llama-3.3-70b": (0.00085, 0.0012),
        "llama-4-scout-17b-16e-instruct": (0.00065, 0.00085),
        "qwen-3-32b": (0.0004, 0.0008),
    }

    def sdk_client_kwargs(self) -> dict[str, Any]:
        # no warm-up request when the client is built: building a wrapper must not touch the network
        return {**super().sdk_client_kwargs(), "warm_tcp_connection": False}

"""``TogetherClient``: open models on Together AI (``api_type: "together"``), through the ``together`` SDK.

Config keys (classic): ``model``, ``api_key`` (else ``TOGETHER_API_KEY``), ``base_url`` (else
``TOGETHER_BASE_URL``), ``max_tokens``, ``min_p``, ``presence_penalty``, ``frequency_penalty``,
``repetition_penalty``, ``seed``, ``temperature``, ``top_k``, ``top_p``, ``stop``, ``safety_model``,
``hide_tools``, ``timeout``, ``max_retries``.
"""

from __future__ import annotations

from .openai_compatible import COMMON_PARAMS, NUMBER, OpenAICompatibleClient

__all__ = ["TogetherClient"]


class TogetherClient(OpenAICompatibleClient):
    API_TYPE = "together"
    PROVIDER = "Together AI"
    SDK_MODULE = "together"
    SDK_PACKAGE = "together"
    EXTRA = "together"
    SDK_CLASS = "Together"
    ASYNC_SDK_CLASS = "AsyncTogether"
    SDK_BASE_ERROR = "TogetherError"
    ERROR_TYPES = ("together.APIError",)
    TIMEOUT_TYPES = ("together.APITimeoutError",)
    API_KEY_ENV = ("TOGETHER_API_KEY",)
    CLASSIC_ERROR = "Together.AI exception occurred"
    CLASSIC_NO_KEY = (
        "Please include the api_key in your config list entry for Together.AI or set the TOGETHER_API_KEY env variable."
    )
    CLASSIC_NO_MODEL = "Please specify the 'model' in your config list entry to nominate the Together.AI model to use."
    PARAMS = {
        **COMMON_PARAMS,
        "min_p": ("min_p", NUMBER, (0, 1)),
        "top_k": ("top_k", int, (0, None)),
        "repetition_penalty": ("repetition_penalty", NUMBER, (0, None)),
        "safety_model": ("safety_model", str, None),
    }
    # USD per 1k tokens (input, output), from Together's price list
    PRICES = {
        "meta-llama/Llama-3.3-70B-Instruct-Turbo": (0.00088, 0.00088),
        "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo": (0.00018, 0.00018),
        "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo": (0.00088, 0.00088),
        "meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo": (0.0035, 0.0035),
        "meta-llama/Llama-3.2-11B-Vision-Instruct-Turbo": (0.00018, 0.00018),
        "meta-llama/Llama-3.2-90B-Vision-Instruct-Turbo": (0.0012, 0.0012),
        "mistralai/Mixtral-8x7B-Instruct-v0.1": (0.0006, 0.0006),
        "mistralai/Mistral-7B-Instruct-v0.3": (0.0002, 0.0002),
        "Qwen/Qwen2.5-72B-Instruct-Turbo": (0.0012, 0.0012),
        "deepseek-ai/DeepSeek-V3": (0.00125, 0.00125),
    }

"""``GroqClient``: models on Groq (``api_type: "groq"``), through the ``groq`` SDK.

Config keys (classic): ``model``, ``api_key`` (else ``GROQ_API_KEY``), ``base_url`` (else ``GROQ_BASE_URL``),
``frequency_penalty``, ``max_tokens``, ``presence_penalty``, ``seed``, ``temperature``, ``top_p``, ``stop``,
``hide_tools``, ``timeout``, ``max_retries``.
"""

from __future__ import annotations

from typing import Any

from .client_utils import should_hide_tools, validate_parameter  # noqa: F401 - classic module names
from .model_prices import compute_cost
from .openai_compatible import OpenAICompatibleClient

__all__ = ["GroqClient", "GROQ_PRICING_1K", "calculate_groq_cost", "oai_messages_to_groq_messages"]


class GroqClient(OpenAICompatibleClient):
    API_TYPE = "groq"
    PROVIDER = "Groq"
    SDK_MODULE = "groq"
    SDK_PACKAGE = "groq"
    EXTRA = "groq"
    SDK_CLASS = "Groq"
    ASYNC_SDK_CLASS = "AsyncGroq"
    SDK_BASE_ERROR = "GroqError"
    ERROR_TYPES = ("groq.APIError",)
    TIMEOUT_TYPES = ("groq.APITimeoutError",)
    API_KEY_ENV = ("GROQ_API_KEY",)
    CLASSIC_ERROR = "Groq exception occurred"
    CLASSIC_NO_KEY = (
        "Please include the api_key in your config list entry for Groq or set the GROQ_API_KEY env variable."
    )
    CLASSIC_NO_MODEL = "Please specify the 'model' in your config list entry to nominate the Groq model to use."
    BASE_URL_SUFFIXES = ("/openai/v1",)
    # USD per 1k tokens (input, output), from Groq's price list
    PRICES = {
        "llama-3.3-70b-versatile": (0.00059, 0.00079),
        "llama-3.1-70b-versatile": (0.00059, 0.00079),
        "llama-3.1-8b-instant": (0.00005, 0.00008),
        "llama3-70b-8192": (0.00059, 0.00079),
        "llama3-8b-8192": (0.00005, 0.00008),
        "mixtral-8x7b-32768": (0.00024, 0.00024),
        "gemma2-9b-it": (0.0002, 0.0002),
        "gemma-7b-it": (0.00007, 0.00007),
        "llama-3.2-11b-vision-preview": (0.00018, 0.00018),
        "llama-3.2-90b-vision-preview": (0.0009, 0.0009),
    }


GROQ_PRICING_1K = GroqClient.PRICES  # the classic name of the same table


def oai_messages_to_groq_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The OpenAI-format messages as the Groq client sends them (new dicts; the given ones are left as they are)."""
    return [GroqClient.convert_message(message) for message in messages]


def calculate_groq_cost(input_tokens: int, output_tokens: int, model: str) -> float:
    """The cost in USD of a Groq call from its token counts (0, with a warning, for a model without a price)."""
    return compute_cost(model, input_tokens, output_tokens, table=GROQ_PRICING_1K)

"""Which client class serves each non-OpenAI ``api_type`` of a config entry.

Classes are named by module path and imported only when a config uses them, so the provider SDKs
stay optional (``pip install "pyautogen[anthropic]"``, ...).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Mapping

from ..exception_utils import ConfigError

if TYPE_CHECKING:
    from .config import ConfigEntry

__all__ = ["PROVIDER_CLIENTS", "client_class", "make_provider_client"]

PROVIDER_CLIENTS: Mapping[str, tuple[str, str]] = {
    "anthropic": ("autogen.oai.anthropic", "AnthropicClient"),
    "google": ("autogen.oai.gemini", "GeminiClient"),
    "bedrock": ("autogen.oai.bedrock", "BedrockClient"),
    "mistral": ("autogen.oai.mistral", "MistralAIClient"),
    "groq": ("autogen.oai.groq", "GroqClient"),
    "together": ("autogen.oai.together", "TogetherClient"),
    "cohere": ("autogen.oai.cohere", "CohereClient"),
    "ollama": ("autogen.oai.ollama", "OllamaClient"),
    "cerebras": ("autogen.oai.cerebras", "CerebrasClient"),
}


def client_class(api_type: str) -> type:
    """The client class for ``api_type`` (one of ``PROVIDER_CLIENTS``)."""
    try:
        module_name, class_name = PROVIDER_CLIENTS[api_type]
    except KeyError:
        raise ConfigError(
            f"Unknown provider api_type {api_type!r}; known: {', '.join(sorted(PROVIDER_CLIENTS))}."
        ) from None
    return getattr(importlib.import_module(module_name), class_name)  # type: ignore[no-any-return]


def make_provider_client(entry: ConfigEntry) -> Any:
    """The client of one config entry, built from the whole merged config (as the classic clients were)."""
    return client_class(entry.api_type)(**entry.config)

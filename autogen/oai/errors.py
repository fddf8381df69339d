"""Errors raised by the enhanced-inference layer (besides the openai SDK's own ``APIError`` family)."""

from __future__ import annotations

from typing import Optional

from ..exception_utils import AutoGenError, ConfigError

__all__ = [
    "ConfigError",
    "InvalidResponseError",
    "ModelClientNotRegisteredError",
    "ProviderAPIError",
    "ProviderTimeoutError",
    "RequestNotSerializableError",
]


class InvalidResponseError(AutoGenError):
    """An endpoint answered with something that is not a completion (not JSON, or the wrong shape).

    Like an API error it makes ``OpenAIWrapper`` move on to the next config.
    """


class RequestNotSerializableError(AutoGenError, TypeError):
    """A request parameter cannot be sent as JSON (e.g. a Python object inside a message)."""


class ModelClientNotRegisteredError(AutoGenError, RuntimeError):
    """A config names a ``model_client_cls`` whose class was never registered with ``register_model_client``."""


class ProviderAPIError(AutoGenError, RuntimeError):
    """A non-OpenAI provider (Anthropic, Gemini, Ollama, ...) refused or failed a request.

    Raised by the provider clients in place of their SDK's own error (kept as ``__cause__``), so
    ``OpenAIWrapper`` moves on to the next config as it does for ``openai.APIError``.
    ``status_code`` is the HTTP status when there was one; ``provider`` names the provider.
    """

    def __init__(self, message: str, *, provider: str = "", status_code: Optional[int] = None):
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status_code = status_code


class ProviderTimeoutError(ProviderAPIError, TimeoutError):
    """A provider did not answer in time (raise ``timeout`` in the config if the model needs longer)."""

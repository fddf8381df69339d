"""Errors raised by the enhanced-inference layer (besides the openai SDK's own ``APIError`` family)."""

from __future__ import annotations

from ..exception_utils import AutoGenError, ConfigError

__all__ = [
    "ConfigError",
    "IncompleteStreamError",
    "InvalidResponseError",
    "ModelClientNotRegisteredError",
    "RequestNotSerializableError",
]


class InvalidResponseError(AutoGenError):
    """An endpoint answered with something that is not a completion (not JSON, or the wrong shape).

    Like an API error it makes ``OpenAIWrapper`` move on to the next config.
    """


class IncompleteStreamError(InvalidResponseError):
    """A streamed answer ended before the endpoint said it was finished (no ``finish_reason``, or the connection
    broke off). It is retried, then the next config is tried; it is never returned as complete nor cached."""


class RequestNotSerializableError(AutoGenError, TypeError):
    """A request parameter cannot be sent as JSON (e.g. a Python object inside a message)."""


class ModelClientNotRegisteredError(AutoGenError, RuntimeError):
    """A config names a ``model_client_cls`` whose class was never registered with ``register_model_client``."""

"""The ``ModelClient`` protocol: what ``OpenAIWrapper`` needs from a model back end.

The OpenAI/Azure client implements it; users plug in their own with a config entry
``{"model_client_cls": "MyClient", ...}`` and ``wrapper.register_model_client(MyClient)``.
A custom client may also define ``async def a_create(self, params)``; without one,
``a_create`` of the wrapper runs ``create`` in a worker thread so the event loop never blocks.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional, Protocol, Union, runtime_checkable

__all__ = ["ModelClient", "PlaceHolderClient"]


@runtime_checkable
class ModelClient(Protocol):
    """A client for one model endpoint.

    ``create`` takes the request parameters (``messages``, ``model``, ...) and returns a response
    object with at least ``choices[i].message.content`` and ``model``. ``get_usage`` returns a dict
    with the keys in ``RESPONSE_USAGE_KEYS``.
    """

    RESPONSE_USAGE_KEYS: ClassVar[list[str]] = ["prompt_tokens", "completion_tokens", "total_tokens", "cost", "model"]

    class ModelClientResponseProtocol(Protocol):
        class Choice(Protocol):
            class Message(Protocol):
                content: Optional[str]

            message: Message

        choices: list[Choice]
        model: str

    def create(self, params: dict[str, Any]) -> ModelClientResponseProtocol: ...

    def message_retrieval(
        self, response: ModelClientResponseProtocol
    ) -> Union[list[str], list[ModelClient.ModelClientResponseProtocol.Choice.Message]]:
        """The messages of the response's choices: strings, or message objects when they carry calls."""
        ...

    def cost(self, response: ModelClientResponseProtocol) -> float: ...

    @staticmethod
    def get_usage(response: ModelClientResponseProtocol) -> dict[str, Any]:
        """prompt_tokens, completion_tokens, total_tokens, cost and model of the response."""
        ...


class PlaceHolderClient:
    """Stands in for a custom client named in a config until ``register_model_client`` supplies the class."""

    def __init__(self, config: dict[str, Any]):
        self.config = config

    @property
    def class_name(self) -> str:
        return str(self.config.get("model_client_cls"))

    def __repr__(self) -> str:
        return f"PlaceHolderClient(model_client_cls={self.class_name!r})"

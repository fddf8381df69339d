"""The protocols every agent follows: what other agents and group chats may rely on."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Protocol, Union, runtime_checkable

__all__ = ["Agent", "LLMAgent"]


@runtime_checkable
class Agent(Protocol):
    """An agent: it has a name and a description, exchanges messages and generates replies.

    ``send`` delivers a message to a recipient (which ``receive``s it and, if asked, replies);
    ``generate_reply`` produces a reply to a conversation without sending it. Each has an async twin.
    """

    @property
    def name(self) -> str:
        """The agent's name, unique among the agents it talks to."""
        ...

    @property
    def description(self) -> str:
        """What the agent does, for other agents (e.g. group chat speaker selection)."""
        ...

    def send(self, message: Union[Dict[str, Any], str], recipient: Agent, request_reply: Optional[bool] = None) -> None:
        """Send a message to another agent."""
        ...

    async def a_send(
        self, message: Union[Dict[str, Any], str], recipient: Agent, request_reply: Optional[bool] = None
    ) -> None:
        """Send a message to another agent (async)."""
        ...

    def receive(self, message: Union[Dict[str, Any], str], sender: Agent, request_reply: Optional[bool] = None) -> None:
        """Receive a message from another agent."""
        ...

    async def a_receive(
        self, message: Union[Dict[str, Any], str], sender: Agent, request_reply: Optional[bool] = None
    ) -> None:
        """Receive a message from another agent (async)."""
        ...

    def generate_reply(
        self, messages: Optional[List[Dict[str, Any]]] = None, sender: Optional[Agent] = None, **kwargs: Any
    ) -> Union[str, Dict[str, Any], None]:
        """A reply to ``messages`` (default: the conversation with ``sender``), or None for no reply."""
        ...

    async def a_generate_reply(
        self, messages: Optional[List[Dict[str, Any]]] = None, sender: Optional[Agent] = None, **kwargs: Any
    ) -> Union[str, Dict[str, Any], None]:
        """A reply to ``messages`` (async)."""
        ...

    def reset(self) -> None:
        """Forget the conversations and counters, as if just created."""
        ...


@runtime_checkable
class LLMAgent(Agent, Protocol):
    """An agent backed by an LLM: it has a system message."""

    @property
    def system_message(self) -> str:
        """The system message sent to the LLM before the conversation."""
        ...

    def update_system_message(self, system_message: str) -> None:
        """Replace the system message."""
        ...

"""AgentCapability: the base class of capabilities that are added to an agent after it was made."""

from __future__ import annotations

from typing import Any

__all__ = ["AgentCapability"]


class AgentCapability:
    """A behaviour added to an existing agent, typically by registering hooks or reply functions on it.

    Subclasses implement :meth:`add_to_agent`.
    """

    def __init__(self) -> None:
        pass

    def add_to_agent(self, agent: Any) -> None:
        """Give ``agent`` this capability (usually a ConversableAgent)."""
        raise NotImplementedError(f"{type(self).__name__} must implement add_to_agent(agent).")

"""CriticAgent: proposes the criteria by which responses to a task are judged."""

from __future__ import annotations

from typing import Any, Optional

from ...conversable_agent import ConversableAgent

__all__ = ["CriticAgent"]


class CriticAgent(ConversableAgent):
    """An LLM agent that answers a task description with a JSON list of evaluation criteria."""

    DEFAULT_SYSTEM_MESSAGE = """You design the criteria by which responses to a task are judged. You are \
given the task, with an example of a successful response and an example of a failed one. Propose criteria \
that tell good responses from bad ones: each one relevant to the task, measurable from the response \
alone, and distinct from the others (no two criteria judge the same thing).

Answer with a JSON list only, with no text and no code around it. Each item is an object \
{"name": "...", "description": "...", "accepted_values": [...]}: "description" says what the criterion \
measures, and "accepted_values" lists the grades it can take, as short strings ordered from the worst to \
the best (three to five grades)."""

    DEFAULT_DESCRIPTION = "An AI agent that proposes the criteria by which responses to a task are judged."

    def __init__(
        self,
        name: str = "critic",
        system_message: Optional[str] = DEFAULT_SYSTEM_MESSAGE,
        description: Optional[str] = DEFAULT_DESCRIPTION,
        **kwargs: Any,
    ):
        kwargs.setdefault("human_input_mode", "NEVER")
        super().__init__(name=name, system_message=system_message, description=description, **kwargs)

"""QuantifierAgent: grades a response by each evaluation criterion."""

from __future__ import annotations

from typing import Any, Optional

from ...conversable_agent import ConversableAgent

__all__ = ["QuantifierAgent"]


class QuantifierAgent(ConversableAgent):
    """An LLM agent that grades a response with one accepted value per criterion, as a JSON object."""

    DEFAULT_SYSTEM_MESSAGE = """You grade a response to a task. You are given the task, the evaluation \
criteria as a JSON list, and the response to grade. For each criterion choose exactly one of its \
"accepted_values", the one that fits the response best; a criterion with "sub_criteria" is graded through \
its sub-criteria instead.

Answer with a JSON object only, with no text and no code around it, mapping each criterion name to the \
grade you chose, written exactly as in its accepted values; for a criterion with sub-criteria, map its \
name to an object mapping each sub-criterion name to its grade."""

    DEFAULT_DESCRIPTION = "An AI agent that grades a response to a task by each evaluation criterion."

    def __init__(
        self,
        name: str = "quantifier",
        system_message: Optional[str] = DEFAULT_SYSTEM_MESSAGE,
        description: Optional[str] = DEFAULT_DESCRIPTION,
        **kwargs: Any,
    ):
        kwargs.setdefault("human_input_mode", "NEVER")
        super().__init__(name=name, system_message=system_message, description=description, **kwargs)

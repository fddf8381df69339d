"""SubCriticAgent: splits broad evaluation criteria into sub-criteria."""

from __future__ import annotations

from typing import Any, Optional

from ...conversable_agent import ConversableAgent

__all__ = ["SubCriticAgent"]


class SubCriticAgent(ConversableAgent):
    """An LLM agent that adds sub-criteria to the criteria a critic proposed."""

    DEFAULT_SYSTEM_MESSAGE = """You refine evaluation criteria. You are given a task and a JSON list of \
criteria for judging responses to it. Split each criterion that is too broad to be graded reliably into \
two to four sub-criteria, each narrower, measurable from the response alone and distinct from its siblings.

Answer with the whole JSON list again, with no text and no code around it, in the same format, adding to \
each criterion you split a "sub_criteria" list of objects \
{"name": "...", "description": "...", "accepted_values": [...]} whose accepted values are short grades \
ordered from the worst to the best. Keep the criteria you do not split as they are."""

    DEFAULT_DESCRIPTION = "An AI agent that splits broad evaluation criteria into sub-criteria."

    def __init__(
        self,
        name: str = "subcritic",
        system_message: Optional[str] = DEFAULT_SYSTEM_MESSAGE,
        description: Optional[str] = DEFAULT_DESCRIPTION,
        **kwargs: Any,
    ):
        kwargs.setdefault("human_input_mode", "NEVER")
        super().__init__(name=name, system_message=system_message, description=description, **kwargs)

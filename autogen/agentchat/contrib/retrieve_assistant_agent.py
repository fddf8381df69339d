"""RetrieveAssistantAgent: an AssistantAgent that ends a retrieval chat once the code it wrote ran fine."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ...code_utils import content_str
from ..agent import Agent
from ..assistant_agent import AssistantAgent
from .rag.prompts import UPDATE_CONTEXT

__all__ = ["RetrieveAssistantAgent"]

SUCCESS_MARK = "exitcode: 0 (execution succeeded)"


class RetrieveAssistantAgent(AssistantAgent):
    """The assistant of a retrieval chat (usually with a RetrieveUserProxyAgent).

    Before asking its LLM it checks the last message: a successful code execution ends the chat
    ("TERMINATE"; a human on the other side can still go on), and "UPDATE CONTEXT" is passed back as it is.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.register_reply(Agent, RetrieveAssistantAgent._generate_retrieve_assistant_reply)

    def _generate_retrieve_assistant_reply(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[Any] = None,
    ) -> Tuple[bool, Any]:
        if messages is None:
            messages = self.chat_messages[sender] if sender is not None else []
        if not messages:
            return False, None
        text = content_str(messages[-1].get("content"))
        if SUCCESS_MARK in text:
            return True, "TERMINATE"
        upper = text.upper()
        if UPDATE_CONTEXT in upper[-20:] or UPDATE_CONTEXT in upper[:20]:
            return True, UPDATE_CONTEXT
        return False, None

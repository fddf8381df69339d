"""TextAnalyzerAgent: an LLM agent that analyzes a text as instructed (used by Teachability)."""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, Tuple, Union

from ..._flow import Flow, flow_backed, run_async, run_sync
from ...code_utils import content_str
from ..agent import Agent
from ..conversable_agent import ConversableAgent
from ..reply_llm import client_reply_flow

__all__ = ["TextAnalyzerAgent", "analysis_flow"]

SYSTEM_MESSAGE = """You analyze texts. Each request gives you a TEXT and INSTRUCTIONS that say what to find out about it or take from it.
Follow the INSTRUCTIONS exactly, and reply with the result alone: no introduction, no explanation, no quotes around it."""
system_message = SYSTEM_MESSAGE  # the classic module-level name


def analysis_request(text_to_analyze: str, analysis_instructions: str) -> str:
    return f"# TEXT\n{text_to_analyze}\n\n# INSTRUCTIONS\n{analysis_instructions}"


def analysis_flow(agent: TextAnalyzerAgent, text_to_analyze: str, analysis_instructions: str) -> Flow[str]:
    """Ask the agent's LLM to analyze ``text_to_analyze`` as ``analysis_instructions`` say; its answer as text."""
    client = agent.client
    if client is None:
        from ...exception_utils import ConfigError

        raise ConfigError(f"The text analyzer {agent.name!r} needs an llm_config.")
    request = [{"role": "user", "content": analysis_request(text_to_analyze, analysis_instructions)}]
    reply = yield from client_reply_flow(agent, client, request, agent.client_cache, agent.system_messages)
    if isinstance(reply, dict):
        reply = reply.get("content")
    return content_str(reply).strip() if reply is not None else ""


def analyze_reply_flow(
    agent: TextAnalyzerAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """In a chat: the second-to-last message is the text, the last one the instructions."""
    if messages is None:
        messages = agent.chat_messages[sender] if sender is not None else []
    if len(messages) < 2:
        return False, None
    text = content_str(messages[-2].get("content"))
    instructions = content_str(messages[-1].get("content"))
    return True, (yield from analysis_flow(agent, text, instructions))


class TextAnalyzerAgent(ConversableAgent):
    """Analyzes a text following instructions, with its LLM.

    Call :meth:`analyze_text` directly, or send it the text and then the instructions as two messages.
    """

    DEFAULT_SYSTEM_MESSAGE = SYSTEM_MESSAGE

    def __init__(
        self,
        name: str = "analyzer",
        system_message: Optional[str] = SYSTEM_MESSAGE,
        human_input_mode: Literal["ALWAYS", "NEVER", "TERMINATE"] = "NEVER",
        llm_config: Optional[Union[Dict[str, Any], Literal[False]]] = None,
        **kwargs: Any,
    ):
        super().__init__(
            name=name,
            system_message=system_message,
            human_input_mode=human_input_mode,
            llm_config=llm_config,
            **kwargs,
        )
        self.register_reply(Agent, TextAnalyzerAgent._analyze_in_reply, position=2)

    @flow_backed(analyze_reply_flow)
    def _analyze_in_reply(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[Any] = None,
    ) -> Tuple[bool, Any]:
        return run_sync(analyze_reply_flow(self, messages, sender, config))

    def analyze_text(self, text_to_analyze: str, analysis_instructions: str) -> str:
        """The LLM's analysis of ``text_to_analyze`` as ``analysis_instructions`` say."""
        return run_sync(analysis_flow(self, text_to_analyze, analysis_instructions))

    async def a_analyze_text(self, text_to_analyze: str, analysis_instructions: str) -> str:
        return await run_async(analysis_flow(self, text_to_analyze, analysis_instructions))

"""MultimodalConversableAgent: an agent whose messages may hold images, for vision models.

Every message this agent stores (sent or received) has a list content of text and image parts: a plain
string is read with :func:`~autogen.agentchat.contrib.img_utils.gpt4v_formatter`, so ``<img path-or-url>``
tags become image parts and local files are sent as base64 data URIs. Other agents keep their own copy of
the message as it was written. PIL images in parts are turned into data URIs when the LLM is called.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from ..._flow import Flow, flow_backed, run_async, run_sync
from ...code_utils import content_str
from ..agent import Agent
from ..conversable_agent import ConversableAgent
from ..printing import say
from ..reply_llm import client_reply_flow
from .img_utils import gpt4v_formatter, message_formatter_pil_to_b64

__all__ = ["DEFAULT_LMM_SYS_MSG", "DEFAULT_MODEL", "MultimodalConversableAgent", "lmm_reply_flow"]

DEFAULT_LMM_SYS_MSG = """You are a helpful AI assistant."""  # the classic default, word for word
DEFAULT_MODEL = "gpt-4-vision-preview"

Content = Union[str, List[Any], Dict[str, Any]]


def lmm_reply_flow(
    agent: MultimodalConversableAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """The LLM's reply to a conversation with images (PIL images sent as data URIs)."""
    client = agent.client if config is None else config
    if client is None:
        return False, None
    if messages is None:
        messages = agent.chat_messages[sender]
    system = message_formatter_pil_to_b64(agent.system_messages)
    history = message_formatter_pil_to_b64([_with_parts(m) for m in messages])
    reply = yield from client_reply_flow(agent, client, history, agent.client_cache, system)
    return (False, None) if reply is None else (True, reply)


def _with_parts(message: Dict[str, Any]) -> Dict[str, Any]:
    """Messages given to a reply directly (not stored by the agent) may still hold ``<img>`` tags in text."""
    content = message.get("content")
    if isinstance(content, str) and "<img" in content and message.get("role") not in ("tool", "function"):
        return {**message, "content": gpt4v_formatter(content, img_format="uri")}
    return message


class MessageContentError(AssertionError, ValueError):
    """A message dict without content: classic asserted it (an AssertionError); a ValueError too."""


def _check_content(content: Any) -> None:
    """Raise (after the classic printed line) for a content that is neither text nor content parts."""
    try:
        content_str(content)
    except (TypeError, ValueError):
        say("The `content` field should be compatible with the content_str function!")
        raise


def _is_terminate(message: Dict[str, Any]) -> bool:
    try:
        return content_str(message.get("content")) == "TERMINATE"  # exactly, as in classic
    except (TypeError, ValueError, AssertionError):
        return False


class MultimodalConversableAgent(ConversableAgent):
    """A ConversableAgent for large multimodal models (text and images in, text out).

    Args:
        name: the agent's name.
        system_message: a string (``<img>`` tags allowed) or a list of content parts.
        is_termination_msg: default: the text of the message (its text parts joined) is exactly "TERMINATE".
        **kwargs: the other ConversableAgent arguments (``llm_config`` for a vision model, ...).
    """

    DEFAULT_CONFIG = {"model": DEFAULT_MODEL}

    def __init__(
        self,
        name: str,
        system_message: Optional[Union[str, List[Any]]] = DEFAULT_LMM_SYS_MSG,
        is_termination_msg: Optional[Callable[[Dict[str, Any]], bool]] = None,
        **kwargs: Any,
    ):
        super().__init__(
            name,
            system_message,  # type: ignore[arg-type]
            is_termination_msg=is_termination_msg or _is_terminate,
            **kwargs,
        )
        self.update_system_message(system_message)  # type: ignore[arg-type]
        self.replace_reply_func(ConversableAgent.generate_oai_reply, MultimodalConversableAgent.generate_oai_reply)
        self.replace_reply_func(ConversableAgent.a_generate_oai_reply, MultimodalConversableAgent.a_generate_oai_reply)

    def update_system_message(self, system_message: Union[Dict[str, Any], List[Any], str]) -> None:
        """Set the system message (a string with ``<img>`` tags, a list of parts, or a message dict)."""
        self.system_messages[0]["content"] = self._message_to_dict(system_message)["content"]
        self.system_messages[0]["role"] = "system"

    @staticmethod
    def _message_to_dict(message: Content) -> Dict[str, Any]:  # type: ignore[override]
        """A message as a dict whose content is a list of parts (``<img>`` tags in text read as images)."""
        if isinstance(message, str):
            return {"content": gpt4v_formatter(message, img_format="uri")}
        if isinstance(message, list):
            return {"content": message}
        if isinstance(message, dict):
            if "content" not in message and not (message.get("tool_calls") or message.get("function_call")):
                raise MessageContentError(
                    "The message dict must have a `content` field: give it one (or a function/tool call)."
                )
            content = message.get("content")
            if isinstance(content, str) and message.get("role") not in ("tool", "function"):
                message = {**message, "content": gpt4v_formatter(content, img_format="uri")}
            else:
                _check_content(content)
            return message
        dump = getattr(message, "model_dump", None)
        if callable(dump):
            return MultimodalConversableAgent._message_to_dict(dump())
        raise ValueError(
            f"Unsupported message type: {type(message)}. A message is a str, a list of content parts or a dict."
        )

    def _append_oai_message(self, message: Any, role: str, conversation_id: Agent, is_sending: bool) -> bool:
        return super()._append_oai_message(self._message_to_dict(message), role, conversation_id, is_sending)

    def _print_received_message(self, message: Any, sender: Agent, skip_head: bool = False) -> None:
        # printed as stored: images show as <image>, not as the base64 of a data URI
        super()._print_received_message(self._message_to_dict(message), sender, skip_head)

    @flow_backed(lmm_reply_flow)
    def generate_oai_reply(  # type: ignore[override]
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[Any] = None,
    ) -> Tuple[bool, Union[str, Dict[str, Any], None]]:
        """The vision model's reply (``config``: another OpenAIWrapper to use instead of the agent's)."""
        return run_sync(lmm_reply_flow(self, messages, sender, config))

    @flow_backed(lmm_reply_flow)
    async def a_generate_oai_reply(  # type: ignore[override]
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[Any] = None,
    ) -> Tuple[bool, Union[str, Dict[str, Any], None]]:
        return await run_async(lmm_reply_flow(self, messages, sender, config))

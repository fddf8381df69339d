"""SocietyOfMindAgent: a whole group chat that answers as one agent.

For each message it receives, the agent runs its inner group chat (a fresh one each time, seeded with the
earlier messages of the outer conversation) on that message, then prepares a single reply from the inner
transcript: with an LLM and a prompt (the ``response_preparer`` string) or with a function
``response_preparer(agent, inner_messages) -> reply``.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple, Union

from ..._flow import Call, Flow, Invoke, flow_backed, run_sync
from ..agent import Agent
from ..conversable_agent import ConversableAgent
from ..groupchat import GroupChat, GroupChatManager
from ..reply_llm import client_reply_flow

__all__ = ["PromptPreparer", "SocietyOfMindAgent", "last_message_preparer"]

logger = logging.getLogger(__name__)

DEFAULT_RESPONSE_PREPARER = (
    "Write the reply to the original request as if you alone had worked on it: give the result the team reached, "
    "in full, and do not mention the team, its discussion or the steps it took."
)
TRANSCRIPT_INTRO = (
    "Earlier you were given a request, and you worked on it together with a team. This is the transcript of that work:"
)

ResponsePreparer = Union[str, Callable[["SocietyOfMindAgent", List[Dict[str, Any]]], Any]]


def transcript_message(message: Dict[str, Any]) -> Dict[str, Any]:
    """An inner message as a plain user message (tool and function calls written out as text), so any
    transcript can be sent to an LLM."""
    content = message.get("content")
    if not content and message.get("function_call"):
        call = message["function_call"]
        content = f"{call.get('name', '')}({call.get('arguments', '')})"
    elif not content and message.get("tool_calls"):
        content = "; ".join(
            f"{c.get('function', {}).get('name', '')}({c.get('function', {}).get('arguments', '')})"
            for c in message["tool_calls"]
        )
    out: Dict[str, Any] = {"role": "user", "content": content if content is not None else ""}
    if message.get("name"):
        out["name"] = message["name"]
    return out


def _last_text(messages: List[Dict[str, Any]]) -> str:
    for message in reversed(messages):
        content = message.get("content")
        if isinstance(content, str) and content.replace("TERMINATE", "").strip():
            return content.replace("TERMINATE", "").strip()
    return ""


def last_message_preparer(agent: SocietyOfMindAgent, messages: List[Dict[str, Any]]) -> str:
    """The classic default without an LLM: the last inner message's text, TERMINATE removed ("" when it is
    empty). A last message without text (a tool call) or no message at all gives the last text said."""
    content = messages[-1].get("content") if messages else None
    if isinstance(content, str):
        return content.replace("TERMINATE", "").strip()
    return _last_text(messages)


class PromptPreparer:
    """A ``response_preparer`` given as a prompt: a callable ``(agent, inner_messages) -> reply``, as in
    the classic package, that asks the agent's LLM to turn the transcript into the reply (``prompt``)."""

    def __init__(self, prompt: str) -> None:
        self.prompt = prompt

    def __call__(self, agent: SocietyOfMindAgent, messages: List[Dict[str, Any]]) -> str:
        return agent._llm_response_preparer(self.prompt, messages)

    def __repr__(self) -> str:
        return f"PromptPreparer({self.prompt!r})"


def _attributed(message: Dict[str, Any], own_name: str, sender_name: str) -> Dict[str, Any]:
    if "name" in message:
        return message
    return {**message, "name": own_name if message.get("role") == "assistant" else sender_name}


def inner_monologue_flow(
    agent: SocietyOfMindAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """Run the inner group chat on the last message, then prepare the reply from its transcript."""
    manager = agent.chat_manager
    if manager is None:  # classic: no inner chat, so the other reply functions answer
        return False, None
    if messages is None:
        messages = agent.chat_messages[sender]
    if not messages:
        return False, None
    manager.reset()
    agent.update_chat_manager(manager)
    group_chat = manager.groupchat
    sender_name = sender.name if sender is not None else "user"
    context = [_attributed(m, agent.name, sender_name) for m in messages[:-1]]
    for inner_agent in group_chat.agents:
        if hasattr(inner_agent, "reset"):
            inner_agent.reset()
        for message in context:
            yield Call(manager, "send", message, inner_agent, request_reply=False, silent=True)
    try:
        yield Call(
            agent, "initiate_chat", manager, message=messages[-1], clear_history=False, silent=agent._inner_silent
        )
    except Exception:  # noqa: BLE001 - a failing teammate must not take the outer chat down; the transcript is answered
        logger.exception("The inner group chat of %s failed.", agent.name)
    transcript = group_chat.messages
    preparer = agent.response_preparer
    if isinstance(preparer, (str, PromptPreparer)):
        prompt = preparer if isinstance(preparer, str) else preparer.prompt
        reply = yield from agent._llm_response_preparer_flow(prompt, transcript)
    else:
        reply = yield Invoke(preparer, args=(agent, transcript))
    return True, reply


class SocietyOfMindAgent(ConversableAgent):
    """An agent whose replies are worked out by a group chat (see the module doc).

    Args:
        name: the agent's name.
        chat_manager: the GroupChatManager of the inner group chat.
        response_preparer: the prompt with which the LLM turns the inner transcript into the reply, or a function
            ``(agent, inner_messages) -> reply``; the attribute ``response_preparer`` is always that callable
            (a prompt becomes a :class:`PromptPreparer`). Default: a prompt when the agent has an ``llm_config``,
            else the last inner message's text without TERMINATE (:func:`last_message_preparer`). A prompt given
            to an agent without an LLM goes to the inner chat manager's LLM (classic failed there).
        is_termination_msg, max_consecutive_auto_reply, human_input_mode, function_map, code_execution_config,
            llm_config, default_auto_reply: as for ConversableAgent.
        silent_inner_chat: do not print the inner conversation (``silent`` of the inner chat).
    """

    def __init__(
        self,
        name: str,
        chat_manager: Optional[GroupChatManager],
        response_preparer: Optional[ResponsePreparer] = None,
        is_termination_msg: Optional[Callable[[Dict[str, Any]], bool]] = None,
        max_consecutive_auto_reply: Optional[int] = None,
        human_input_mode: Literal["ALWAYS", "NEVER", "TERMINATE"] = "TERMINATE",
        function_map: Optional[Dict[str, Callable[..., Any]]] = None,
        code_execution_config: Union[Dict[str, Any], Literal[False]] = False,
        llm_config: Optional[Union[Dict[str, Any], Literal[False]]] = False,
        default_auto_reply: Optional[Union[str, Dict[str, Any]]] = "",
        silent_inner_chat: bool = False,
        **kwargs: Any,
    ):
        super().__init__(
            name=name,
            system_message="",
            is_termination_msg=is_termination_msg,
            max_consecutive_auto_reply=max_consecutive_auto_reply,
            human_input_mode=human_input_mode,
            function_map=function_map,
            code_execution_config=code_execution_config,
            llm_config=llm_config,
            default_auto_reply="" if default_auto_reply is None else default_auto_reply,
            **kwargs,
        )
        self.update_chat_manager(chat_manager)
        if response_preparer is None:
            # classic: the LLM prompt when the agent has an LLM, else the last inner message
            response_preparer = DEFAULT_RESPONSE_PREPARER if self.client is not None else last_message_preparer
        self.response_preparer: Callable[[SocietyOfMindAgent, List[Dict[str, Any]]], Any] = (
            PromptPreparer(response_preparer) if isinstance(response_preparer, str) else response_preparer
        )
        self._inner_silent = silent_inner_chat
        self.register_reply(
            [Agent, None], SocietyOfMindAgent.generate_inner_monologue_reply, remove_other_reply_funcs=True
        )
        self.register_reply([Agent, None], ConversableAgent.generate_code_execution_reply)
        self.register_reply([Agent, None], ConversableAgent.generate_function_call_reply)
        self.register_reply([Agent, None], ConversableAgent.check_termination_and_human_reply)

    @property
    def chat_manager(self) -> Optional[GroupChatManager]:
        """The manager of the inner group chat."""
        return self._chat_manager

    def update_chat_manager(self, chat_manager: Optional[GroupChatManager]) -> None:
        """Use ``chat_manager`` (and its group chat) for the inner conversation from now on; ``None`` (as in
        classic): no inner chat, the agent's other reply functions answer."""
        self._chat_manager = chat_manager

    @property
    def _group_chat(self) -> Optional[GroupChat]:
        """The inner group chat (classic attribute name), that of the current manager."""
        return self._chat_manager.groupchat if self._chat_manager is not None else None

    def _llm_response_preparer_flow(self, prompt: str, messages: List[Dict[str, Any]]) -> Flow[str]:
        request: List[Dict[str, Any]] = [{"role": "system", "content": TRANSCRIPT_INTRO}]
        request.extend(transcript_message(m) for m in messages)
        request.append({"role": "system", "content": prompt})
        client = self.client
        if client is None and self._chat_manager is not None:
            client = self._chat_manager.client
        if client is None:
            # No LLM here nor in the team's manager: the team's last word is the reply.
            return _last_text(messages)
        reply = yield from client_reply_flow(self, client, request, self.client_cache)
        if isinstance(reply, dict):
            return str(reply.get("content") or reply)
        return "" if reply is None else str(reply)

    def _llm_response_preparer(self, prompt: str, messages: List[Dict[str, Any]]) -> str:
        """The LLM's reply to the inner transcript ``messages``, as ``prompt`` asks."""
        return run_sync(self._llm_response_preparer_flow(prompt, messages))

    @flow_backed(inner_monologue_flow)
    def generate_inner_monologue_reply(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[Any] = None,
    ) -> Tuple[bool, Union[str, Dict[str, Any], None]]:
        """Answer the last message with the inner group chat (see the module doc)."""
        return run_sync(inner_monologue_flow(self, messages, sender, config))

"""Termination and human input: the first reply an agent considers.

``human_input_mode``:

* ``"ALWAYS"``: the human is asked at every turn; an empty answer means "auto-reply" (or ends the chat
  when the message is a termination message); ``"exit"`` ends the chat.
* ``"TERMINATE"``: the human is asked only when a termination message arrives or the
  ``max_consecutive_auto_reply`` limit for this sender is reached.
* ``"NEVER"``: never asked; the chat ends on a termination message or at the limit.

A human answer other than empty/"exit" is sent as the reply (tool/function calls of the message are
answered "USER INTERRUPTED"); otherwise the auto-reply counter goes up and the next replies run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from .._flow import Call, Flow
from .printing import colored

if TYPE_CHECKING:
    from .agent import Agent
    from .conversable_agent import ConversableAgent

__all__ = ["HUMAN_INPUT_MODES", "human_reply_message", "termination_and_human_flow"]

HUMAN_INPUT_MODES = ("ALWAYS", "TERMINATE", "NEVER")
INTERRUPTED = "USER INTERRUPTED"


def human_reply_message(reply: str, last_message: Dict[str, Any]) -> Dict[str, Any]:
    """The message carrying a human's answer to ``last_message``.

    Calls the human chose not to run still need an answer for the LLM API, so each function/tool call
    of ``last_message`` gets a "USER INTERRUPTED" result.
    """
    message: Dict[str, Any] = {"role": "user", "content": reply}
    interrupted: List[Dict[str, Any]] = []
    function_call = last_message.get("function_call")
    if function_call:
        interrupted.append({"role": "function", "name": function_call.get("name", ""), "content": INTERRUPTED})
    for tool_call in last_message.get("tool_calls") or ():
        interrupted.append({"role": "tool", "tool_call_id": tool_call.get("id", ""), "content": INTERRUPTED})
    if interrupted:
        message["tool_responses"] = interrupted
    return message


def _notice(agent: ConversableAgent, text: str) -> None:
    agent._iostream().print(colored(f"\n>>>>>>>> {text}", "red"), flush=True)


def termination_and_human_flow(
    agent: ConversableAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """Decide whether to stop, to answer with human input, or to let the next reply functions answer."""
    if messages is None:
        messages = agent.chat_messages[sender] if sender is not None else []
    if not messages:
        return False, None
    message = messages[-1]
    mode = agent.human_input_mode
    sender_name = "the sender" if sender is None else sender.name
    at_limit = agent.auto_reply_count(sender) >= agent.max_consecutive_auto_reply(sender)

    terminating: Optional[bool] = None  # computed only when needed (is_termination_msg is user code)
    prompt: Optional[str] = None
    if mode == "ALWAYS":
        prompt = (
            f"Replying as {agent.name}. Provide feedback to {sender_name}. Press enter to skip and use "
            "auto-reply, or type 'exit' to end the conversation: "
        )
    else:
        terminating = agent._is_termination_msg(message)
        if at_limit or terminating:
            if mode == "NEVER":
                agent.reset_consecutive_auto_reply_counter(sender)
                return True, None
            if terminating:
                prompt = f"Please give feedback to {sender_name}. Press enter or type 'exit' to stop the conversation: "
            else:
                prompt = (
                    f"Please give feedback to {sender_name}. Press enter to skip and use auto-reply, "
                    "or type 'exit' to stop the conversation: "
                )

    reply = ""
    if prompt is not None:
        reply = yield Call(agent, "get_human_input", prompt)
        reply = "" if reply is None else str(reply)
        if not reply:
            _notice(agent, "NO HUMAN INPUT RECEIVED.")
            # nothing typed at a termination message: the chat ends
            if terminating is None:
                terminating = agent._is_termination_msg(message)
            if terminating:
                reply = "exit"

    if reply == "exit":
        agent.reset_consecutive_auto_reply_counter(sender)
        return True, None
    if reply or agent.max_consecutive_auto_reply(sender) == 0:
        return True, human_reply_message(reply, message)
    agent.count_auto_reply(sender)
    if mode != "NEVER":
        _notice(agent, "USING AUTO REPLY...")
    return False, None

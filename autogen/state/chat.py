"""The state of one chat in progress (two agents, or an agent and a GroupChatManager), and what happens next.

Format ``autogen.chat``, version 1::

    {
      "kind": "autogen.chat", "version": 1,
      "status": "running",                  # or "finished" (then "result" holds the ChatResult)
      "initiator": "user", "recipient": "assistant",   # names of the two sides of initiate_chat
      "settings": {"max_turns": null, "summary_method": "last_msg", "silent": false, "chat_id": null},
      "agents": {"user": {<autogen.agent>}, "assistant": {<autogen.agent>}},   # agents outside a group chat
      "group": {<autogen.groupchat>} or null,          # when the recipient is a GroupChatManager
      "next": {"speaker": "assistant", "reply_to": "user",                     # who speaks next, to whom
               "open_tool_calls": [{"id": "call_1", "name": "add"}]},      # calls the speaker must answer first
      "turns": 1,                           # messages the initiator sent in this chat (what max_turns counts)
      "result": null                        # {<autogen.chat_result>} once finished
    }

``next`` is one of: ``{"speaker", "reply_to"}`` (that agent replies next: a checkpoint taken as it starts),
``{"select_after": name}`` (group chat: the message of ``name`` was said and broadcast, the next speaker is still
to be chosen), or null (nothing pending).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..formats.agent import load_agent, open_tool_calls, save_agent
from ..formats.document import check, envelope, to_jsonable
from ..formats.errors import StateError
from ..formats.groupchat import load_groupchat, save_groupchat

__all__ = [
    "chat_agents",
    "chat_settings",
    "infer_next",
    "is_manager",
    "load_chat",
    "pending_step",
    "save_chat",
    "snapshot",
]

KIND = "autogen.chat"


def is_manager(agent: Any) -> bool:
    """Whether ``agent`` runs a group chat (a GroupChatManager or anything with its ``groupchat`` and ``run_chat``)."""
    return hasattr(agent, "groupchat") and hasattr(agent, "run_chat")


def chat_agents(initiator: Any, recipient: Any) -> Dict[str, Any]:
    """Every agent of the chat by name: the two sides and, for a group chat, the agents of the group."""
    found: Dict[str, Any] = {initiator.name: initiator}
    if is_manager(recipient):
        for agent in recipient.groupchat.agents:
            found.setdefault(agent.name, agent)
    found.setdefault(recipient.name, recipient)
    return found


def chat_settings(**settings: Any) -> Dict[str, Any]:
    """The JSON-able part of the settings given to a chat (those given only), kept for ``resume_chat``."""
    out: Dict[str, Any] = {}
    for key in ("max_turns", "summary_method", "silent", "chat_id"):
        if key not in settings:
            continue
        value = settings[key]
        if callable(value):
            value = f"callable:{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', repr(value))}"
        try:
            out[key] = to_jsonable(value)
        except StateError:
            out[key] = repr(value)
    return out


def pending_step(speaker: Any, reply_to: Any) -> Dict[str, Any]:
    """``next`` for "``speaker`` replies to ``reply_to``", with the calls it has to answer, if any."""
    step: Dict[str, Any] = {"speaker": speaker.name, "reply_to": reply_to.name}
    calls = open_tool_calls(speaker.chat_messages.get(reply_to, []))
    if calls:
        step["open_tool_calls"] = calls
    return step


def snapshot(
    initiator: Any,
    recipient: Any,
    next_step: Optional[Dict[str, Any]],
    *,
    turns: int = 0,
    current_round: Optional[int] = None,
    settings: Optional[Dict[str, Any]] = None,
    status: str = "running",
    result: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    """The ``autogen.chat`` document for the chat between ``initiator`` and ``recipient`` as it is now."""
    everyone = list(chat_agents(initiator, recipient).values())
    group = save_groupchat(recipient, current_round, everyone) if is_manager(recipient) else None
    inside = {recipient.name, *(a.name for a in recipient.groupchat.agents)} if group is not None else set()
    outside = [a for a in (initiator, recipient) if a.name not in inside]
    return envelope(
        KIND,
        status=status,
        initiator=initiator.name,
        recipient=recipient.name,
        settings=settings or {},
        agents={agent.name: save_agent(agent, everyone) for agent in outside},
        group=group,
        next=next_step,
        turns=int(turns),
        result=result,
    )


def load_chat(initiator: Any, recipient: Any, state: Dict[str, Any]) -> Dict[str, Any]:
    """Restore the agents of the chat from ``state`` (checked against the agents given); returns the state."""
    check(state, KIND)
    if (state.get("initiator"), state.get("recipient")) != (initiator.name, recipient.name):
        raise StateError(
            f"The saved chat is between {state.get('initiator')!r} and {state.get('recipient')!r}, not between "
            f"{initiator.name!r} and {recipient.name!r}: resume it with the same agents."
        )
    everyone = chat_agents(initiator, recipient)
    group = state.get("group")
    if group is not None:
        if not is_manager(recipient):
            raise StateError(f"The saved chat is a group chat, but {recipient.name!r} is not a GroupChatManager.")
        load_groupchat(recipient, group, everyone.values(), partial=True)
    elif is_manager(recipient):
        raise StateError(f"The saved chat is a two-agent chat, but {recipient.name!r} is a GroupChatManager.")
    saved_agents = state.get("agents") or {}
    for name, agent_state in saved_agents.items():
        agent = everyone.get(name)
        if agent is None:
            raise StateError(f"The saved chat has the agent {name!r}, which is not part of this chat.")
        load_agent(agent, agent_state, everyone.values(), partial=True)
    return state


# ---------------------------------------------------------------------------------------------- manual saves --
def _sender_of(mine: Dict[str, Any], theirs: Dict[str, Any], me: str, other: str) -> Optional[str]:
    """Who sent a message, from the two stored copies (None when they do not tell)."""
    roles = (mine.get("role"), theirs.get("role"))
    if roles == ("assistant", "user"):
        return me
    if roles == ("user", "assistant"):
        return other
    if roles[0] == "tool" and mine.get("name") in (me, other):
        return mine.get("name")  # type: ignore[no-any-return]
    return None


def senders(initiator: Any, recipient: Any) -> List[str]:
    """The sender of each message of a two-agent chat; where the copies do not tell, the speakers alternate."""
    mine = initiator.chat_messages.get(recipient, [])
    theirs = recipient.chat_messages.get(initiator, [])
    if len(mine) != len(theirs):
        raise StateError(
            f"{initiator.name!r} holds {len(mine)} messages with {recipient.name!r}, which holds {len(theirs)}: the "
            "chat stopped in the middle of a message. Use a checkpoint (autogen.state.run_chat) to save such chats."
        )
    names = (initiator.name, recipient.name)
    out: List[str] = []
    for index, (a, b) in enumerate(zip(mine, theirs)):
        sender = _sender_of(a, b, *names)
        if sender is None:
            sender = names[0] if index == 0 else (names[1] if out[-1] == names[0] else names[0])
        out.append(sender)
    return out


def infer_next(initiator: Any, recipient: Any) -> Optional[Dict[str, Any]]:
    """What comes next in a chat stopped by an exception from a reply (an LLM call, a tool, a reply function)."""
    if is_manager(recipient):
        groupchat = recipient.groupchat
        if not groupchat.messages:
            if recipient.chat_messages.get(initiator):
                return pending_step(recipient, initiator)
            return None
        last = recipient.last_speaker
        name = last.name if last is not None else groupchat.messages[-1].get("name")
        return {"select_after": name}
    order = senders(initiator, recipient)
    if not order:
        return None
    last = initiator if order[-1] == initiator.name else recipient
    other = recipient if last is initiator else initiator
    return pending_step(other, last)


def save_chat(initiator: Any, recipient: Any, **settings: Any) -> Dict[str, Any]:
    """A snapshot of a chat that stopped with an exception, with what comes next inferred from the messages.

    Take it in the ``except`` block around ``initiate_chat``. It is exact for exceptions raised while an agent
    was composing its reply; a process that may be killed needs a checkpoint instead (``autogen.state.run_chat``),
    which records the next speaker as each reply starts. ``settings``: the ``initiate_chat`` arguments
    (``max_turns``, ``summary_method``, ...), kept for ``resume_chat``.
    """
    next_step = infer_next(initiator, recipient)
    turns = 0
    if not is_manager(recipient):
        turns = sum(1 for name in senders(initiator, recipient) if name == initiator.name)
    return snapshot(initiator, recipient, next_step, turns=turns, settings=chat_settings(**settings))

"""Save and restore the conversation state of one ``ConversableAgent``.

Format ``autogen.agent``, version 1::

    {
      "kind": "autogen.agent", "version": 1,
      "name": "assistant",                       # the agent the state belongs to
      "class": "autogen.agentchat.assistant_agent.AssistantAgent",   # informative only
      "system_message": "You are a helpful AI assistant.",
      "conversations": {                         # one entry per peer, keyed by the peer's NAME
        "user": {
          "messages": [{"content": "2+2?", "role": "user", "name": "user"}, ...],   # as the agent stored them
          "auto_reply_count": 1,                 # consecutive automatic replies to this peer
          "reply_at_receive": true,              # whether a message from this peer is answered automatically
          "max_consecutive_auto_reply": 3,       # only when set for this peer and different from the agent's
          "open_tool_calls": [{"id": "call_1", "name": "add"}]   # only when the last message awaits tool results
        }
      },
      "human_input": ["..."],                    # what the human typed in the current chat
      "usage": {"total": {...}, "actual": {...}} # the LLM client's usage summaries, or null
    }

In memory, histories are keyed by agent objects; in the saved state by agent names. Loading resolves each name
against the ``peers`` given (agents, or a ``{name: agent}`` mapping); a GroupChatManager also knows the agents of its
group chat. A name that matches no peer is an error that lists what is missing, so a restored agent never talks to
the wrong peer.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from .document import check, envelope, to_jsonable
from .errors import StateError

__all__ = ["Peers", "load_agent", "load_usage", "open_tool_calls", "peer_map", "save_agent", "save_usage"]

KIND = "autogen.agent"

Peers = Union[Iterable[Any], Mapping[str, Any], None]


def open_tool_calls(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The function/tool calls of the last message, which no message answers yet (``[]`` if none)."""
    if not messages:
        return []
    last = messages[-1]
    calls = []
    for call in last.get("tool_calls") or ():
        function = call.get("function") or {}
        calls.append({"id": call.get("id"), "name": function.get("name")})
    function_call = last.get("function_call")
    if function_call:
        calls.append({"id": None, "name": function_call.get("name")})
    return calls


def _check_stateful(agent: Any) -> None:
    if not callable(getattr(agent, "conversation_tables", None)):
        raise StateError(
            f"{agent!r} keeps no conversation state AutoGen knows how to save; save_state() needs a ConversableAgent."
        )


def _peers_of(agent: Any) -> List[Any]:
    """Every peer the agent keeps something about, in order of first appearance (``None`` keys left out)."""
    seen: Dict[int, Any] = {}
    tables = agent.conversation_tables()
    for table in (tables.messages, tables.auto_reply_counts, tables.reply_at_receive, tables.max_auto_replies):
        for peer in table:
            if peer is not None and id(peer) not in seen:
                seen[id(peer)] = peer
    return list(seen.values())


def save_usage(agent: Any) -> Optional[Dict[str, Any]]:
    """``{"total": ..., "actual": ...}``: the usage summaries of the agent's LLM client (None without usage)."""
    client = getattr(agent, "_client", None)
    if client is None:
        return None
    total = getattr(client, "total_usage_summary", None)
    actual = getattr(client, "actual_usage_summary", None)
    if total is None and actual is None:
        return None
    return {"total": to_jsonable(total, "usage"), "actual": to_jsonable(actual, "usage")}


def save_agent(agent: Any, only: Optional[Iterable[Any]] = None) -> Dict[str, Any]:
    """The conversation state of ``agent`` as plain JSON-able data (see the module doc for the format).

    ``only``: keep just the conversations with these peers (a chat checkpoint keeps the chat's own).
    """
    _check_stateful(agent)
    conversations: Dict[str, Dict[str, Any]] = {}
    default_max = agent.max_consecutive_auto_reply()
    tables = agent.conversation_tables()
    keep = None if only is None else {id(peer) for peer in only}
    for peer in _peers_of(agent):
        if keep is not None and id(peer) not in keep:
            continue
        name = getattr(peer, "name", None)
        if not isinstance(name, str):
            raise StateError(f"{agent.name!r} has a conversation with {peer!r}, which has no name to save it under.")
        if name in conversations:
            raise StateError(
                f"{agent.name!r} talks with two different agents named {name!r}; saved states refer to peers by name, "
                "so give each agent a unique name."
            )
        messages = tables.messages.get(peer, [])
        entry: Dict[str, Any] = {
            "messages": to_jsonable(messages, f"the messages of {agent.name!r} with {name!r}"),
            "auto_reply_count": int(tables.auto_reply_counts.get(peer, 0)),
            "reply_at_receive": bool(tables.reply_at_receive.get(peer, False)),
        }
        peer_max = tables.max_auto_replies.get(peer)
        if peer_max is not None and peer_max != default_max:
            entry["max_consecutive_auto_reply"] = int(peer_max)
        calls = open_tool_calls(messages)
        if calls:
            entry["open_tool_calls"] = calls
        conversations[name] = entry
    system = agent.system_messages
    cls = type(agent)
    return envelope(
        KIND,
        name=agent.name,
        **{"class": f"{cls.__module__}.{cls.__qualname__}"},
        system_message=to_jsonable(system[0].get("content"), "system_message") if system else None,
        conversations=conversations,
        human_input=to_jsonable(list(tables.human_input), "human_input"),
        usage=save_usage(agent),
    )


def peer_map(peers: Peers, owner: Any = None) -> Dict[str, Any]:
    """``{name: agent}`` from agents or a mapping; a GroupChatManager ``owner`` adds the agents of its group chat."""
    found: Dict[str, Any] = {}
    groupchat = getattr(owner, "groupchat", None) if owner is not None else None
    for agent in getattr(groupchat, "agents", None) or ():
        found.setdefault(agent.name, agent)
    if peers is None:
        return found
    if isinstance(peers, Mapping):
        found.update(peers)
        return found
    given: Dict[str, Any] = {}
    for agent in peers:
        name = getattr(agent, "name", None)
        if not isinstance(name, str):
            raise StateError(f"peers must be agents (or a {{name: agent}} mapping); got {agent!r}.")
        if given.get(name, agent) is not agent:
            raise StateError(f"Two different peers are named {name!r}; saved states refer to peers by name.")
        given[name] = agent
    found.update(given)
    return found


def load_agent(agent: Any, state: Dict[str, Any], peers: Peers = None, partial: bool = False) -> None:
    """Replace the conversation state of ``agent`` with ``state`` (made by :func:`save_agent`).

    Each conversation's peer name is resolved against ``peers``. The agent's other conversations are forgotten, or
    kept with ``partial=True`` (loading the checkpoint of one chat into an agent that also took part in others).
    The saved system message replaces the current one (capabilities may have changed it during the chat).
    """
    _check_stateful(agent)
    check(state, KIND)
    if state.get("name") != agent.name:
        raise StateError(f"The saved state belongs to the agent {state.get('name')!r}, not to {agent.name!r}.")
    conversations = state.get("conversations") or {}
    if not isinstance(conversations, dict):
        raise StateError("The 'conversations' of a saved agent state must be an object keyed by peer name.")
    by_name = peer_map(peers, agent)
    missing = [name for name in conversations if name not in by_name]
    if missing:
        raise StateError(
            f"Cannot restore {agent.name!r}: no peer named {missing} was given. Pass the agents it talked with, "
            f"e.g. load_state(state, peers=[...]); known peers: {sorted(by_name)}."
        )
    tables = agent.conversation_tables()
    if partial:
        for name in conversations:
            peer = by_name[name]
            for table in (tables.messages, tables.auto_reply_counts, tables.reply_at_receive):
                table.pop(peer, None)
    else:
        tables.messages.clear()
        tables.auto_reply_counts.clear()
        tables.reply_at_receive.clear()
    for name, entry in conversations.items():
        peer = by_name[name]
        tables.messages[peer] = to_jsonable(entry.get("messages") or [], f"the messages with {name!r}")
        tables.auto_reply_counts[peer] = int(entry.get("auto_reply_count", 0))
        tables.reply_at_receive[peer] = bool(entry.get("reply_at_receive", False))
        if "max_consecutive_auto_reply" in entry:
            tables.max_auto_replies[peer] = int(entry["max_consecutive_auto_reply"])
    tables.human_input[:] = list(state.get("human_input") or [])
    system_message = state.get("system_message")
    if system_message is not None and callable(getattr(agent, "update_system_message", None)):
        agent.update_system_message(system_message)
    load_usage(agent, state.get("usage"))


def load_usage(agent: Any, usage: Optional[Dict[str, Any]]) -> None:
    """Give the agent's LLM client the usage summaries saved by :func:`save_usage`."""
    if not usage:
        return
    client = agent.client if hasattr(agent, "client") else None
    if client is not None:
        client.total_usage_summary = to_jsonable(usage.get("total"), "usage")
        client.actual_usage_summary = to_jsonable(usage.get("actual"), "usage")

"""Save and restore a group chat: the manager, every agent of the group, and the group's messages.

Format ``autogen.groupchat``, version 1::

    {
      "kind": "autogen.groupchat", "version": 1,
      "manager": {<autogen.agent state of the GroupChatManager>},
      "agents": {"coder": {<autogen.agent state>}, ...},   # the agents of the group, in the group's order
      "messages": [{"content": ..., "role": ..., "name": "coder"}, ...],   # GroupChat.messages
      "last_speaker": "coder",                             # or null
      "round": 3                                           # messages of the current run (they count toward max_round)
    }

Agents of the group that keep no conversation state (custom ``Agent`` implementations) are left out. The group chat
and its agents are configuration: build them as before, then load the state into them (by name).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from .agent import Peers, load_agent, peer_map, save_agent
from .document import check, envelope, to_jsonable
from .errors import StateError

__all__ = ["load_groupchat", "save_groupchat"]

KIND = "autogen.groupchat"


def _stateful_members(manager: Any) -> List[Any]:
    return [agent for agent in manager.groupchat.agents if hasattr(agent, "_oai_messages")]


def save_groupchat(
    manager: Any, current_round: Optional[int] = None, only: Optional[Iterable[Any]] = None
) -> Dict[str, Any]:
    """The state of ``manager``'s group chat (see the module doc).

    ``current_round`` defaults to the number of messages. ``only``: keep just the conversations with these agents.
    """
    groupchat = manager.groupchat
    last = getattr(manager, "last_speaker", None)
    return envelope(
        KIND,
        manager=save_agent(manager, only),
        agents={agent.name: save_agent(agent, only) for agent in _stateful_members(manager)},
        messages=to_jsonable(groupchat.messages, "the group chat messages"),
        last_speaker=last.name if last is not None else None,
        round=len(groupchat.messages) if current_round is None else int(current_round),
    )


def load_groupchat(manager: Any, state: Dict[str, Any], peers: Peers = None, partial: bool = False) -> Dict[str, Any]:
    """Restore ``manager``, the agents of its group chat and the group's messages from ``state``.

    ``peers``: agents outside the group that took part (e.g. the agent that started the chat). ``partial``: keep the
    agents' conversations that the state does not hold (see ``load_agent``). Returns the state.
    """
    check(state, KIND)
    members = _stateful_members(manager)
    saved = state.get("agents") or {}
    names = [agent.name for agent in members]
    if sorted(saved) != sorted(names):
        raise StateError(
            f"The saved group chat has the agents {sorted(saved)}, this one has {sorted(names)}. Build the group chat "
            "with the same agents (names) as the chat that was saved."
        )
    everyone = {**peer_map(peers), **{agent.name: agent for agent in members}, manager.name: manager}
    for agent in members:
        load_agent(agent, saved[agent.name], everyone, partial)
    load_agent(manager, state["manager"], everyone, partial)
    groupchat = manager.groupchat
    groupchat.reset()
    groupchat.messages.extend(to_jsonable(state.get("messages") or [], "the group chat messages"))
    last = state.get("last_speaker")
    if last is not None and last not in everyone:
        raise StateError(f"The saved last speaker {last!r} is not an agent of the group chat nor a given peer.")
    manager._last_speaker = everyone.get(last) if last is not None else None
    return state

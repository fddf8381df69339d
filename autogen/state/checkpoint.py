"""Save a chat automatically as it runs, so a killed process can pick it up where it stopped.

A :class:`Checkpointer` hooks into the agents of one chat (their ``update_agent_state`` hook, which runs when an
agent starts composing a reply, and the initiator's ``process_message_before_send`` hook, which counts turns). At
each reply start the chat is in a clean state: every message so far is stored by both sides, and it is known who
speaks next and to whom. That is when a checkpoint is written (an ``autogen.chat`` document, see
:mod:`autogen.state.chat`) to the store: a JSON file replaced atomically, or your own ``load``/``save`` object.

A process killed at any moment loses at most the reply being composed; resuming composes it again (an LLM answer
comes from the cache if one is configured). Tool calls are never split from their results: a checkpoint taken while
the executor starts answering a tool call records the open calls, and resuming has the executor answer them first.

Writing a checkpoint serialises the whole chat (as an LLM request does); ``every=n`` writes every n-th reply start.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .chat import is_manager, pending_step, snapshot
from .store import CheckpointStore

__all__ = ["Checkpointer"]


class Checkpointer:
    """Writes a checkpoint of the chat between ``initiator`` and ``recipient`` at each reply start (a context manager).

    Args:
        initiator, recipient: the two sides of ``initiate_chat`` (the recipient may be a GroupChatManager).
        store: where checkpoints go (see :mod:`autogen.state.store`).
        settings: the chat's settings to record (see ``chat_settings``).
        turns: messages the initiator already sent in this chat (when resuming).
        run_start: group chats: the index in ``groupchat.messages`` where the current run started (when resuming).
        every: write one checkpoint every ``every`` reply starts (1: each).
    """

    def __init__(
        self,
        initiator: Any,
        recipient: Any,
        store: CheckpointStore,
        *,
        settings: Optional[Dict[str, Any]] = None,
        turns: int = 0,
        run_start: Optional[int] = None,
        every: int = 1,
    ) -> None:
        if every < 1:
            raise ValueError(f"every must be 1 or more, got {every}.")
        self.initiator = initiator
        self.recipient = recipient
        self.store = store
        self.settings = settings or {}
        self.turns = turns
        self.run_start = run_start
        self.every = every
        self.saves = 0
        self._seen = 0
        self._manager = recipient if is_manager(recipient) else None
        self._hooked: List[Any] = []

    # ------------------------------------------------------------------------------------------------ hooks --
    def _agents(self) -> List[Any]:
        agents = [self.initiator, self.recipient]
        if self._manager is not None:
            agents.extend(self._manager.groupchat.agents)
        unique: Dict[int, Any] = {}
        for agent in agents:
            if hasattr(agent, "hook_lists"):
                unique.setdefault(id(agent), agent)
        return list(unique.values())

    def __enter__(self) -> Checkpointer:
        for agent in self._agents():
            agent.hook_lists["update_agent_state"].append(self._on_reply_start)
            self._hooked.append(agent)
        if hasattr(self.initiator, "hook_lists"):
            self.initiator.hook_lists["process_message_before_send"].append(self._on_send)
        return self

    def __exit__(self, *exc: Any) -> None:
        for agent in self._hooked:
            hooks = agent.hook_lists["update_agent_state"]
            if self._on_reply_start in hooks:
                hooks.remove(self._on_reply_start)
        self._hooked.clear()
        if hasattr(self.initiator, "hook_lists"):
            hooks = self.initiator.hook_lists["process_message_before_send"]
            if self._on_send in hooks:
                hooks.remove(self._on_send)

    def _on_send(self, sender: Any, message: Any, recipient: Any, silent: Any) -> Any:
        if recipient is self.recipient:
            self.turns += 1
        return message

    def _step(self, agent: Any, messages: Any) -> Optional[Dict[str, Any]]:
        """The pending step when ``agent`` starts replying on ``messages``, or None if not part of this chat."""
        manager = self._manager
        if manager is None:
            for speaker, peer in ((self.initiator, self.recipient), (self.recipient, self.initiator)):
                if agent is speaker and messages is speaker.chat_messages.get(peer):
                    return pending_step(speaker, peer)
            return None
        if agent is manager:
            if messages is manager.chat_messages.get(self.initiator):
                self.run_start = len(manager.groupchat.messages)  # the manager starts a run of the group chat
                return pending_step(manager, self.initiator)
            return None
        if agent in manager.groupchat.agents and messages is agent.chat_messages.get(manager):
            return pending_step(agent, manager)
        return None

    def _on_reply_start(self, agent: Any, messages: Any) -> None:
        step = self._step(agent, messages)
        if step is None:
            return
        self._seen += 1
        if (self._seen - 1) % self.every:
            return
        self.save(step)

    # ---------------------------------------------------------------------------------------------- saving --
    def current_round(self) -> Optional[int]:
        if self._manager is None:
            return None
        return len(self._manager.groupchat.messages) - (self.run_start or 0)

    def state(self, next_step: Optional[Dict[str, Any]], status: str = "running", result: Any = None) -> Dict[str, Any]:
        """The checkpoint document for the chat as it is now."""
        return snapshot(
            self.initiator,
            self.recipient,
            next_step,
            turns=self.turns,
            current_round=self.current_round(),
            settings=self.settings,
            status=status,
            result=result,
        )

    def save(self, next_step: Optional[Dict[str, Any]], status: str = "running", result: Any = None) -> None:
        self.store.save(self.state(next_step, status, result))
        self.saves += 1

"""Sequential chats (``initiate_chats``) that can be stopped and picked up again.

Format ``autogen.chat_queue``, version 1::

    {
      "kind": "autogen.chat_queue", "version": 1,
      "done": [{<autogen.chat_result>}, ...],     # the finished chats, in queue order
      "carryover": ["summary of chat 0", ...],     # their summaries: what the next chats carry over
      "current": {<autogen.chat>} or null,         # the checkpoint of the chat in progress
      "usage": {"writer": {"total": ..., "actual": ...}, ...}   # the LLM usage of each agent of the queue so far
    }

(ChatResult.cost adds up the agents' usage since they were built, as ``initiate_chats`` does; the saved usage keeps
the costs of a continued queue the same as those of an uninterrupted one.)

The queue itself (agents, messages, settings) is code: pass the same ``chat_queue`` again to continue. Finished chats
are skipped (their saved results give the carryover), the chat in progress continues from its checkpoint, and the
rest run as usual.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Union

from .._flow import Flow, run_async, run_sync
from ..formats.agent import load_usage, save_usage
from ..formats.document import check, envelope
from ..formats.errors import StateError
from ..formats.result import chat_result_to_dict
from .result import chat_result_from_dict
from .resume import run_chat_flow
from .store import CheckpointStore, as_store

__all__ = ["a_initiate_chats", "initiate_chats", "initiate_chats_flow"]

KIND = "autogen.chat_queue"
QUEUE_ONLY_KEYS = ("sender", "recipient", "finished_chat_indexes_to_exclude_from_carryover", "prerequisites")


class _Slot:
    """The store of the chat in progress: its checkpoints go into the queue document's ``current``."""

    def __init__(
        self,
        store: CheckpointStore,
        done: List[Dict[str, Any]],
        current: Optional[Dict[str, Any]],
        agents: Dict[str, Any],
    ):
        self.store = store
        self.done = done
        self.current = current
        self.agents = agents

    def document(self) -> Dict[str, Any]:
        return envelope(
            KIND,
            done=self.done,
            carryover=[result.get("summary") for result in self.done],
            current=self.current,
            usage={name: save_usage(agent) for name, agent in self.agents.items()},
        )

    def load(self) -> Optional[Dict[str, Any]]:
        return self.current

    def save(self, state: Dict[str, Any]) -> None:
        self.current = state
        self.store.save(self.document())


def initiate_chats_flow(chat_queue: List[Dict[str, Any]], checkpoint: Any) -> Flow[List[Any]]:
    """The flow behind :func:`initiate_chats` and :func:`a_initiate_chats`."""
    from ..agentchat.chat import _announce, _prepare_queue, _with_carryover

    store = as_store(checkpoint)
    if store is None:
        raise StateError("initiate_chats needs a checkpoint: a file path or an object with load() and save(state).")
    saved = store.load()
    done: List[Dict[str, Any]] = []
    current = None
    if saved is not None:
        check(saved, KIND)
        done = list(saved.get("done") or [])
        current = saved.get("current")
    queue = _prepare_queue(chat_queue)
    agents = {agent.name: agent for chat in queue for agent in (chat["sender"], chat["recipient"])}
    for name, usage in ((saved or {}).get("usage") or {}).items():
        if name in agents:
            load_usage(agents[name], usage)
    if len(done) > len(queue):
        raise StateError(f"The saved queue finished {len(done)} chats, but the queue given has only {len(queue)}.")
    results = [chat_result_from_dict(result) for result in done]
    for index in range(len(done), len(queue)):
        chat = queue[index]
        _with_carryover(chat, {i: result.summary for i, result in enumerate(results)})
        slot = _Slot(store, done, current, agents)
        if current is None:
            _announce(chat)
        options = {key: value for key, value in chat.items() if key not in QUEUE_ONLY_KEYS}
        result = yield from run_chat_flow(chat["sender"], chat["recipient"], slot, **options)
        results.append(result)
        done.append(chat_result_to_dict(result))
        current = None
        store.save(_Slot(store, done, None, agents).document())
    return results


def initiate_chats(chat_queue: List[Dict[str, Any]], checkpoint: Union[str, Any, CheckpointStore]) -> List[Any]:
    """``autogen.initiate_chats(chat_queue)``, checkpointed into ``checkpoint`` so it can be continued.

    Run the same call again after an interruption: the finished chats are not run again (their saved results
    provide the carryover) and the chat in progress continues from its last checkpoint. Returns every ChatResult.
    """
    return run_sync(initiate_chats_flow(chat_queue, checkpoint))


async def a_initiate_chats(chat_queue: List[Dict[str, Any]], checkpoint: Union[str, Any, CheckpointStore]) -> List[Any]:
    """:func:`initiate_chats` for asyncio (the chats still run one after another)."""
    return await run_async(initiate_chats_flow(chat_queue, checkpoint))

"""Chat results and chats run one after another (or concurrently, by prerequisites).

``initiate_chats(chat_queue)`` runs each chat in turn; the summaries of the finished chats are carried
over into the next chat's first message (``"\\nContext: \\n" + summaries``), after the chat's own
``carryover`` entries, except those listed in ``finished_chat_indexes_to_exclude_from_carryover``.

``a_initiate_chats(chat_queue)`` runs chats as asyncio tasks: a chat starts once the chats named in its
``prerequisites`` (by ``chat_id``) are done and carries over their summaries; independent chats run
concurrently.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .._flow import Call, Flow, run_sync
from .messages import carryover_item_text
from .printing import colored
from .utils import consolidate_chat_info

__all__ = ["ChatResult", "Prerequisite", "a_initiate_chats", "initiate_chats"]

# Classic name: ``(chat_id, prerequisite_chat_id)`` — the chat ``chat_id`` starts after ``prerequisite_chat_id``.
Prerequisite = Tuple[int, int]


@dataclass
class ChatResult:
    """What a chat produced."""

    chat_id: Optional[Any] = None
    """The chat's id (given in the chat queue of ``a_initiate_chats``), else None."""
    chat_history: Optional[List[Dict[str, Any]]] = None
    """The messages of the chat, as the initiating agent stored them."""
    summary: Optional[str] = None
    """The summary (see ``summary_method``)."""
    cost: Optional[Dict[str, Any]] = None
    """``gather_usage_summary`` of the two agents when the chat ended."""
    human_input: Optional[List[str]] = None
    """What the human typed for the initiating agent during the chat."""

    def to_dict(self) -> Dict[str, Any]:
        """The result as JSON-able data (format in ``autogen.formats.result``)."""
        from ..formats.result import chat_result_to_dict

        return chat_result_to_dict(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> ChatResult:
        from ..formats.result import chat_result_fields

        return cls(**chat_result_fields(data))

    def to_json(self) -> str:
        from ..formats.document import dumps

        return dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> ChatResult:
        from ..formats.document import loads

        return cls.from_dict(loads(text))


def _prepare_queue(chat_queue: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    if not isinstance(chat_queue, (list, tuple)):
        raise TypeError(
            f"chat_queue must be a list of dicts of initiate_chat arguments, got {type(chat_queue).__name__}."
        )
    queue = [dict(chat) for chat in chat_queue]  # never modify the caller's dicts
    consolidate_chat_info(queue)
    seen: set[int] = set()
    for chat in queue:
        recipient = chat["recipient"]
        if id(recipient) in seen and chat.get("clear_history", True):
            warnings.warn(
                "Repetitive recipients detected: The chat history will be cleared by default if a recipient "
                "appears more than once. To retain the chat history, please set 'clear_history=False' in the "
                "configuration of the repeating agent.",
                UserWarning,
                stacklevel=3,
            )
        seen.add(id(recipient))
    return queue


def _with_carryover(chat: Dict[str, Any], summaries: Mapping[Any, Any]) -> None:
    """Set ``chat["carryover"]``: its own entries, then the summaries not excluded."""
    own = chat.get("carryover") or []
    if isinstance(own, str):
        own = [own]
    excluded = set(chat.get("finished_chat_indexes_to_exclude_from_carryover") or ())
    chat["carryover"] = [*own, *(summary for key, summary in summaries.items() if key not in excluded)]


def _announce(chat: Dict[str, Any]) -> None:
    from ..io.base import IOStream

    if chat.get("silent", False):
        return
    if "message" not in chat:
        warnings.warn(
            "message is not provided in a chat_queue entry. input() will be called to get the initial message.",
            UserWarning,
            stacklevel=4,
        )
    stream = IOStream.get_default()
    rule = "\n" + "*" * 80
    stream.print(colored(rule, "blue"), flush=True, sep="")
    stream.print(colored("Starting a new chat....", "blue"), flush=True)
    if chat.get("verbose", False):
        message = chat.get("message")
        if callable(message):
            shown = "Callable: " + getattr(message, "__name__", repr(message))
        elif isinstance(message, dict):
            shown = "Dict: " + str(message)
        else:
            shown = str(message)
        carryover = "\n".join(carryover_item_text(item) for item in chat.get("carryover") or [])
        stream.print(colored("Message:\n" + shown, "blue"), flush=True)
        stream.print(colored("Carryover:\n" + carryover, "blue"), flush=True)
    stream.print(colored(rule, "blue"), flush=True, sep="")


def sequential_chats_flow(chat_queue: Sequence[Mapping[str, Any]]) -> Flow[List[ChatResult]]:
    """Run the chats one after another (the flow behind ``initiate_chats`` and sequential nested chats)."""
    finished: List[ChatResult] = []
    for chat in _prepare_queue(chat_queue):
        _with_carryover(chat, {i: result.summary for i, result in enumerate(finished)})
        _announce(chat)
        result = yield Call(chat["sender"], "initiate_chat", **chat)
        finished.append(result)
    return finished


def initiate_chats(chat_queue: List[Dict[str, Any]]) -> List[ChatResult]:
    """Run chats in order; each dict holds ``initiate_chat`` arguments plus ``sender`` (and optionally
    ``carryover`` and ``finished_chat_indexes_to_exclude_from_carryover``). Returns their results."""
    return run_sync(sequential_chats_flow(chat_queue))


def _chat_order(queue: List[Dict[str, Any]]) -> List[Any]:
    """Chat ids in an order where every chat comes after its prerequisites (clear errors otherwise)."""
    ids = [chat["chat_id"] for chat in queue]
    if len(set(ids)) != len(ids):
        raise ValueError(
            f"Each chat must have a unique id for async multi-chat execution. chat_id values repeat: {ids}."
        )
    pending = {chat["chat_id"]: list(chat.get("prerequisites") or ()) for chat in queue}
    for chat_id, prerequisites in pending.items():
        unknown = [p for p in prerequisites if p not in pending]
        if unknown:
            raise ValueError(f"Chat {chat_id!r} has unknown prerequisites {unknown}; known chat ids are {ids}.")
    order: List[Any] = []
    done: set[Any] = set()
    while pending:
        ready = [chat_id for chat_id, pre in pending.items() if all(p in done for p in pre)]
        if not ready:
            raise ValueError(
                f"The prerequisites of chats {sorted(pending, key=str)} form a cycle; no chat among them can start."
            )
        for chat_id in ready:
            order.append(chat_id)
            done.add(chat_id)
            del pending[chat_id]
    return order


async def a_initiate_chats(chat_queue: List[Dict[str, Any]]) -> Dict[Any, ChatResult]:
    """Run chats concurrently as their ``prerequisites`` allow; returns ``{chat_id: ChatResult}``.

    A chat without ``chat_id`` gets its position in the queue. A chat waits for its prerequisites and
    carries over their summaries. If a chat fails, the chats still running are cancelled.
    """
    import asyncio

    queue = _prepare_queue(chat_queue)
    for index, chat in enumerate(queue):
        chat.setdefault("chat_id", index)
    book = {chat["chat_id"]: chat for chat in queue}
    tasks: Dict[Any, asyncio.Task[ChatResult]] = {}

    async def run(chat: Dict[str, Any]) -> ChatResult:
        prerequisites = list(chat.get("prerequisites") or ())
        results = [await tasks[p] for p in prerequisites]
        _with_carryover(chat, {p: r.summary for p, r in zip(prerequisites, results)})
        _announce(chat)
        return await chat["sender"].a_initiate_chat(**chat)  # type: ignore[no-any-return]

    for chat_id in _chat_order(queue):
        tasks[chat_id] = asyncio.ensure_future(run(book[chat_id]))
    try:
        await asyncio.gather(*tasks.values())
    except BaseException:
        for task in tasks.values():
            task.cancel()
        raise
    return {chat["chat_id"]: tasks[chat["chat_id"]].result() for chat in queue}

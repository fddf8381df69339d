"""Nested chats: a reply produced by running other chats first (``register_nested_chats``).

When the trigger matches, the agent runs the chats of ``chat_queue`` with itself as default sender; the
first chat's message defaults to the last message received, a ``message`` may be a callable
``(recipient, messages, sender, config) -> str | dict``, and a chat whose message turns out empty is
skipped. The reply is the summary of the last chat (or what ``reply_func_from_nested_chats`` returns).

The chats run sequentially in sync chats. In async chats they run with ``a_initiate_chat`` (never
blocking the loop); with ``use_async=True`` they run as ``a_initiate_chats`` (concurrently, by
``chat_id`` / ``prerequisites``), which a sync chat runs to completion on a private loop.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from .._flow import FLOW_ATTR, Flow, Invoke

__all__ = ["chats_to_run", "make_nested_reply"]

SUMMARY_FROM_NESTED_CHATS = "summary_from_nested_chats"


def chats_to_run(
    chat_queue: List[Dict[str, Any]],
    recipient: Any,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Any = None,
    config: Any = None,
) -> List[Dict[str, Any]]:
    """The chats to run now: copies of the queue's dicts with ``sender`` and ``message`` filled in."""
    last = messages[-1].get("content") if messages else None
    chats = []
    for index, chat in enumerate(chat_queue):
        chat = dict(chat)
        if chat.get("sender") is None:
            chat["sender"] = recipient
        message = chat.get("message")
        if message is None and index == 0:
            message = last
        if callable(message):
            message = message(recipient, messages, sender, config)
        if message:
            chat["message"] = message
            chats.append(chat)
    return chats


def summary_flow(
    chat_queue: List[Dict[str, Any]],
    recipient: Any,
    messages: Optional[List[Dict[str, Any]]],
    sender: Any,
    config: Any,
    use_async: Optional[bool],
) -> Flow[Tuple[bool, Any]]:
    """Run the nested chats; reply with the last one's summary."""
    from .chat import a_initiate_chats, sequential_chats_flow

    chats = chats_to_run(chat_queue, recipient, messages, sender, config)
    if not chats:
        return True, None
    if use_async:
        results = yield Invoke(a_initiate_chats, args=(chats,))
        last = results[list(results)[-1]]
    else:
        finished = yield from sequential_chats_flow(chats)
        last = finished[-1]
    return True, last.summary


def make_nested_reply(
    chat_queue: List[Dict[str, Any]],
    reply_func_from_nested_chats: Union[str, Callable[..., Any]] = SUMMARY_FROM_NESTED_CHATS,
    use_async: Optional[bool] = None,
) -> Callable[..., Any]:
    """The reply function registered by ``register_nested_chats``.

    It is a plain function (usable as is, classic signature) that also carries its flow, so the agent's
    reply loop runs it without blocking in async chats.
    """
    if not isinstance(chat_queue, list) or not all(isinstance(c, dict) for c in chat_queue):
        raise TypeError("chat_queue must be a list of dicts, each holding the arguments of one chat.")
    if use_async:
        for chat in chat_queue:
            if chat.get("chat_id") is None:
                raise ValueError(
                    "chat_id is required for async nested chats: give each chat of the queue a 'chat_id' "
                    "(and 'prerequisites' to order them)."
                )

    if reply_func_from_nested_chats == SUMMARY_FROM_NESTED_CHATS:

        def flow(
            recipient: Any, messages: Optional[List[Dict[str, Any]]] = None, sender: Any = None, config: Any = None
        ) -> Flow[Tuple[bool, Any]]:
            return summary_flow(chat_queue, recipient, messages, sender, config, use_async)

    elif callable(reply_func_from_nested_chats):
        custom = reply_func_from_nested_chats

        def flow(
            recipient: Any, messages: Optional[List[Dict[str, Any]]] = None, sender: Any = None, config: Any = None
        ) -> Flow[Tuple[bool, Any]]:
            return (yield Invoke(custom, args=(chat_queue, recipient, messages, sender, config)))

    else:
        raise ValueError(
            "reply_func_from_nested_chats must be a callable. Pass 'summary_from_nested_chats' or a callable "
            f"(chat_queue, recipient, messages, sender, config) -> (final, reply), got {reply_func_from_nested_chats!r}."
        )

    def nested_chat_reply(
        recipient: Any, messages: Optional[List[Dict[str, Any]]] = None, sender: Any = None, config: Any = None
    ) -> Tuple[bool, Any]:
        from .._flow import run_sync

        return run_sync(flow(recipient, messages, sender, config))

    if callable(reply_func_from_nested_chats):
        functools.update_wrapper(nested_chat_reply, reply_func_from_nested_chats)
    else:  # the classic name of the built-in nested-chat reply in the agent's _reply_func_list
        nested_chat_reply.__name__ = nested_chat_reply.__qualname__ = "_summary_from_nested_chats"
    setattr(nested_chat_reply, FLOW_ATTR, flow)
    return nested_chat_reply

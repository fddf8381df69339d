"""Reply functions of contrib agents and capabilities that are bound to an object other than the agent."""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional, Tuple

from ..._flow import Flow, flow_backed, run_sync

__all__ = ["reply_from_flow"]

ReplyFlow = Callable[..., Flow[Tuple[bool, Any]]]


def reply_from_flow(flow_fn: ReplyFlow) -> Callable[..., Tuple[bool, Any]]:
    """A reply function ``(recipient, messages, sender, config) -> (final, reply)`` over ``flow_fn``
    (called with the same arguments; typically a bound method of a capability).

    Called directly it runs the flow synchronously; registered on an agent, the agent's reply loop runs the
    flow itself, so in async chats its waits (LLM calls, downloads...) never block the event loop.
    """

    @functools.wraps(flow_fn)
    def reply(
        recipient: Any, messages: Optional[Any] = None, sender: Any = None, config: Any = None
    ) -> Tuple[bool, Any]:
        return run_sync(flow_fn(recipient, messages, sender, config))

    return flow_backed(flow_fn)(reply)

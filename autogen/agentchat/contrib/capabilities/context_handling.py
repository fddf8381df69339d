"""TransformChatHistory: the older way to bound what an agent's LLM sees of its history.

Before each reply, each message is cut to ``max_tokens_per_message`` tokens, then only the last
``max_messages`` are kept, then only the most recent ones that fit in ``max_tokens`` tokens. A leading
system message is always kept as it is, and tool calls stay with their results. The stored history is
not changed. :class:`~.transform_messages.TransformMessages` with ``MessageTokenLimiter`` and
``MessageHistoryLimiter`` does the same and more.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, List, Optional

from .transforms import MessageHistoryLimiter, MessageTokenLimiter
from .transforms_util import message_tokens, truncate_str_to_tokens

__all__ = ["TransformChatHistory", "truncate_str_to_tokens"]

Message = Dict[str, Any]


class TransformChatHistory:
    """Bounds an agent's history before each reply (see the module doc).

    Args:
        max_tokens_per_message: the most tokens a message keeps.
        max_messages: the most (most recent) messages kept.
        max_tokens: the most tokens of all kept messages.
    """

    def __init__(
        self,
        *,
        max_tokens_per_message: Optional[int] = None,
        max_messages: Optional[int] = None,
        max_tokens: Optional[int] = None,
    ):
        self.max_tokens_per_message = max_tokens_per_message if max_tokens_per_message else sys.maxsize
        self.max_messages = max_messages if max_messages else sys.maxsize
        self.max_tokens = max_tokens if max_tokens else sys.maxsize
        self._per_message = MessageTokenLimiter(max_tokens_per_message=max_tokens_per_message)
        self._count = MessageHistoryLimiter(max_messages=max_messages)
        self._total = MessageTokenLimiter(max_tokens=max_tokens)

    def add_to_agent(self, agent: Any) -> None:
        """Bound ``agent``'s history before each of its replies."""
        agent.register_hook(hookable_method="process_all_messages_before_reply", hook=self._transform_messages)

    def _transform_messages(self, messages: List[Message]) -> List[Message]:
        if not messages:
            return messages
        system = messages[:1] if messages[0].get("role") == "system" else []
        rest = messages[len(system) :]
        kept = self._total.apply_transform(self._count.apply_transform(self._per_message.apply_transform(rest)))
        removed = len(rest) - len(kept)
        if removed == 0 and all(a is b for a, b in zip(kept, rest)):
            return system + kept
        before = sum(message_tokens(m) for m in rest)
        after = sum(message_tokens(m) for m in kept)
        if removed > 0 or after < before:
            from ....io.base import IOStream
            from ...printing import colored

            stream = IOStream.get_default()
            stream.print(colored(f"Truncated {removed} messages. Reduced from {len(rest)} to {len(kept)}.", "yellow"))
            stream.print(
                colored(f"Truncated {before - after} tokens. Tokens reduced from {before} to {after}", "yellow")
            )
        return system + kept

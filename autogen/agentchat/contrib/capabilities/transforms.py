"""Message transforms: what :class:`~.transform_messages.TransformMessages` applies to a history before a reply.

A transform has ``apply_transform(messages) -> messages`` and ``get_logs(pre, post) -> (text, had_effect)``.
Both transforms here keep tool calls with their results: a cut never leaves a tool result without the call
before it, nor a call without its results (see ``transforms_util.drop_broken_tool_pairs``). Input messages
are never modified.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, List, Optional, Protocol, Tuple

from .transforms_util import (
    drop_broken_tool_pairs,
    message_tokens,
    min_tokens_reached,
    should_transform_message,
    truncate_message,
)

__all__ = ["MessageHistoryLimiter", "MessageTokenLimiter", "MessageTransform"]

Message = Dict[str, Any]


class MessageTransform(Protocol):
    """Changes a list of messages (returning a new list; the given messages are not modified)."""

    def apply_transform(self, messages: List[Message]) -> List[Message]: ...

    def get_logs(
        self, pre_transform_messages: List[Message], post_transform_messages: List[Message]
    ) -> Tuple[str, bool]:
        """A line saying what the transform did, and whether it changed anything."""
        ...


class MessageHistoryLimiter:
    """Keeps the last ``max_messages`` messages (the first one and the last ``max_messages - 1`` with
    ``keep_first_message``), counted as the classic AutoGen 0.2 did: exactly ``max_messages`` are kept, except
    that the oldest kept slot is left empty when it would hold a tool result (whose call was cut off).
    A system message is not counted: :class:`TransformMessages` sets it aside before the transforms run.
    """

    def __init__(self, max_messages: Optional[int] = None, keep_first_message: bool = False):
        if max_messages is not None and max_messages < 1:
            raise ValueError("max_messages must be None or greater than 1")
        self._max_messages = max_messages
        self._keep_first_message = keep_first_message

    def apply_transform(self, messages: List[Message]) -> List[Message]:
        if self._max_messages is None or len(messages) <= self._max_messages:
            return messages
        head = messages[:1] if self._keep_first_message else []
        slots = self._max_messages - len(head)
        if slots <= 0:
            return head
        tail = messages[len(messages) - slots :]
        if tail and tail[0].get("role") == "tool":
            tail = tail[1:]
        return head + tail

    def get_logs(
        self, pre_transform_messages: List[Message], post_transform_messages: List[Message]
    ) -> Tuple[str, bool]:
        pre, post = len(pre_transform_messages), len(post_transform_messages)
        if post < pre:
            return f"Removed {pre - post} messages. Number of messages reduced from {pre} to {post}.", True
        return "No messages were removed.", False


class MessageTokenLimiter:
    """Truncates contents to ``max_tokens_per_message`` tokens each and keeps the most recent messages that
    fit in ``max_tokens`` tokens in all (the oldest one kept may be cut to fit).

    Args:
        max_tokens_per_message: the most tokens one message (one tool result) may keep.
        max_tokens: the most tokens of all messages together.
        min_tokens: leave the messages alone while they hold fewer tokens than this.
        model: whose tokenizer counts.
        filter_dict: only transform the messages matching it (e.g. ``{"role": ["tool"]}``); others are kept
            whole (and count towards ``max_tokens``).
        exclude_filter: transform the messages that do NOT match ``filter_dict`` instead.
    """

    def __init__(
        self,
        max_tokens_per_message: Optional[int] = None,
        max_tokens: Optional[int] = None,
        min_tokens: Optional[int] = None,
        model: str = "gpt-3.5-turbo-0613",
        filter_dict: Optional[Dict[str, Any]] = None,
        exclude_filter: bool = True,
    ):
        self._model = model
        self._max_tokens_per_message = self._validate_max_tokens(max_tokens_per_message)
        self._max_tokens = self._validate_max_tokens(max_tokens)
        self._min_tokens = self._validate_min_tokens(min_tokens, max_tokens)
        self._filter_dict = filter_dict
        self._exclude_filter = exclude_filter

    @staticmethod
    def _validate_max_tokens(max_tokens: Optional[int]) -> int:
        if max_tokens is not None and max_tokens < 0:
            raise ValueError("max_tokens and max_tokens_per_message must be None or greater than or equal to 0")
        return sys.maxsize if max_tokens is None else max_tokens

    @staticmethod
    def _validate_min_tokens(min_tokens: Optional[int], max_tokens: Optional[int]) -> int:
        if min_tokens is None:
            return 0
        if min_tokens < 0:
            raise ValueError("min_tokens must be None or greater than or equal to 0.")
        if max_tokens is not None and min_tokens > max_tokens:
            raise ValueError("min_tokens must not be more than max_tokens")
        return min_tokens

    def apply_transform(self, messages: List[Message]) -> List[Message]:
        if not min_tokens_reached(messages, self._min_tokens, self._model):
            return messages
        kept: List[Message] = []
        total = 0
        for message in reversed(messages):
            if not should_transform_message(message, self._filter_dict, self._exclude_filter):
                kept.append(message)
                total += message_tokens(message, self._model)
                continue
            left = self._max_tokens - total
            if left <= 0 and message_tokens(message, self._model) > 0:
                break
            limit = min(self._max_tokens_per_message, left)
            cut = truncate_message(message, limit, self._model)
            kept.append(cut)
            total += message_tokens(cut, self._model)
            if limit < self._max_tokens_per_message and cut is not message:
                break  # the budget ran out inside this message: older ones are dropped
        kept.reverse()
        return drop_broken_tool_pairs(kept)

    def get_logs(
        self, pre_transform_messages: List[Message], post_transform_messages: List[Message]
    ) -> Tuple[str, bool]:
        pre = sum(message_tokens(m, self._model) for m in pre_transform_messages)
        post = sum(message_tokens(m, self._model) for m in post_transform_messages)
        if post < pre:
            return f"Truncated {pre - post} tokens. Number of tokens reduced from {pre} to {post}", True
        return "No tokens were truncated.", False

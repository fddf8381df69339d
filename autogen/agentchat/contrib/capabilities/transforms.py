"""Message transforms: what :class:`~.transform_messages.TransformMessages` applies to a history before a reply.

A transform has ``apply_transform(messages) -> messages`` and ``get_logs(pre, post) -> (text, had_effect)``.
Both transforms here keep tool calls with their results: a cut never leaves a tool result without the call
before it, nor a call without its results (see ``transforms_util.drop_broken_tool_pairs``). Input messages
are never modified.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Protocol, Tuple, Union

from .transforms_util import (
    drop_broken_tool_pairs,
    message_tokens,
    min_tokens_reached,
    should_transform_message,
    truncate_message,
)

if TYPE_CHECKING:
    from ....cache.abstract_cache_base import AbstractCache
    from .text_compressors import TextCompressor

__all__ = ["MessageHistoryLimiter", "MessageTokenLimiter", "MessageTransform", "TextMessageCompressor"]

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


class _DiskCacheDefault:
    """The default ``cache`` of TextMessageCompressor: ``Cache.disk()``, opened when first used."""

    def __repr__(self) -> str:
        return "Cache.disk()"


DISK_CACHE = _DiskCacheDefault()


class TextMessageCompressor:
    """Compresses the text of messages with a :class:`~autogen.agentchat.contrib.capabilities.text_compressors.TextCompressor`
    (LLMLingua by default).

    Args:
        text_compressor: the compressor (default: ``LLMLingua()``, which needs the ``long-context`` extra).
        min_tokens: leave the messages alone while they hold fewer tokens than this.
        compression_params: keyword arguments for ``compress_text`` (e.g. ``{"target_token": 500}``).
        cache: where compressed texts are kept, so a text is compressed once (default: ``Cache.disk()``;
            None: no cache).
        filter_dict, exclude_filter: which messages are compressed (as for MessageTokenLimiter).
    """

    def __init__(
        self,
        text_compressor: Optional[TextCompressor] = None,
        min_tokens: Optional[int] = None,
        compression_params: Optional[Dict[str, Any]] = None,
        cache: Union[AbstractCache, None, _DiskCacheDefault] = DISK_CACHE,
        filter_dict: Optional[Dict[str, Any]] = None,
        exclude_filter: bool = True,
    ):
        if min_tokens is not None and min_tokens <= 0:
            raise ValueError("min_tokens must be greater than 0 or None")
        if text_compressor is None:
            from .text_compressors import LLMLingua

            text_compressor = LLMLingua()
        if not callable(getattr(text_compressor, "compress_text", None)):
            raise TypeError(
                f"text_compressor must have a compress_text(text, **params) method, got {type(text_compressor).__name__}."
            )
        self._text_compressor = text_compressor
        self._min_tokens = min_tokens
        self._compression_params = dict(compression_params or {})
        self._cache_setting = cache
        self._filter_dict = filter_dict
        self._exclude_filter = exclude_filter
        self._recent_tokens_savings = 0

    @property
    def _cache(self) -> Optional[AbstractCache]:
        if isinstance(self._cache_setting, _DiskCacheDefault):
            from ....cache import Cache

            self._cache_setting = Cache.disk()
        return self._cache_setting

    def apply_transform(self, messages: List[Message]) -> List[Message]:
        self._recent_tokens_savings = 0
        if not messages or not min_tokens_reached(messages, self._min_tokens):
            return messages
        out: List[Message] = []
        for message in messages:
            content = message.get("content")
            if (
                not isinstance(content, (str, list))
                or not content
                or not should_transform_message(message, self._filter_dict, self._exclude_filter)
            ):
                out.append(message)
                continue
            compressed, savings = self._compress_content(content)
            self._recent_tokens_savings += savings
            out.append({**message, "content": compressed})
        return out

    def get_logs(
        self, pre_transform_messages: List[Message], post_transform_messages: List[Message]
    ) -> Tuple[str, bool]:
        if self._recent_tokens_savings > 0:
            return f"{self._recent_tokens_savings} tokens saved with text compression.", True
        return "No tokens saved with text compression.", False

    def _compress_content(self, content: Union[str, List[Any]]) -> Tuple[Any, int]:
        if isinstance(content, str):
            return self._compress_text(content)
        parts: List[Any] = []
        total = 0
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text" and part.get("text"):
                text, savings = self._compress_text(part["text"])
                parts.append({**part, "text": text})
                total += savings
            else:
                parts.append(part)
        return parts, total

    def _compress_text(self, text: str) -> Tuple[str, int]:
        """The compressed text and the tokens it saves, from the cache when it was compressed before."""
        cache = self._cache
        key = (
            "text_compression:"
            + hashlib.sha256(
                json.dumps([text, self._min_tokens, self._compression_params], sort_keys=True, default=str).encode()
            ).hexdigest()
        )
        if cache is not None:
            cached = cache.get(key)
            if cached is not None:
                return cached[0], int(cached[1])
        result = self._text_compressor.compress_text(text, **self._compression_params)
        if not isinstance(result, dict) or "compressed_prompt" not in result:
            raise ValueError(
                "The text compressor must return a dict with 'compressed_prompt' (and 'origin_tokens' / "
                f"'compressed_tokens'), got {result!r:.200}."
            )
        savings = 0
        if "origin_tokens" in result and "compressed_tokens" in result:
            savings = int(result["origin_tokens"]) - int(result["compressed_tokens"])
        compressed = str(result["compressed_prompt"])
        if cache is not None:
            cache.set(key, (compressed, savings))
        return compressed, savings

"""Shared by the message transforms: token counts and truncation of contents, and tool call/response pairs.

Messages are never modified: a changed message is a new dict. Token counts of texts are cached, so a
history that is transformed before every reply is not tokenised again turn after turn.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional

from ....token_count_utils import count_token, get_encoder

__all__ = [
    "cache_content_get",
    "cache_content_set",
    "cache_key",
    "count_text_tokens",
    "is_content_right_type",
    "is_content_text_empty",
    "calls_tools",
    "content_tokens",
    "drop_broken_tool_pairs",
    "is_tool_response",
    "message_tokens",
    "min_tokens_reached",
    "should_transform_message",
    "text_tokens",
    "truncate_message",
    "truncate_str_to_tokens",
]

Message = Dict[str, Any]


@functools.lru_cache(maxsize=16384)
def text_tokens(text: str, model: str = "gpt-3.5-turbo-0613") -> int:
    """Tokens of a text (cached)."""
    return count_token(text, model)


def truncate_str_to_tokens(text: str, max_tokens: int, model: str = "gpt-3.5-turbo-0613") -> str:
    """The longest start of ``text`` that is at most ``max_tokens`` tokens long."""
    if max_tokens <= 0:
        return ""
    if text_tokens(text, model) <= max_tokens:
        return text
    encoder = get_encoder(model)
    if encoder.name == "char-estimate":
        from ....token_count_utils import CHARS_PER_TOKEN

        return text[: max_tokens * CHARS_PER_TOKEN]
    import tiktoken

    encoding = tiktoken.get_encoding(encoder.name)  # the same (cached) encoding the counter uses
    return encoding.decode(encoding.encode(text, disallowed_special=())[:max_tokens])  # type: ignore[no-any-return]


def content_tokens(content: Any, model: str = "gpt-3.5-turbo-0613") -> int:
    """Tokens of a message content: a text, or the text parts of a multimodal content (images count 0)."""
    if isinstance(content, str):
        return text_tokens(content, model)
    if isinstance(content, list):
        return sum(
            text_tokens(str(part.get("text", "")), model)
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return 0


def message_tokens(message: Message, model: str = "gpt-3.5-turbo-0613") -> int:
    """Tokens of what a message says: its content, or the contents of its tool responses."""
    responses = message.get("tool_responses")
    if responses:
        return sum(content_tokens(r.get("content"), model) for r in responses)
    return content_tokens(message.get("content"), model)


def _truncate_content(content: Any, max_tokens: int, model: str) -> Any:
    if isinstance(content, str):
        return truncate_str_to_tokens(content, max_tokens, model)
    if not isinstance(content, list):
        return content
    parts, left = [], max_tokens
    for part in content:
        if isinstance(part, dict) and part.get("type") == "text":
            text = truncate_str_to_tokens(str(part.get("text", "")), left, model)
            left -= text_tokens(text, model)
            part = {**part, "text": text}
        parts.append(part)
    return parts


def truncate_message(message: Message, max_tokens: int, model: str = "gpt-3.5-turbo-0613") -> Message:
    """``message`` with its content (each tool response's content, for a tool message) cut to ``max_tokens``
    tokens in all; the message itself when nothing is cut."""
    if message_tokens(message, model) <= max_tokens:
        return message
    responses = message.get("tool_responses")
    if not responses:
        return {**message, "content": _truncate_content(message.get("content"), max_tokens, model)}
    cut, left = [], max_tokens
    for response in responses:
        content = _truncate_content(response.get("content"), left, model)
        left -= content_tokens(content, model)
        cut.append({**response, "content": content})
    joined = "\n\n".join(str(r.get("content", "")) for r in cut)
    return {**message, "tool_responses": cut, "content": joined}


def min_tokens_reached(messages: List[Message], min_tokens: Optional[int], model: str = "gpt-3.5-turbo-0613") -> bool:
    """Whether the messages hold at least ``min_tokens`` tokens (always true without a minimum)."""
    if not min_tokens:
        return True
    total = 0
    for message in reversed(messages):
        total += message_tokens(message, model)
        if total >= min_tokens:
            return True
    return False


def is_tool_response(message: Message) -> bool:
    """A tool or function result (it must follow the message that called it)."""
    return message.get("role") in ("tool", "function") or bool(message.get("tool_responses"))


def calls_tools(message: Message) -> bool:
    """A message calling tools or a function (its results must follow it)."""
    return bool(message.get("tool_calls") or message.get("function_call"))


def drop_broken_tool_pairs(messages: List[Message]) -> List[Message]:
    """The messages without tool results whose call is not right before them, and without calls whose results
    are not right after them (the last message may be a call still waiting for its results)."""
    kept: List[Message] = []
    last = len(messages) - 1
    for index, message in enumerate(messages):
        if is_tool_response(message):
            if not kept or not (calls_tools(kept[-1]) or is_tool_response(kept[-1])):
                continue
        elif calls_tools(message) and index < last and not is_tool_response(messages[index + 1]):
            continue
        kept.append(message)
    return kept


def should_transform_message(message: Message, filter_dict: Optional[Dict[str, Any]], exclude: bool) -> bool:
    """Whether a transform applies to ``message``: with a ``filter_dict`` (key -> allowed value or list of
    values), a message matches when each key's value is allowed; ``exclude`` transforms the others instead."""
    if not filter_dict:
        return True
    matches = True
    for key, allowed in filter_dict.items():
        value = message.get(key)
        options = allowed if isinstance(allowed, (list, tuple, set)) else [allowed]
        if isinstance(value, list):
            hit = any(v in options for v in value)
        else:
            hit = value in options
        if not hit:
            matches = False
            break
    return not matches if exclude else matches


# ------------------------------------------------------------------------------------ classic helpers --
def cache_key(content: Any, *args: Any) -> str:
    """Classic: the cache key of a transformed content (the content and the transform's settings as text)."""
    return "".join(str(part) for part in (content, *args))


def cache_content_get(cache: Any, key: Any) -> Optional[Any]:
    """Classic: the cached ``(content, *extra_values)`` tuple for ``key``, or None (also without a cache)."""
    if cache is None:
        return None
    return cache.get(key) or None


def cache_content_set(cache: Any, key: Any, content: Any, *extra_values: Any) -> None:
    """Classic: store ``(content, *extra_values)`` under ``key`` when there is a cache."""
    if cache is not None:
        cache.set(key, (content, *extra_values))


def count_text_tokens(content: Any, model: str = "gpt-3.5-turbo-0613") -> int:
    """Classic: tokens of the text of a content (a string, or the strings and text parts of a list)."""
    if isinstance(content, str):
        return text_tokens(content, model)
    if isinstance(content, list):
        return sum(
            text_tokens(item, model) if isinstance(item, str) else count_text_tokens(item.get("text", ""), model)
            for item in content
        )
    return 0


def is_content_right_type(content: Any) -> bool:
    """Classic: whether a content is a string or a list of parts (the types the transforms handle)."""
    return isinstance(content, (str, list))


def is_content_text_empty(content: Any) -> bool:
    """Classic: whether a content has no text at all."""
    if isinstance(content, str):
        return content == ""
    if isinstance(content, list):
        texts = [
            item if isinstance(item, str) else item.get("text", "") for item in content if isinstance(item, (str, dict))
        ]
        return not any(texts)
    return True

"""Classic streaming helpers that plugins call: merge one streamed delta into a function or tool call.

``OpenAIClient._update_function_call_from_chunk`` / ``_update_tool_calls_from_chunk`` /
``_update_dict_from_chunk`` (also on ``OpenAIWrapper``) are these functions. Each takes the delta object of
a chunk (``ChoiceDeltaFunctionCall``, ``ChoiceDeltaToolCall``), the dict built so far (or None) and the
count of completion tokens, and returns the updated dict and count: every field present in a delta counts
one token, strings are appended, other values replace. The project's own stream reader is
:class:`autogen.oai.streaming.StreamCollector`.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

__all__ = ["update_dict_from_chunk", "update_function_call_from_chunk", "update_tool_calls_from_chunk"]


def update_dict_from_chunk(chunk: Any, d: Dict[str, Any], field: str) -> int:
    """Merge ``chunk.<field>`` into ``d[field]`` (strings appended, numbers replaced); 1 if present, else 0."""
    if not isinstance(d, dict):
        raise TypeError(f"update_dict_from_chunk needs a dict to update, got {type(d).__name__}.")
    value = getattr(chunk, field, None)
    if value is None:
        return 0
    if isinstance(value, (list, dict)):
        raise NotImplementedError(
            f"Field {field} is a list or dict, which is currently not supported. Only string and numbers are supported."
        )
    if isinstance(value, str):
        d[field] = d.get(field, "") + value
    else:
        d[field] = value
    return 1


def update_function_call_from_chunk(
    function_call_chunk: Any, full_function_call: Optional[Dict[str, Any]], completion_tokens: int
) -> Tuple[Dict[str, Any], int]:
    """Merge a function-call delta (``name``, ``arguments``) into ``full_function_call``."""
    if function_call_chunk:
        if full_function_call is None:
            full_function_call = {}
        for field in ("name", "arguments"):
            completion_tokens += update_dict_from_chunk(function_call_chunk, full_function_call, field)
    if not full_function_call:
        raise RuntimeError("Function call is not found, this should not happen.")
    return full_function_call, completion_tokens


def update_tool_calls_from_chunk(
    tool_calls_chunk: Any, full_tool_call: Optional[Dict[str, Any]], completion_tokens: int
) -> Tuple[Dict[str, Any], int]:
    """Merge a tool-call delta (``index``, ``id``, ``type`` and its ``function``) into ``full_tool_call``."""
    kind = getattr(tool_calls_chunk, "type", None)
    if kind and kind != "function":
        raise NotImplementedError(
            f"Tool call type {kind} is currently not supported. Only function calls are supported."
        )
    if full_tool_call is not None and not isinstance(full_tool_call, dict):
        raise TypeError(f"full_tool_call must be a dict or None, got {type(full_tool_call).__name__}.")
    if tool_calls_chunk:
        if full_tool_call is None:
            full_tool_call = {}
        for field in ("index", "id", "type"):
            completion_tokens += update_dict_from_chunk(tool_calls_chunk, full_tool_call, field)
        function = getattr(tool_calls_chunk, "function", None)
        if function:
            full_tool_call["function"], completion_tokens = update_function_call_from_chunk(
                function, full_tool_call.get("function"), completion_tokens
            )
    if not full_tool_call:
        raise RuntimeError("Tool call is not found, this should not happen.")
    return full_tool_call, completion_tokens

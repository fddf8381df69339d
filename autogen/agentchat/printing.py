"""How a message looks on screen: ``sender (to recipient):``, the content, tool calls and results, a rule.

:func:`render_message` is a pure function returning the lines to print (already coloured);
:func:`print_message` prints them on a given IOStream (the agent's, or the one in force).
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional

from .messages import Message, content_text, message_to_dict

__all__ = ["RULE", "colored", "print_message", "render_message", "say"]

RULE = "-" * 80


def say(text: str) -> None:
    """Print one notice (progress, a warning for the user) on the IOStream in force, flushed."""
    from ..io.base import IOStream

    IOStream.get_default().print(text, flush=True)


def colored(text: object, color: Optional[str] = None, **kwargs: Any) -> str:
    """termcolor's ``colored`` (imported on first use; plain text if termcolor is missing)."""
    try:
        from termcolor import colored as _colored
    except ImportError:  # pragma: no cover - termcolor is a dependency
        return str(text)
    return _colored(str(text), color, **kwargs)  # type: ignore[arg-type]


def _framed(title: str, body: Any) -> List[str]:
    return [colored(title, "green"), str(body), colored("*" * len(title), "green")]


def _call_lines(message: Message) -> List[str]:
    lines: List[str] = []
    call = message.get("function_call")
    if call:
        call = dict(call)
        title = f"***** Suggested function call: {call.get('name', '(No function name found)')} *****"
        lines += _framed(title, "Arguments: \n" + str(call.get("arguments", "(No arguments found)")))
    for tool_call in message.get("tool_calls") or ():
        function = dict(tool_call.get("function") or {})
        call_id = tool_call.get("id", "No tool call id found")
        title = f"***** Suggested tool call ({call_id}): {function.get('name', '(No function name found)')} *****"
        lines += _framed(title, "Arguments: \n" + str(function.get("arguments", "(No arguments found)")))
    return lines


def _result_lines(message: Message) -> List[str]:
    role = message.get("role")
    key = "name" if role == "function" else "tool_call_id"
    title = f"***** Response from calling {role} ({message.get(key, 'No id found')}) *****"
    return _framed(title, message.get("content"))


def render_message(
    message: Any,
    sender_name: str,
    recipient_name: str,
    *,
    with_head: bool = True,
    render_content: Optional[Callable[[Message], Any]] = None,
) -> List[str]:
    """The lines that show ``message`` going from ``sender_name`` to ``recipient_name``.

    ``render_content(message)`` may turn a templated content into text (the agent passes one that
    instantiates ``context``); by default the content is shown as text.
    """
    message = message_to_dict(message)
    head = f"{colored(sender_name, 'yellow')} (to {recipient_name}):\n"
    lines: List[str] = [head] if with_head else []
    responses = message.get("tool_responses")
    if responses:
        # classic 0.2.35 showed each tool response as a message of its own, under the sender's head again
        for response in responses:
            lines += [head, *_result_lines(response), "\n" + RULE]
        if message.get("role") == "tool":  # a tool message's content repeats its responses
            return lines
    if message.get("role") in ("function", "tool"):
        lines += _result_lines(message)
    else:
        content = message.get("content")
        if content is not None:
            shown = render_content(message) if render_content is not None else content
            lines.append(content_text(shown) if not isinstance(shown, str) else shown)
        lines += _call_lines(message)
    lines.append("\n" + RULE)
    return lines


def print_message(
    iostream: Any,
    message: Any,
    sender_name: str,
    recipient_name: str,
    *,
    with_head: bool = True,
    render_content: Optional[Callable[[Message], Any]] = None,
) -> None:
    """Print :func:`render_message`'s lines on ``iostream``, each flushed."""
    for line in render_message(
        message, sender_name, recipient_name, with_head=with_head, render_content=render_content
    ):
        iostream.print(line, flush=True)

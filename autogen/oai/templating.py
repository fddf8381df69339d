"""Templated prompts and messages, filled from a ``context`` dict at ``create`` time.

A template is a string (formatted with ``str.format(**context)`` only when
``allow_format_str_template`` is true) or a callable ``(context) -> str``.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

__all__ = ["instantiate", "instantiate_messages"]

Template = Union[str, Callable[[dict[str, Any]], str], None]


def instantiate(
    template: Template, context: Optional[dict[str, Any]] = None, allow_format_str_template: bool = False
) -> Any:
    """Fill ``template`` from ``context``; without a context the template is returned unchanged."""
    if not context or template is None:
        return template
    if isinstance(template, str):
        return template.format(**context) if allow_format_str_template else template
    if callable(template):
        return template(context)
    return template  # multimodal content lists and other values are not templates


def instantiate_messages(
    messages: list[dict[str, Any]], context: Optional[dict[str, Any]], allow_format_str_template: bool = False
) -> list[dict[str, Any]]:
    """The messages with templated contents filled in.

    Only the messages whose content changes are copied; the others (and the list itself,
    when nothing changes) are passed through untouched, so long histories cost no copying.
    """
    if not context:
        return messages
    out: Optional[list[dict[str, Any]]] = None
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if not content:
            continue
        filled = instantiate(content, context, allow_format_str_template)
        if filled is content:
            continue
        if out is None:
            out = list(messages)
        out[i] = {**message, "content": filled}
    return messages if out is None else out

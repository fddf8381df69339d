"""The reply-function registry: entries, triggers and how a sender matches a trigger.

An agent keeps ``_reply_func_list``, a list of plain dicts (the classic layout, relied on by subclasses)::

    {"trigger": ..., "reply_func": f, "config": copy of config, "init_config": config,
     "reset_config": callable or None, "ignore_async_in_sync_chat": bool}

A reply function is ``f(recipient, messages=None, sender=None, config=None) -> (final, reply)``; it may
be async. ``generate_reply`` walks the list top-down and the first final reply wins.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, Callable, Dict, Optional

from .errors import InvalidTriggerError

__all__ = ["describe_trigger", "make_entry", "match_trigger", "validate_trigger"]

ReplyEntry = Dict[str, Any]

# isinstance() against a runtime-checkable Protocol inspects every member each time; the answer for a
# given (protocol, class) pair does not change, so it is remembered.
_protocol_matches: Dict[tuple[type, type], bool] = {}


def _looks_like_agent(obj: Any) -> bool:
    return not isinstance(obj, type) and hasattr(obj, "name") and hasattr(obj, "receive")


def describe_trigger(trigger: Any) -> str:
    if isinstance(trigger, type):
        return f"class {trigger.__name__}"
    return f"{type(trigger).__name__} {trigger!r}"


def validate_trigger(trigger: Any) -> None:
    """Raise :class:`InvalidTriggerError` unless ``trigger`` is a class, an agent, a name, a callable,
    None, or a list of these."""
    if trigger is None or isinstance(trigger, (type, str)) or _looks_like_agent(trigger) or callable(trigger):
        return
    if isinstance(trigger, (list, tuple)):
        for item in trigger:
            validate_trigger(item)
        return
    raise InvalidTriggerError(
        "trigger must be a class, a string, an agent, a callable or a list. "
        f"Unsupported trigger {describe_trigger(trigger)}: a trigger must be a class (e.g. Agent), an agent "
        "instance, an agent name (str), a callable taking the sender and returning a bool, None (replies "
        "requested without a sender), or a list of these."
    )


def match_trigger(trigger: Any, sender: Any) -> bool:
    """Whether a reply function registered with ``trigger`` applies to a message from ``sender``."""
    if trigger is None:
        return sender is None
    kind = type(trigger)
    if kind is list or kind is tuple:  # the usual [Agent, None] first
        for item in trigger:
            if match_trigger(item, sender):
                return True
        return False
    if isinstance(trigger, type):
        if sender is None:
            return False
        if getattr(trigger, "_is_protocol", False):
            key = (trigger, type(sender))
            hit = _protocol_matches.get(key)
            if hit is None:
                hit = _protocol_matches[key] = isinstance(sender, trigger)
            return hit
        return isinstance(sender, trigger)
    if isinstance(trigger, str):
        if sender is None:
            from ..exception_utils import SenderRequired

            raise SenderRequired(f"A reply function is triggered by the name {trigger!r}, so a sender is required.")
        return bool(trigger == sender.name)
    if isinstance(trigger, (list, tuple)):
        for item in trigger:
            if match_trigger(item, sender):
                return True
        return False
    if _looks_like_agent(trigger):
        return trigger is sender
    if callable(trigger):
        result = trigger(sender)
        if not isinstance(result, bool):
            raise InvalidTriggerError(
                f"trigger {trigger} must return a boolean value. It returned {type(result).__name__}."
            )
        return result
    raise InvalidTriggerError(f"Unsupported trigger {describe_trigger(trigger)}.")


def make_entry(
    trigger: Any,
    reply_func: Callable[..., Any],
    config: Optional[Any] = None,
    reset_config: Optional[Callable[..., Any]] = None,
    ignore_async_in_sync_chat: bool = False,
) -> ReplyEntry:
    """A registry entry (validates the trigger and the function)."""
    validate_trigger(trigger)
    if not callable(reply_func):
        raise TypeError(f"reply_func must be callable, got {type(reply_func).__name__}.")
    return {
        "trigger": trigger,
        "reply_func": reply_func,
        "config": copy.copy(config),
        "init_config": config,
        "reset_config": reset_config,
        "ignore_async_in_sync_chat": bool(ignore_async_in_sync_chat) and inspect.iscoroutinefunction(reply_func),
    }

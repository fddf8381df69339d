"""The errors the agents raise on purpose. Each says what was wrong and how to fix it."""

from __future__ import annotations

from typing import Any, Optional

from ..exception_utils import AutoGenError, ConfigError

__all__ = [
    "ConfigError",
    "HookError",
    "InvalidMessageError",
    "InvalidTriggerError",
    "LLMConfigRequiredError",
    "MessagesOrSenderRequiredError",
    "ReplyFunctionError",
    "SchemaNotFoundError",
]


class InvalidMessageError(AutoGenError, ValueError):
    """A message cannot become a chat-completion message (no content, no function call, no tool calls)."""

    def __init__(self, message: Any, *, when: str = "sent", problem: Optional[str] = None) -> None:
        shown = repr(message)
        if len(shown) > 300:
            shown = shown[:300] + "...}"
        # the classic sentence first (code matches on it), then what was wrong and how to fix it
        classic = "Message can't be converted into a valid ChatCompletion message. Either content or function_call must be provided."
        if when == "received":
            classic = "Received " + classic[0].lower() + classic[1:]
        if problem:
            text = f"{classic} It cannot be {when}: {problem} Message: {shown}"
        else:
            text = (
                f"{classic} It cannot be {when}: {shown}. Pass a string, or a dict with a 'content' key "
                "(it may be None only when the dict carries 'function_call' or 'tool_calls')."
            )
        super().__init__(text)
        self.message = message
        self.problem = problem


class InvalidTriggerError(AutoGenError, ValueError, AssertionError):
    """A reply-function trigger is not a class, an agent, a name, a callable, None or a list of these.

    A ValueError as an unsupported trigger raised in the classic package, and an AssertionError as a
    callable trigger that did not return a bool did."""


class LLMConfigRequiredError(AutoGenError, RuntimeError, AssertionError):
    """An operation needs the agent to have an llm_config (e.g. registering a tool for the LLM).

    A RuntimeError as ``register_for_llm`` raised in the classic package, and an AssertionError as its
    ``update_tool_signature`` / ``update_function_signature`` raised."""


class SchemaNotFoundError(AutoGenError, KeyError, AssertionError):
    """A tool/function schema to remove is not in the agent's llm_config (an AssertionError, as in the classic
    package, and a KeyError)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class HookError(AutoGenError, ValueError, AssertionError):
    """An unknown hookable method, or a hook registered twice."""


class ReplyFunctionError(AutoGenError, TypeError):
    """A reply function returned something other than a ``(final: bool, reply)`` pair."""


class MessagesOrSenderRequiredError(AutoGenError, AssertionError, ValueError):
    """``generate_reply`` got neither messages nor a sender (an AssertionError, as in the classic package)."""

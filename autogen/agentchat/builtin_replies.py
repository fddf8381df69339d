"""The built-in replies of ConversableAgent, each written once as a flow (see ``autogen._flow``).

Each flow takes the replying agent first, like a method: ``flow(agent, messages, sender, config)``
yields effects and returns ``(final, reply)``. :class:`BuiltinReplies` gives the agent the classic
public pairs (``generate_oai_reply`` / ``a_generate_oai_reply``, ...) as two-line edges over them, and
:func:`builtin_entries` the registry they start in, in the classic order (so ``position`` arguments
of ``register_reply`` mean what they meant in classic AutoGen). Both members of a pair carry the same
flow, which ``generate_reply`` runs once per reply, in sync and async chats alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union

from .._flow import flow_backed, run_async, run_sync
from .reply_code import code_execution_flow
from .reply_human import termination_and_human_flow
from .reply_llm import oai_reply_flow
from .reply_registry import make_entry
from .reply_tools import function_call_flow, tool_calls_flow

if TYPE_CHECKING:
    from .agent import Agent

__all__ = ["BuiltinReplies", "builtin_entries"]

Messages = Optional[List[Dict[str, Any]]]
ReplyOutcome = Tuple[bool, Union[str, Dict[str, Any], None]]


class BuiltinReplies:
    """The built-in reply functions as public methods (usable from user code and subclasses)."""

    @flow_backed(termination_and_human_flow)
    def check_termination_and_human_reply(
        self, messages: Messages = None, sender: Optional[Agent] = None, config: Any = None
    ) -> ReplyOutcome:
        """Stop, answer with human input, or let the next replies answer (see ``replies.human``)."""
        return run_sync(termination_and_human_flow(self, messages, sender, config))  # type: ignore[arg-type]

    @flow_backed(termination_and_human_flow)
    async def a_check_termination_and_human_reply(
        self, messages: Messages = None, sender: Optional[Agent] = None, config: Any = None
    ) -> ReplyOutcome:
        return await run_async(termination_and_human_flow(self, messages, sender, config))  # type: ignore[arg-type]

    @flow_backed(function_call_flow)
    def generate_function_call_reply(
        self, messages: Messages = None, sender: Optional[Agent] = None, config: Any = None
    ) -> ReplyOutcome:
        """Run the legacy ``function_call`` of the last message."""
        return run_sync(function_call_flow(self, messages, sender, config))  # type: ignore[arg-type]

    @flow_backed(function_call_flow)
    async def a_generate_function_call_reply(
        self, messages: Messages = None, sender: Optional[Agent] = None, config: Any = None
    ) -> ReplyOutcome:
        return await run_async(function_call_flow(self, messages, sender, config))  # type: ignore[arg-type]

    @flow_backed(tool_calls_flow)
    def generate_tool_calls_reply(
        self, messages: Messages = None, sender: Optional[Agent] = None, config: Any = None
    ) -> ReplyOutcome:
        """Run every tool call of the last message; answer with one tool message."""
        return run_sync(tool_calls_flow(self, messages, sender, config))  # type: ignore[arg-type]

    @flow_backed(tool_calls_flow)
    async def a_generate_tool_calls_reply(
        self, messages: Messages = None, sender: Optional[Agent] = None, config: Any = None
    ) -> ReplyOutcome:
        return await run_async(tool_calls_flow(self, messages, sender, config))  # type: ignore[arg-type]

    @flow_backed(code_execution_flow)
    def generate_code_execution_reply(
        self, messages: Messages = None, sender: Optional[Agent] = None, config: Any = None
    ) -> ReplyOutcome:
        """Run the code blocks of the last messages (see ``replies.code``)."""
        return run_sync(code_execution_flow(self, messages, sender, config))  # type: ignore[arg-type]

    @flow_backed(code_execution_flow)
    async def a_generate_code_execution_reply(
        self, messages: Messages = None, sender: Optional[Agent] = None, config: Any = None
    ) -> ReplyOutcome:
        return await run_async(code_execution_flow(self, messages, sender, config))  # type: ignore[arg-type]

    @flow_backed(oai_reply_flow)
    def generate_oai_reply(
        self, messages: Messages = None, sender: Optional[Agent] = None, config: Any = None
    ) -> ReplyOutcome:
        """The LLM's reply (``config``: another OpenAIWrapper to use instead of the agent's)."""
        return run_sync(oai_reply_flow(self, messages, sender, config))  # type: ignore[arg-type]

    @flow_backed(oai_reply_flow)
    async def a_generate_oai_reply(
        self, messages: Messages = None, sender: Optional[Agent] = None, config: Any = None
    ) -> ReplyOutcome:
        return await run_async(oai_reply_flow(self, messages, sender, config))  # type: ignore[arg-type]


_ENTRIES: Optional[List[Dict[str, Any]]] = None


def builtin_entries() -> List[Dict[str, Any]]:
    """The registry a new agent starts with, top-down (classic order and positions)."""
    global _ENTRIES
    if _ENTRIES is None:
        from .agent import Agent

        b = BuiltinReplies
        funcs = [
            (b.a_check_termination_and_human_reply, True),
            (b.check_termination_and_human_reply, False),
            (b.a_generate_function_call_reply, True),
            (b.generate_function_call_reply, False),
            (b.a_generate_tool_calls_reply, True),
            (b.generate_tool_calls_reply, False),
            (b.generate_code_execution_reply, False),
            (b.a_generate_oai_reply, True),
            (b.generate_oai_reply, False),
        ]
        _ENTRIES = [make_entry([Agent, None], f, ignore_async_in_sync_chat=ignore) for f, ignore in funcs]
    return [dict(entry) for entry in _ENTRIES]

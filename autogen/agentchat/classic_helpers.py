"""Classic private helpers of ``ConversableAgent`` that 0.2-era subclasses, plugins and tests call.

They are thin edges over the project's own functions (summaries in ``summary``, nested chats in ``nested``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .._flow import run_async, run_sync
from . import nested
from .summary import _reflection_flow, last_msg_summary

__all__ = ["ClassicHelpersMixin"]

ChatQueue = List[Dict[str, Any]]


class ClassicHelpersMixin:
    """``_last_msg_as_summary``, ``_reflection_with_llm_as_summary``, ``_get_chats_to_run``,
    ``_summary_from_nested_chats`` / ``_a_summary_from_nested_chats`` (static, as in the classic package)."""

    _last_msg_as_summary = staticmethod(last_msg_summary)
    _get_chats_to_run = staticmethod(nested.chats_to_run)

    @staticmethod
    def _reflection_with_llm_as_summary(sender: Any, recipient: Any, summary_args: Optional[Dict[str, Any]]) -> str:
        """Ask the recipient's LLM (the sender's if no recipient) to summarize their conversation."""
        return run_sync(_reflection_flow(sender, recipient, dict(summary_args or {})))

    @staticmethod
    def _summary_from_nested_chats(
        chat_queue: ChatQueue, recipient: Any, messages: Any = None, sender: Any = None, config: Any = None
    ) -> Tuple[bool, Any]:
        """Run the nested chats of ``chat_queue`` in order: ``(True, summary of the last one)``."""
        return run_sync(nested.summary_flow(chat_queue, recipient, messages, sender, config, False))

    @staticmethod
    async def _a_summary_from_nested_chats(
        chat_queue: ChatQueue, recipient: Any, messages: Any = None, sender: Any = None, config: Any = None
    ) -> Tuple[bool, Any]:
        """Async :meth:`_summary_from_nested_chats` (chats with ``chat_id``/``prerequisites`` run concurrently)."""
        return await run_async(nested.summary_flow(chat_queue, recipient, messages, sender, config, True))

"""``ChatResult`` documents back to ``ChatResult`` objects (the document format is in ``autogen.formats.result``)."""

from __future__ import annotations

from typing import Any, Dict

from ..agentchat.chat import ChatResult
from ..formats.result import chat_result_fields

__all__ = ["chat_result_from_dict"]


def chat_result_from_dict(data: Dict[str, Any]) -> ChatResult:
    """The ``ChatResult`` saved by :func:`autogen.formats.result.chat_result_to_dict`."""
    return ChatResult(**chat_result_fields(data))

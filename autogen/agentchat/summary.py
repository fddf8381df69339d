"""How a finished chat is summarised (``summary_method`` of ``initiate_chat``).

* ``"last_msg"``: the last message of the chat, without the word TERMINATE;
* ``"reflection_with_llm"``: an LLM (the recipient's, else the sender's) reads the chat and writes a
  summary; ``summary_args`` may set ``summary_prompt`` and ``summary_role`` (default "system");
* a callable ``(sender, recipient, summary_args) -> str`` (may be async);
* None: no summary (``""``).
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Optional

from .._flow import Flow, Invoke
from .messages import content_text

__all__ = [
    "DEFAULT_SUMMARY_METHOD",
    "DEFAULT_SUMMARY_PROMPT",
    "SUMMARY_METHODS",
    "last_msg_summary",
    "summary_flow",
    "summary_text",
    "validate_summary_method",
]

DEFAULT_SUMMARY_METHOD = "last_msg"
SUMMARY_METHODS = ("last_msg", "reflection_with_llm")
DEFAULT_SUMMARY_PROMPT = (
    "Write a concise summary of the outcome of the conversation above, including the final answer or result. "
    "Reply with the summary only, without an introduction."
)


def validate_summary_method(summary_method: Any) -> None:
    if summary_method is None or callable(summary_method) or summary_method in SUMMARY_METHODS:
        return
    from ..exception_utils import ConfigAssertionError

    raise ConfigAssertionError(
        "summary_method must be a string chosen from 'reflection_with_llm' or 'last_msg' or a callable, or None; "
        f"got {summary_method!r}. A callable takes (sender, recipient, summary_args) and returns the summary."
    )


def summary_text(content: Any) -> str:
    """The text of a final message, without TERMINATE (text parts of a multimodal content joined by lines)."""
    if isinstance(content, str):
        return content.replace("TERMINATE", "")
    if isinstance(content, list):
        return "\n".join(
            str(part["text"]).replace("TERMINATE", "") for part in content if isinstance(part, dict) and "text" in part
        )
    if isinstance(content, dict):  # e.g. an LLM answer carrying a tool call
        return content_text(content.get("content")).replace("TERMINATE", "")
    return "" if content is None else str(content).replace("TERMINATE", "")


def last_msg_summary(sender: Any, recipient: Any, summary_args: Optional[Dict[str, Any]] = None) -> str:
    """The last message between ``sender`` and ``recipient`` (as the recipient saw it), without TERMINATE."""
    try:
        message = recipient.last_message(sender)
    except (IndexError, KeyError, AttributeError, ValueError) as e:
        warnings.warn(
            f"Cannot extract summary using last_msg: {e}. Using an empty str as summary.", UserWarning, stacklevel=3
        )
        return ""
    return summary_text(message.get("content")) if message else ""


def _reflection_flow(sender: Any, recipient: Any, summary_args: Dict[str, Any]) -> Flow[str]:
    from .reply_llm import reflection_flow

    prompt = summary_args.get("summary_prompt")
    prompt = DEFAULT_SUMMARY_PROMPT if prompt is None else prompt
    if not isinstance(prompt, str):
        raise ValueError(f"The summary_prompt must be a string. summary_args['summary_prompt'] is {prompt!r}.")
    role = summary_args.get("summary_role")
    if role is not None and not isinstance(role, str):
        raise ValueError(f"The summary_role in summary_arg must be a string. summary_args['summary_role'] is {role!r}.")
    llm_agent = sender if recipient is None else recipient
    messages = llm_agent.chat_messages_for_summary(sender)
    try:
        summary = yield from reflection_flow(
            sender, prompt, messages, llm_agent=llm_agent, cache=summary_args.get("cache"), role=role
        )
    except Exception as e:
        import openai  # already imported: a request was made

        if not isinstance(e, openai.BadRequestError):
            raise
        warnings.warn(
            f"Cannot extract summary using reflection_with_llm: {e}. Using an empty str as summary.",
            UserWarning,
            stacklevel=3,
        )
        return ""
    return summary if isinstance(summary, str) else summary_text(summary)


def summary_flow(
    sender: Any,
    recipient: Any,
    summary_method: Any,
    summary_args: Optional[Dict[str, Any]],
    cache: Any = None,
) -> Flow[str]:
    """The summary of the chat between ``sender`` and ``recipient``."""
    validate_summary_method(summary_method)
    if summary_method is None:
        return ""
    args = dict(summary_args or {})
    args.setdefault("cache", cache)
    if summary_method == "last_msg":
        return last_msg_summary(sender, recipient, args)
    if summary_method == "reflection_with_llm":
        return (yield from _reflection_flow(sender, recipient, args))
    return (yield Invoke(summary_method, args=(sender, recipient, args)))

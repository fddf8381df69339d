"""Helpers over several agents: usage summaries and checks of chat descriptions."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Union

from ..exception_utils import ConfigAssertionError
from .summary import validate_summary_method
from .tags import parse_tags_from_content

__all__ = ["consolidate_chat_info", "gather_usage_summary", "parse_tags_from_content", "usage_of"]

USAGE_COUNTERS = ("cost", "prompt_tokens", "completion_tokens", "total_tokens")


def usage_of(agent: Any, which: str) -> Optional[Dict[str, Any]]:
    """An agent's usage summary (``which``: "total" or "actual"), without creating a client for it."""
    client = getattr(agent, "_client", None) if hasattr(agent, "_client") else getattr(agent, "client", None)
    if client is None:
        return None
    return getattr(client, f"{which}_usage_summary", None)  # type: ignore[no-any-return]


def _add_usage(total: Dict[str, Any], summary: Optional[Dict[str, Any]]) -> None:
    if not summary:
        return
    total["total_cost"] += summary.get("total_cost", 0)
    for model, data in summary.items():
        if model == "total_cost" or not isinstance(data, dict):
            continue
        bucket = total.get(model)
        if bucket is None:
            total[model] = dict(data)
            continue
        for key in USAGE_COUNTERS:
            bucket[key] = bucket.get(key, 0) + data.get(key, 0)


def gather_usage_summary(agents: Iterable[Any]) -> Dict[str, Dict[str, Any]]:
    """The LLM usage of ``agents`` added up, per model and in total::

        {"usage_including_cached_inference": {"total_cost": 0.0123, "gpt-4": {"cost": ..., "prompt_tokens": ...,
                                              "completion_tokens": ..., "total_tokens": ...}},
         "usage_excluding_cached_inference": {...}}

    "including cached inference" counts answers served from the cache as if they had been paid for;
    "excluding" counts only the calls actually made.
    """
    including: Dict[str, Any] = {"total_cost": 0}
    excluding: Dict[str, Any] = {"total_cost": 0}
    for agent in agents:
        _add_usage(including, usage_of(agent, "total"))
        _add_usage(excluding, usage_of(agent, "actual"))
    return {"usage_including_cached_inference": including, "usage_excluding_cached_inference": excluding}


def _has_llm(agent: Any) -> bool:
    if getattr(agent, "_client", None) is not None:
        return True
    llm_config = getattr(agent, "llm_config", None)
    if isinstance(llm_config, dict):
        return True
    return getattr(agent, "client", None) is not None


def consolidate_chat_info(
    chat_info: Union[Dict[str, Any], List[Dict[str, Any]]], uniform_sender: Optional[Any] = None
) -> None:
    """Check chat descriptions before running them: sender and recipient present, a known
    ``summary_method``, and an LLM available when it is ``"reflection_with_llm"``."""
    chats = [chat_info] if isinstance(chat_info, dict) else chat_info
    for i, chat in enumerate(chats):
        if not isinstance(chat, dict):
            raise TypeError(f"Chat #{i} must be a dict of initiate_chat arguments, got {type(chat).__name__}.")
        sender = uniform_sender if uniform_sender is not None else chat.get("sender")
        if sender is None:
            raise ConfigAssertionError(
                f"sender must be provided. Chat #{i} has no 'sender': add the agent that starts it."
            )
        if chat.get("recipient") is None:
            raise ConfigAssertionError(
                f"recipient must be provided. Chat #{i} has no 'recipient': add the agent the sender talks to."
            )
        summary_method = chat.get("summary_method")
        validate_summary_method(summary_method)
        if summary_method == "reflection_with_llm" and not (_has_llm(sender) or _has_llm(chat["recipient"])):
            raise ConfigAssertionError(
                "llm client must be set in either the recipient or sender when summary_method is "
                f"reflection_with_llm (chat #{i}): give one of them an llm_config."
            )

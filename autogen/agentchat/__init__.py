"""Agents and the chats between them. Names resolve lazily, like the top-level package."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .agent import Agent, LLMAgent
    from .assistant_agent import AssistantAgent
    from .chat import ChatResult, a_initiate_chats, initiate_chats
    from .conversable_agent import ConversableAgent, register_function
    from .groupchat import GroupChat, GroupChatManager
    from .user_proxy_agent import UserProxyAgent
    from .utils import gather_usage_summary

_EXPORTS: dict[str, str] = {
    "Agent": ".agent",
    "LLMAgent": ".agent",
    "ConversableAgent": ".conversable_agent",
    "register_function": ".conversable_agent",
    "AssistantAgent": ".assistant_agent",
    "UserProxyAgent": ".user_proxy_agent",
    "GroupChat": ".groupchat",
    "GroupChatManager": ".groupchat",
    "ChatResult": ".chat",
    "initiate_chats": ".chat",
    "a_initiate_chats": ".chat",
    "gather_usage_summary": ".utils",
}

__all__ = list(_EXPORTS)

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

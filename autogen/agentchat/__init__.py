"""Agents and the chats between them. Names resolve lazily, like the top-level package."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "Agent": "autogen.agentchat.agent",
    "LLMAgent": "autogen.agentchat.agent",
    "ConversableAgent": "autogen.agentchat.conversable_agent",
    "register_function": "autogen.agentchat.conversable_agent",
    "AssistantAgent": "autogen.agentchat.assistant_agent",
    "UserProxyAgent": "autogen.agentchat.user_proxy_agent",
    "GroupChat": "autogen.agentchat.groupchat",
    "GroupChatManager": "autogen.agentchat.groupchat",
    "ChatResult": "autogen.agentchat.chat",
    "initiate_chats": "autogen.agentchat.chat",
    "a_initiate_chats": "autogen.agentchat.chat",
    "gather_usage_summary": "autogen.agentchat.utils",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'autogen.agentchat' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

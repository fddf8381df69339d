"""AutoGen: build LLM applications out of conversable agents.

The public names are resolved lazily (PEP 562) so that ``import autogen`` stays
cheap: openai, pydantic models, docker and tiktoken load only when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

from .version import __version__

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # agents
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
    # enhanced inference
    "OpenAIWrapper": "autogen.oai.client",
    "Completion": "autogen.oai.completion",
    "ChatCompletion": "autogen.oai.completion",
    "ModelClient": "autogen.oai.client",
    "config_list_from_json": "autogen.oai.openai_utils",
    "config_list_from_models": "autogen.oai.openai_utils",
    "config_list_openai_aoai": "autogen.oai.openai_utils",
    "config_list_from_dotenv": "autogen.oai.openai_utils",
    "config_list_gpt4_gpt35": "autogen.oai.openai_utils",
    "get_config_list": "autogen.oai.openai_utils",
    "filter_config": "autogen.oai.openai_utils",
    "Cache": "autogen.cache.cache",
    # code
    "DEFAULT_MODEL": "autogen.code_utils",
    "FAST_MODEL": "autogen.code_utils",
    # errors
    "AutoGenError": "autogen.exception_utils",
    "AgentNameConflict": "autogen.exception_utils",
    "NoEligibleSpeaker": "autogen.exception_utils",
    "SenderRequired": "autogen.exception_utils",
    "InvalidCarryOverType": "autogen.exception_utils",
    "UndefinedNextAgent": "autogen.exception_utils",
}

# submodules reachable as attributes without an explicit import (autogen.runtime_logging.start())
_SUBMODULES = {
    "agentchat",
    "oai",
    "cache",
    "coding",
    "io",
    "logger",
    "runtime_logging",
    "code_utils",
    "function_utils",
    "token_count_utils",
    "graph_utils",
    "exception_utils",
    "browser_utils",
    "retrieve_utils",
    "state",
    "scale",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is not None:
        value = getattr(importlib.import_module(module_name), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'autogen' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)

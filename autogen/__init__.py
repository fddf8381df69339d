"""AutoGen: build LLM applications out of conversable agents.

The public names are resolved lazily (PEP 562) so that ``import autogen`` stays
cheap: openai, pydantic models, docker and tiktoken load only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from .version import __version__

if TYPE_CHECKING:
    from .agentchat.agent import Agent, LLMAgent
    from .agentchat.assistant_agent import AssistantAgent
    from .agentchat.chat import ChatResult, a_initiate_chats, initiate_chats
    from .agentchat.conversable_agent import ConversableAgent, register_function
    from .agentchat.groupchat import GroupChat, GroupChatManager
    from .agentchat.user_proxy_agent import UserProxyAgent
    from .agentchat.utils import gather_usage_summary
    from .cache.cache import Cache
    from .code_utils import DEFAULT_MODEL, FAST_MODEL
    from .exception_utils import (
        AgentNameConflict,
        AutoGenError,
        InvalidCarryOverType,
        NoEligibleSpeaker,
        SenderRequired,
        UndefinedNextAgent,
    )
    from .oai.client import ModelClient, OpenAIWrapper
    from .oai.completion import ChatCompletion, Completion
    from .oai.openai_utils import (
        config_list_from_dotenv,
        config_list_from_json,
        config_list_from_models,
        config_list_gpt4_gpt35,
        config_list_openai_aoai,
        filter_config,
        get_config_list,
    )

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


if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, _SUBMODULES)

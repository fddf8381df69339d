"""End-to-end scenarios every provider client runs (agents -> OpenAIWrapper -> provider SDK -> local server).

Each returns what the test asserts on; the provider-specific checks of the wire format stay in the tests.
"""

from __future__ import annotations

import asyncio
from typing import Any

from helpers import ends_with_terminate

from autogen import ConversableAgent
from autogen.agentchat.chat import ChatResult

__all__ = ["IMAGE_DATA_URL", "PNG_B64", "chat_pair", "image_message", "run_chat", "run_tool_chat"]

# a 1x1 transparent PNG
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
IMAGE_DATA_URL = "data:image/png;base64," + PNG_B64


def chat_pair(config_list: list[dict[str, Any]], **llm: Any) -> tuple[ConversableAgent, ConversableAgent]:
    """(assistant on the given configs, user agent without LLM that runs tools)."""
    assistant = ConversableAgent(
        "assistant",
        system_message="You are a helpful assistant.",
        llm_config={"config_list": config_list, "cache_seed": None, **llm},
        human_input_mode="NEVER",
    )
    user = ConversableAgent(
        "user",
        llm_config=False,
        human_input_mode="NEVER",
        max_consecutive_auto_reply=4,
        is_termination_msg=ends_with_terminate,  # the scripted answers end with "... TERMINATE"
    )
    return assistant, user


def run_chat(config_list: list[dict[str, Any]], message: Any = "Hi there", is_async: bool = False) -> ChatResult:
    """A two-agent chat of two turns (user asks, assistant answers, user's empty auto reply, assistant again)."""
    assistant, user = chat_pair(config_list)
    if is_async:
        return asyncio.run(user.a_initiate_chat(assistant, message=message, max_turns=2))
    return user.initiate_chat(assistant, message=message, max_turns=2)


def run_tool_chat(config_list: list[dict[str, Any]], is_async: bool = False, **llm: Any) -> ChatResult:
    """The assistant may call ``add(a, b)``, which the user agent executes; a reply ending in TERMINATE ends it."""
    assistant, user = chat_pair(config_list, **llm)

    @user.register_for_execution()
    @assistant.register_for_llm(description="Add two integers.")
    def add(a: int, b: int) -> int:
        return a + b

    if is_async:
        return asyncio.run(user.a_initiate_chat(assistant, message="What is 2 + 40?", max_turns=3))
    return user.initiate_chat(assistant, message="What is 2 + 40?", max_turns=3)


def image_message(text: str = "What is in this picture?") -> dict[str, Any]:
    return {
        "role": "user",
        "content": [{"type": "text", "text": text}, {"type": "image_url", "image_url": {"url": IMAGE_DATA_URL}}],
    }

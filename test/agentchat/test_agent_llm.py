"""The LLM side of an agent: chat caches, custom model clients, templated messages, the lazy client."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from helpers import ScriptedIO, ends_with_terminate

from autogen import Cache, ConversableAgent
from autogen.io.base import IOStream


def test_chat_cache_and_usage_with_and_without_cached_answers(llm_server: Any, llm_config: dict, tmp_path: Any) -> None:
    llm_server.responder = lambda body: "cached answer TERMINATE"
    assistant = ConversableAgent(
        "assistant", is_termination_msg=ends_with_terminate, llm_config=llm_config, human_input_mode="NEVER"
    )
    user = ConversableAgent("user", is_termination_msg=ends_with_terminate, human_input_mode="NEVER")
    with IOStream.set_default(ScriptedIO()), Cache.disk(cache_seed=7, cache_path_root=str(tmp_path / "cache")) as cache:
        first = user.initiate_chat(assistant, message="same question", cache=cache)
        second = user.initiate_chat(assistant, message="same question", cache=cache)
    assert len(llm_server.chat_requests()) == 1  # the second answer came from the cache
    assert first.summary == second.summary == "cached answer "
    including = second.cost["usage_including_cached_inference"]["gpt-4"]["total_tokens"]
    excluding = second.cost["usage_excluding_cached_inference"]["gpt-4"]["total_tokens"]
    assert including == 2 * excluding
    assert assistant.client_cache is None  # the chat's cache is only used during the chat


class EchoClient:
    """A custom ModelClient (no network)."""

    def __init__(self, config: dict, **kwargs: Any) -> None:
        self.prefix = kwargs.get("prefix", "")

    def create(self, params: dict) -> Any:
        text = self.prefix + params["messages"][-1]["content"] + " TERMINATE"
        message = SimpleNamespace(content=text, tool_calls=None, function_call=None)
        return SimpleNamespace(choices=[SimpleNamespace(message=message)], model="echo-1", usage=None, cost=0.0)

    def message_retrieval(self, response: Any) -> list:
        return [choice.message.content for choice in response.choices]

    def cost(self, response: Any) -> float:
        return 0.0

    @staticmethod
    def get_usage(response: Any) -> dict:
        return {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "cost": 0.0, "model": "echo-1"}


def test_custom_model_client() -> None:
    config = {"config_list": [{"model": "echo-1", "model_client_cls": "EchoClient"}], "cache_seed": None}
    assistant = ConversableAgent(
        "assistant", is_termination_msg=ends_with_terminate, llm_config=config, human_input_mode="NEVER"
    )
    assistant.register_model_client(EchoClient, prefix="echo: ")
    user = ConversableAgent("user", is_termination_msg=ends_with_terminate, human_input_mode="NEVER")
    with IOStream.set_default(ScriptedIO()):
        result = user.initiate_chat(assistant, message="hello")
        async_result = asyncio.run(user.a_initiate_chat(assistant, message="again"))
    assert result.summary == "echo: hello "
    assert async_result.summary == "echo: again "


def test_templated_message_context(llm_server: Any, llm_config: dict) -> None:
    llm_server.script("TERMINATE")
    assistant = ConversableAgent(
        "assistant", llm_config={**llm_config, "allow_format_str_template": True}, human_input_mode="NEVER"
    )
    user = ConversableAgent("user", human_input_mode="NEVER")
    io = ScriptedIO()
    with IOStream.set_default(io):
        user.initiate_chat(assistant, message={"content": "Tell me about {topic}.", "context": {"topic": "owls"}})
    assert llm_server.chat_requests()[0]["messages"][-1]["content"] == "Tell me about owls."
    assert "Tell me about owls." in io.output  # shown instantiated too
    assert assistant.chat_messages[user][0]["context"] == {"topic": "owls"}


def test_client_is_built_on_first_use_and_can_be_replaced(llm_config: dict) -> None:
    agent = ConversableAgent("a", llm_config=llm_config)
    assert agent._client is None
    client = agent.client
    assert client is not None and agent.client is client
    agent.client = None
    assert agent.client is None
    assert agent.generate_oai_reply(messages=[{"content": "x"}]) == (False, None)

"""LLamaIndexConversableAgent on the real llama-index-core: a FunctionAgent (workflow agent with a tool) and a chat
engine, each driven by an OpenAI-compatible LLM (llama-index's OpenAILike over the real openai SDK) pointed at the
local test server."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest

pytest.importorskip("llama_index.core")
pytest.importorskip("llama_index.llms.openai_like")

from llama_index.core.agent.workflow import FunctionAgent  # noqa: E402
from llama_index.core.chat_engine import SimpleChatEngine  # noqa: E402
from llama_index.core.tools import FunctionTool  # noqa: E402
from llama_index.llms.openai_like import OpenAILike  # noqa: E402

from autogen import ConversableAgent  # noqa: E402
from autogen.agentchat.contrib.llamaindex_conversable_agent import LLamaIndexConversableAgent  # noqa: E402

# llama-index's workflows inspect their pydantic agents' members, which pydantic reports as deprecated access.
pytestmark = pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning")


def _llm(llm_server: Any) -> OpenAILike:
    return OpenAILike(
        model="gpt-4",
        api_base=llm_server.base_url,
        api_key="test",
        is_chat_model=True,
        is_function_calling_model=True,
        context_window=8192,
        max_retries=0,
    )


def _user() -> ConversableAgent:
    return ConversableAgent("user", llm_config=False, human_input_mode="NEVER")


def test_function_agent_answers_with_its_tool(llm_server: Any) -> None:
    calls: List[str] = []

    def find_location(city: str) -> str:
        """Look up where a city is."""
        calls.append(city)
        return f"{city} is in the north of Zorbland."

    agent = FunctionAgent(tools=[FunctionTool.from_defaults(find_location)], llm=_llm(llm_server))
    trip = LLamaIndexConversableAgent("trip_specialist", llama_index_agent=agent, description="Plans trips.")
    llm_server.script(
        {"tool_calls": [{"name": "find_location", "arguments": {"city": "Quixville"}}]},
        "Quixville is in the north; take the train.",
    )
    user = _user()
    result = user.initiate_chat(trip, message="Where is Quixville?", max_turns=1)
    assert result.summary == "Quixville is in the north; take the train."
    assert calls == ["Quixville"]
    first, second = llm_server.chat_requests()
    assert first["messages"][-1] == {"role": "user", "content": "Where is Quixville?"}
    assert any(t["function"]["name"] == "find_location" for t in first["tools"])
    assert second["messages"][-1]["role"] == "tool"
    assert second["messages"][-1]["content"] == "Quixville is in the north of Zorbland."


def test_chat_engine_gets_the_conversation_as_history(llm_server: Any) -> None:
    engine = SimpleChatEngine.from_defaults(llm=_llm(llm_server))
    agent = LLamaIndexConversableAgent("helper", llama_index_agent=engine, description="Answers questions.")
    user = _user()
    llm_server.script("First answer.", "Second answer.")
    user.initiate_chat(agent, message="First question?", max_turns=1)
    user.initiate_chat(agent, message="Second question?", max_turns=1, clear_history=False)
    sent = llm_server.chat_requests()[1]["messages"]
    assert [(m["role"], m["content"]) for m in sent if m["role"] != "system"] == [
        ("user", "First question?"),
        ("assistant", "First answer."),
        ("user", "Second question?"),
    ]


def test_async_chat(llm_server: Any) -> None:
    engine = SimpleChatEngine.from_defaults(llm=_llm(llm_server))
    agent = LLamaIndexConversableAgent("helper", llama_index_agent=engine, description="Answers questions.")
    workflow_agent = LLamaIndexConversableAgent(
        "planner", llama_index_agent=FunctionAgent(tools=[], llm=_llm(llm_server)), description="Plans."
    )
    llm_server.script("Async answer.", "Planned.")

    async def main() -> Dict[str, Any]:
        first = await _user().a_initiate_chat(agent, message="Hello?", max_turns=1)
        second = await _user().a_initiate_chat(workflow_agent, message="Plan it.", max_turns=1)
        return {"first": first.summary, "second": second.summary}

    assert asyncio.run(main()) == {"first": "Async answer.", "second": "Planned."}


def test_arguments_are_checked(llm_server: Any) -> None:
    engine = SimpleChatEngine.from_defaults(llm=_llm(llm_server))
    with pytest.raises(ValueError, match="llama_index_agent must be provided"):
        LLamaIndexConversableAgent("x", llama_index_agent=None, description="d")
    with pytest.raises(ValueError, match="description must be provided"):
        LLamaIndexConversableAgent("x", llama_index_agent=engine, description="  ")
    with pytest.raises(ValueError, match="LlamaIndex agent or chat engine"):
        LLamaIndexConversableAgent("x", llama_index_agent=object(), description="d")

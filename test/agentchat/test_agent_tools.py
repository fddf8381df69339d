"""Tools end to end: schemas in the request, parallel/async calls, errors returned to the LLM, pydantic args."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from helpers import ScriptedIO, ends_with_terminate
from pydantic import BaseModel
from typing_extensions import Annotated

from autogen import ConversableAgent, register_function
from autogen.agentchat.errors import LLMConfigRequiredError
from autogen.io.base import IOStream


@pytest.fixture
def io() -> Any:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def agents(llm_config: dict) -> tuple[ConversableAgent, ConversableAgent]:
    assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
    executor = ConversableAgent(
        "executor", human_input_mode="NEVER", max_consecutive_auto_reply=5, is_termination_msg=ends_with_terminate
    )
    return assistant, executor


class Point(BaseModel):
    x: int
    y: int


def test_parallel_tool_calls_and_errors_go_back_to_the_llm(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    assistant, executor = agents(llm_config)

    @executor.register_for_execution()
    @assistant.register_for_llm(description="Add two numbers.")
    def add(a: Annotated[int, "first"], b: int) -> int:
        return a + b

    @executor.register_for_execution()
    @assistant.register_for_llm(description="Always fails.")
    def broken() -> str:
        raise RuntimeError("disk on fire")

    def norm(p: Point) -> float:
        return float(abs(p.x) + abs(p.y))

    register_function(norm, caller=assistant, executor=executor, description="Manhattan norm of a point.")

    llm_server.script(
        {
            "tool_calls": [
                {"name": "add", "arguments": {"a": 2, "b": 3}, "id": "c1"},
                {"name": "norm", "arguments": {"p": {"x": -1, "y": 4}}, "id": "c2"},
                {"name": "add", "arguments": "{not json", "id": "c3"},
                {"name": "missing", "arguments": "{}", "id": "c4"},
                {"name": "broken", "arguments": "{}", "id": "c5"},
            ]
        },
        "Results received. TERMINATE",
    )
    result = executor.initiate_chat(assistant, message="compute")

    first_request = llm_server.chat_requests()[0]
    names = [tool["function"]["name"] for tool in first_request["tools"]]
    assert names == ["add", "broken", "norm"]
    add_schema = first_request["tools"][0]["function"]
    assert add_schema["parameters"]["properties"]["a"] == {"type": "integer", "description": "first"}

    tool_message = result.chat_history[2]
    assert tool_message["role"] == "tool"
    responses = tool_message["tool_responses"]
    assert [r["tool_call_id"] for r in responses] == ["c1", "c2", "c3", "c4", "c5"]  # the order of the calls
    assert responses[0]["content"] == "5"
    assert responses[1]["content"] == "5.0"
    assert responses[2]["content"].startswith("Error:") and responses[2]["content"].endswith(
        "The argument must be in JSON format."
    )
    assert "Function missing not found" in responses[3]["content"]
    assert responses[4]["content"] == "Error: disk on fire"
    assert tool_message["content"] == "\n\n".join(r["content"] for r in responses)

    # the LLM got one tool message per call, right after the assistant's tool calls
    sent = llm_server.chat_requests()[1]["messages"]
    assert [m["role"] for m in sent[-6:]] == ["assistant", "tool", "tool", "tool", "tool", "tool"]
    assert sent[-5] == {"tool_call_id": "c1", "role": "tool", "content": "5"}
    assert result.chat_history[-1]["content"] == "Results received. TERMINATE"
    # printed readably
    assert "Suggested tool call (c1): add" in io.output
    assert ">>>>>>>> EXECUTING FUNCTION add..." in io.output
    assert "Response from calling tool (c2)" in io.output


def test_async_tools_run_concurrently_in_async_chats(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    assistant, executor = agents(llm_config)

    # Each call waits until all three calls have begun: they can only all finish when they run at the same time
    # (run one after the other, the first would give up and say "alone").
    begun: list[str] = []
    together = {"wanted": 3}

    def everyone_here() -> bool:
        return len(begun) >= together["wanted"]

    @executor.register_for_execution()
    @assistant.register_for_llm(description="Wait, then echo.")
    async def slow_echo(text: str) -> str:
        begun.append(text)
        for _ in range(3000):
            if everyone_here():
                return text.upper()
            await asyncio.sleep(0.01)
        return "alone"

    @executor.register_for_execution()
    @assistant.register_for_llm(description="Blocking wait, then echo.")
    def blocking_echo(text: str) -> str:
        begun.append(text)
        for _ in range(3000):
            if everyone_here():
                return text
            time.sleep(0.01)
        return "alone"

    calls = {
        "tool_calls": [
            {"name": "slow_echo", "arguments": {"text": "a"}, "id": "1"},
            {"name": "slow_echo", "arguments": {"text": "b"}, "id": "2"},
            {"name": "blocking_echo", "arguments": {"text": "c"}, "id": "3"},
        ]
    }
    llm_server.script(calls, "TERMINATE")
    result = asyncio.run(executor.a_initiate_chat(assistant, message="go"))
    assert [r["content"] for r in result.chat_history[2]["tool_responses"]] == ["A", "B", "c"]  # all overlapped

    # a sync chat runs the async tool too (not skipped), one call after the other
    begun.clear()
    together["wanted"] = 1
    llm_server.script(calls, "TERMINATE")
    result = executor.initiate_chat(assistant, message="go")
    assert [r["content"] for r in result.chat_history[2]["tool_responses"]] == ["A", "B", "c"]


def test_legacy_function_call(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    assistant, executor = agents(llm_config)

    @executor.register_for_execution(name="mul")
    @assistant.register_for_llm(name="mul", description="Multiply.", api_style="function")
    def multiply(a: int, b: int) -> int:
        return a * b

    llm_server.script({"function_call": {"name": "mul", "arguments": {"a": 6, "b": 7}}}, "TERMINATE")
    result = executor.initiate_chat(assistant, message="6*7?")
    assert llm_server.chat_requests()[0]["functions"][0]["name"] == "mul"
    assert result.chat_history[2] == {"name": "mul", "role": "function", "content": "42"}
    assert "Suggested function call: mul" in io.output
    assert llm_server.chat_requests()[1]["messages"][-1] == {"name": "mul", "role": "function", "content": "42"}


def test_tool_registration_api(llm_config: dict) -> None:
    assistant, executor = agents(llm_config)
    no_llm = ConversableAgent("no_llm")

    def f(x: int) -> int:
        """Square a number."""
        return x * x

    with pytest.raises(LLMConfigRequiredError, match="llm_config"):
        no_llm.register_for_llm()(f)
    assistant.register_for_llm()(f)  # the docstring is the description
    assert assistant.llm_config["tools"][0]["function"]["description"] == "Square a number."
    with pytest.warns(UserWarning, match="overridden"):
        assistant.register_for_llm(description="Square it.")(f)
    assert len(assistant.llm_config["tools"]) == 1
    assistant.update_tool_signature("f", is_remove=True)
    assert "tools" not in assistant.llm_config
    with pytest.raises(ValueError, match="Only letters"):
        assistant.register_for_llm(name="bad name", description="x")(f)

    executor.register_for_execution()(f)
    assert executor.can_execute_function("f") and not executor.can_execute_function(["f", "g"])
    assert executor.function_map["f"]._origin is f
    ok, result = executor.execute_function({"name": "f", "arguments": json.dumps({"x": 3})})
    assert ok and result == {"name": "f", "role": "function", "content": "9"}
    ok, result = executor.execute_function({"name": "f", "arguments": "[1]"})
    assert not ok and result["content"].startswith("Error")
    executor.register_function({"f": None})
    assert not executor.can_execute_function("f")


def test_registering_tools_never_changes_a_shared_config(llm_config: dict) -> None:
    a = ConversableAgent("a", llm_config=llm_config)
    b = ConversableAgent("b", llm_config=llm_config)
    a.register_for_llm(name="one", description="d")(lambda: 1)
    assert "tools" not in llm_config and "tools" not in b.llm_config

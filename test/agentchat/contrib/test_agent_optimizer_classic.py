"""The AgentOptimizer blog snippet, run as written against the local server, and the classic module names."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import pytest
from helpers import ScriptedIO
from llm_server import LLMServer
from test_agent_optimizer import MULTIPLY, assistant_model  # the scripted assistant of the optimizer tests

import autogen
from autogen.agentchat.contrib import agent_optimizer
from autogen.agentchat.contrib.agent_optimizer import AgentOptimizer
from autogen.io.base import IOStream


@pytest.fixture(autouse=True)
def _setup(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "False")  # the functions run in a local process
    with IOStream.set_default(ScriptedIO()):
        yield


def scripted_models(optimizer_answers: List[Any]) -> Any:
    """The optimizer model answers in turn; the assistant guesses, or calls multiply when offered it."""

    def respond(body: Dict[str, Any]) -> Any:
        if any(t["function"]["name"] == "add_function" for t in body.get("tools", [])):
            return optimizer_answers.pop(0)
        return assistant_model(body)

    return respond


def test_the_blog_training_loop_runs_as_written(llm_server: LLMServer) -> None:
    add = {"tool_calls": [{"name": "add_function", "arguments": MULTIPLY}]}
    remove = {"tool_calls": [{"name": "remove_function", "arguments": {"name": "multiply"}}]}
    llm_server.responder = scripted_models([add, "The functions are fine.", remove])
    config_list = llm_server.config_list("gpt-4-1106-preview")
    llm_config = {"config_list": config_list, "cache_seed": None}
    assistant = autogen.AssistantAgent(name="assistant", system_message="You solve arithmetic.", llm_config=llm_config)
    user_proxy = autogen.UserProxyAgent(
        name="user_proxy",
        human_input_mode="NEVER",
        code_execution_config=False,
        is_termination_msg=lambda x: "TERMINATE" in (x.get("content") or ""),
        max_consecutive_auto_reply=3,
    )
    train_data = [
        {"question": "What is 6 times 7?", "answer": "42"},
        {"question": "What is 5 times 9?", "answer": "45"},
    ]

    # ---- the blog's loop
    EPOCH = 3
    optimizer = AgentOptimizer(max_actions_per_step=3, llm_config=llm_config)
    accuracy = []
    for i in range(EPOCH):  # noqa: B007  (as in the blog)
        correct = 0
        for problem in train_data:
            user_proxy.initiate_chat(assistant, message=problem["question"], clear_history=True)
            history = assistant.chat_messages_for_summary(user_proxy)
            is_correct = problem["answer"] in history[-1]["content"]
            correct += is_correct
            optimizer.record_one_conversation(history, is_satisfied=is_correct)
        accuracy.append(correct / len(train_data))
        register_for_llm, register_for_exector = optimizer.step()
        for item in register_for_llm:
            assistant.update_function_signature(**item)
        if len(register_for_exector.keys()) > 0:
            user_proxy.register_function(function_map=register_for_exector)

    # epoch 1 guessed; the function added after it made epochs 2 and 3 right (it ran in its own process);
    # the removal proposed after epoch 3 reached the agents through update_function_signature / register_function
    assert accuracy == [0.0, 1.0, 1.0]
    assert "functions" not in assistant.llm_config
    assert user_proxy.function_map.get("multiply") is None
    assert optimizer.max_actions_per_step == 3


def test_classic_module_names() -> None:
    assert agent_optimizer.ADD_FUNC["function"]["name"] == "add_function"
    assert agent_optimizer.REVISE_FUNC["function"]["name"] == "revise_function"
    assert agent_optimizer.REMOVE_FUNC["function"]["name"] == "remove_function"
    assert "{conversations}" in agent_optimizer.OPT_PROMPT
    assert AgentOptimizer.ADD_FUNC is agent_optimizer.ADD_FUNC
    code = "import math\n\ndef hypot(x, y):\n    return math.hypot(x, y)\n"
    assert agent_optimizer.execute_func("hypot", "", code, x=3, y=4).strip() == "5.0"
    with pytest.raises(RuntimeError, match="failed"):
        agent_optimizer.execute_func("boom", "", "def boom():\n    raise ValueError('no')\n")


def test_removing_by_name_dict_or_string(llm_server: LLMServer) -> None:
    assistant = autogen.AssistantAgent("a", llm_config=llm_server.llm_config())
    signature = {"name": "f", "description": "F.", "parameters": {"type": "object", "properties": {}}}
    assistant.update_function_signature(signature, is_remove=False)
    assistant.update_function_signature({"name": "f"}, is_remove=True)
    assert "functions" not in assistant.llm_config
    assistant.update_function_signature(signature, is_remove=False)
    assistant.update_function_signature("f", is_remove=True)
    assert "functions" not in assistant.llm_config

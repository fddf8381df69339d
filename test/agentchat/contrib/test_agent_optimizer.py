"""AgentOptimizer against the local OpenAI-compatible server, with the optimizer model's tool calls scripted."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from helpers import ScriptedIO
from llm_server import LLMServer

from autogen import AssistantAgent, UserProxyAgent
from autogen.agentchat.contrib.agent_optimizer import AgentOptimizer
from autogen.agentchat.contrib.optimizer.execution import function_script
from autogen.agentchat.contrib.optimizer.functions import ActionRejected, check_function
from autogen.exception_utils import ConfigError
from autogen.io.base import IOStream

REPO_ROOT = Path(__file__).resolve().parents[3]
OPTIMIZER_MARK = "You improve the functions that AI agents can call"
MULTIPLY = {
    "name": "multiply",
    "description": "Multiply two integers exactly.",
    "arguments": json.dumps({"a": {"type": "integer"}, "b": {"type": "integer"}}),
    "packages": "",
    "code": "def multiply(a, b):\n    return a * b\n",
}
EXECUTION = {"use_docker": False}


@pytest.fixture(autouse=True)
def _quiet_io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def add(**fields: Any) -> Dict[str, Any]:
    return {"name": "add_function", "arguments": {**MULTIPLY, **fields}}


def revise(**fields: Any) -> Dict[str, Any]:
    return {"name": "revise_function", "arguments": {**MULTIPLY, **fields}}


def remove(name: str) -> Dict[str, Any]:
    return {"name": "remove_function", "arguments": {"name": name}}


def optimizer(llm_server: LLMServer, **kwargs: Any) -> AgentOptimizer:
    kwargs.setdefault("execution_config", EXECUTION)
    return AgentOptimizer(3, llm_server.llm_config(), optimizer_model="gpt-4", **kwargs)


def optimizer_requests(llm_server: LLMServer) -> List[Dict[str, Any]]:
    return [b for b in llm_server.chat_requests() if OPTIMIZER_MARK in b["messages"][0]["content"]]


def apply(changes: Any, caller: Any, executor: Any) -> None:
    register_for_llm, register_for_executor = changes
    for item in register_for_llm:
        caller.update_function_signature(**item)
    if register_for_executor:
        executor.register_function(function_map=register_for_executor)


def agents(llm_server: LLMServer) -> Any:
    assistant = AssistantAgent("assistant", system_message="You solve arithmetic.", llm_config=llm_server.llm_config())
    user = UserProxyAgent(
        "user",
        human_input_mode="NEVER",
        code_execution_config=False,
        max_consecutive_auto_reply=3,
        is_termination_msg=lambda m: "TERMINATE" in (m.get("content") or ""),
    )
    return assistant, user


def assistant_model(body: Dict[str, Any]) -> Any:
    """Guesses without functions; with ``multiply`` offered, calls it and reports its result."""
    if OPTIMIZER_MARK in body["messages"][0]["content"]:
        raise AssertionError("the optimizer model should be scripted")
    last = body["messages"][-1]
    if not body.get("functions"):
        return "I think it is about 40. TERMINATE"
    if last["role"] == "function":
        return f"The answer is {last['content'].strip()}. TERMINATE"
    a, b = map(int, re.findall(r"\d+", last["content"])[:2])
    return {"function_call": {"name": "multiply", "arguments": {"a": a, "b": b}}}


# --------------------------------------------------------------------------------------------- a step --
def test_a_step_adds_a_function_that_then_gets_called_in_a_chat(llm_server: LLMServer) -> None:
    assistant, user = agents(llm_server)
    llm_server.responder = assistant_model
    user.initiate_chat(assistant, message="What is 6 times 7?")
    opt = optimizer(llm_server)
    opt.record_one_conversation(assistant.chat_messages_for_summary(user), is_satisfied=False)

    llm_server.script({"content": None, "tool_calls": [add()]})
    register_for_llm, register_for_executor = opt.step()
    assert register_for_llm == [
        {
            "func_sig": {
                "name": "multiply",
                "description": "Multiply two integers exactly.",
                "parameters": {
                    "type": "object",
                    "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                    "required": ["a", "b"],
                },
            },
            "is_remove": False,
        }
    ]
    assert list(register_for_executor) == ["multiply"]
    request = optimizer_requests(llm_server)[0]
    assert request["model"] == "gpt-4" and request["tool_choice"] == "auto"
    assert [t["function"]["name"] for t in request["tools"]] == ["add_function", "revise_function", "remove_function"]
    prompt = request["messages"][0]["content"]
    assert "I think it is about 40." in prompt and "0 of 1 satisfactory" in prompt and "at most 3 change" in prompt

    apply((register_for_llm, register_for_executor), assistant, user)
    assert assistant.llm_config["functions"][0]["name"] == "multiply"
    result = user.initiate_chat(assistant, message="What is 6 times 7?")
    function_messages = [m for m in result.chat_history if m.get("role") == "function"]
    assert function_messages and function_messages[0]["content"].strip() == "42"  # ran in its own process
    assert "The answer is 42." in result.chat_history[-1]["content"]

    # a model answering with a tool call instead of a function call gets it executed the same way
    llm_server.script({"tool_calls": [{"name": "multiply", "arguments": {"a": 5, "b": 9}}]}, "45. TERMINATE")
    result = user.initiate_chat(assistant, message="What is 5 times 9?")
    tool_messages = [m for m in result.chat_history if m.get("role") == "tool"]
    assert tool_messages and tool_messages[0]["content"].strip() == "45"

    opt.record_one_conversation(assistant.chat_messages_for_summary(user), is_satisfied=True)
    llm_server.script("The functions are good as they are.")
    assert opt.step() == ([], {})  # no tool call: nothing changes
    assert [f["name"] for f in opt.functions] == ["multiply"]
    assert "multiply" in optimizer_requests(llm_server)[-1]["messages"][0]["content"]


def test_a_function_that_fails_reports_an_error_to_the_caller(llm_server: LLMServer) -> None:
    opt = optimizer(llm_server)
    opt.record_one_conversation([{"role": "user", "content": "hi"}], is_satisfied=False)
    code = "def multiply(a, b):\n    raise ValueError('no multiplying today')\n"
    llm_server.script({"tool_calls": [add(code=code)]})
    _, executors = opt.step()
    with pytest.raises(RuntimeError, match="no multiplying today"):
        executors["multiply"](a=1, b=2)  # type: ignore[misc]


def test_packages_are_installed_only_when_missing() -> None:
    spec = check_function({**MULTIPLY, "packages": "json5 requests>=2"})
    script = function_script(spec, {"a": 1, "b": 2})
    assert "['json5', 'requests>=2']" in script and "find_spec" in script
    assert script.rstrip().endswith("print(_result)")


# --------------------------------------------------------------------------------------------- rejected --
@pytest.mark.parametrize(
    "bad_call, reason",
    [
        (add(arguments=json.dumps({"a": {"type": "integer"}, "c": {"type": "integer"}})), "not parameters"),
        (add(arguments=json.dumps({"a": {"type": "integer"}})), "have no default value"),
        (add(arguments="{not json"), "not valid JSON"),
        (add(arguments=json.dumps({"a": {"type": "int"}, "b": {"type": "integer"}})), "unknown JSON-schema type"),
        (add(arguments=json.dumps({"a": "integer", "b": {"type": "integer"}})), "needs a JSON schema"),
        (add(code="def multiply(a, b)\n    return a * b\n"), "does not compile"),
        (add(code="def times(a, b):\n    return a * b\n"), "does not define the function multiply"),
        (add(code="async def multiply(a, b):\n    return a * b\n"), "not async def"),
        (add(name="multiply two"), "not a valid Python identifier"),
        (add(packages="numpy; rm -rf /"), "pip package names"),
        (add(description=""), "non-empty 'description'"),
        (revise(name="divide"), "no function named 'divide' to revise"),
        (remove("divide"), "no function named 'divide' to remove"),
        ({"name": "rename_function", "arguments": {"name": "multiply"}}, "Unknown action"),
    ],
)
def test_invalid_proposals_are_rejected_and_asked_again(llm_server: LLMServer, bad_call: Any, reason: str) -> None:
    opt = optimizer(llm_server)
    opt.record_one_conversation([{"role": "user", "content": "What is 6 times 7?"}], is_satisfied=False)
    llm_server.script({"tool_calls": [bad_call]}, {"tool_calls": [add()]})
    register_for_llm, register_for_executor = opt.step()
    assert [item["func_sig"]["name"] for item in register_for_llm] == ["multiply"]  # the corrected proposal
    retry = optimizer_requests(llm_server)[1]["messages"]
    assert [m["role"] for m in retry] == ["user", "assistant", "tool", "user"]
    assert retry[1]["tool_calls"][0]["function"]["name"] == bad_call["name"]
    assert retry[2]["content"].startswith("Rejected:") and reason in retry[2]["content"]
    assert retry[2]["tool_call_id"] == retry[1]["tool_calls"][0]["id"]
    assert reason in opt.rejections[0]


def test_a_set_with_one_bad_change_is_not_applied_and_after_the_trials_nothing_changes(llm_server: LLMServer) -> None:
    opt = optimizer(llm_server, max_trials=2)
    opt.record_one_conversation([{"role": "user", "content": "x"}], is_satisfied=False)
    bad = {"tool_calls": [add(), add(name="halve", code="def halve(x):\n    return x / 2\n")]}
    llm_server.script(bad, bad)
    assert opt.step() == ([], {})
    assert opt.functions == []
    results = [m["content"] for m in optimizer_requests(llm_server)[1]["messages"] if m["role"] == "tool"]
    assert results[0] == "Accepted." and results[1].startswith("Rejected: The argument(s) ['a', 'b']")
    assert len(optimizer_requests(llm_server)) == 2


def test_revise_and_remove_existing_functions(llm_server: LLMServer) -> None:
    opt = optimizer(llm_server)
    opt.record_one_conversation([{"role": "user", "content": "x"}], is_satisfied=False)
    llm_server.script(
        {
            "tool_calls": [
                add(),
                add(name="square", code="def square(x):\n    return x * x\n", arguments='{"x": {"type": "number"}}'),
            ]
        }
    )
    opt.step()
    assert [f["name"] for f in opt.functions] == ["multiply", "square"]

    opt.record_one_conversation([{"role": "user", "content": "x"}], is_satisfied=True)
    code = "def multiply(a, b, c=1):\n    return a * b * c\n"
    arguments = json.dumps({"a": {"type": "integer"}, "b": {"type": "integer"}, "c": {"type": "integer"}})
    llm_server.script({"tool_calls": [revise(code=code, arguments=arguments), remove("square")]})
    register_for_llm, register_for_executor = opt.step()
    assert register_for_llm[0] == {"func_sig": {"name": "square"}, "is_remove": True}
    assert register_for_llm[1]["func_sig"]["parameters"]["required"] == ["a", "b"]
    assert register_for_executor["square"] is None
    assert register_for_executor["multiply"](a=2, b=3, c=4).strip() == "24"  # type: ignore[misc]


def test_more_changes_than_allowed_are_cut(llm_server: LLMServer) -> None:
    opt = AgentOptimizer(1, llm_server.llm_config(), optimizer_model=None, execution_config=EXECUTION)
    opt.record_one_conversation([{"role": "user", "content": "x"}], is_satisfied=False)
    llm_server.script(
        {
            "tool_calls": [
                add(),
                add(name="square", code="def square(x):\n    return x * x\n", arguments='{"x": {"type": "number"}}'),
            ]
        }
    )
    register_for_llm, _ = opt.step()
    assert [item["func_sig"]["name"] for item in register_for_llm] == ["multiply"]


def test_a_worse_step_rolls_back_to_the_best_functions(llm_server: LLMServer) -> None:
    opt = optimizer(llm_server)
    opt.record_one_conversation([{"role": "user", "content": "first"}], is_satisfied=True)
    llm_server.script({"tool_calls": [add()]})
    opt.step()  # best so far: 1.0 with no functions; multiply is being tried

    opt.record_one_conversation([{"role": "user", "content": "second"}], is_satisfied=False)
    llm_server.script("No change.")
    register_for_llm, register_for_executor = opt.step()  # 0.0 < 1.0: back to no functions
    assert register_for_llm == [{"func_sig": {"name": "multiply"}, "is_remove": True}]
    assert register_for_executor == {"multiply": None}
    prompt = optimizer_requests(llm_server)[-1]["messages"][0]["content"]
    assert "Function sets that did worse" in prompt and '"name": "multiply"' in prompt
    assert "first" in prompt and "second" not in prompt  # the best conversations are shown

    opt.reset_optimizer()
    assert opt.functions == [] and opt.rejections == []
    with pytest.raises(ValueError, match="Record at least one conversation"):
        opt.step()


def test_satisfaction_asked_from_the_human(llm_server: LLMServer, _quiet_io: ScriptedIO) -> None:
    opt = optimizer(llm_server)
    _quiet_io.inputs.extend(["maybe", "1"])
    with pytest.raises(AssertionError, match="The input is invalid. Please input 1 or 0."):  # classic
        opt.record_one_conversation([{"role": "user", "content": "x"}])
    assert opt._trial_conversations_performance == []
    opt.record_one_conversation([{"role": "user", "content": "x"}])
    assert opt._trial_conversations_performance == [{"Conversation 0": 1}]


def test_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="No config for the optimizer model 'gpt-4-1106-preview'"):
        AgentOptimizer(1, {"config_list": [{"model": "gpt-4", "api_key": "x"}]})
    with pytest.raises(ConfigError, match="non-empty 'model'"):
        AgentOptimizer(1, {"config_list": []})
    with pytest.raises(ValueError, match="at least 1"):
        AgentOptimizer(0, {"config_list": [{"model": "gpt-4", "api_key": "x"}]}, optimizer_model="gpt-4")


def test_check_function_accepts_schemas_and_keyword_parameters() -> None:
    spec = check_function(
        {
            **MULTIPLY,
            "arguments": {
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": ["integer", "null"]}},
            },
            "code": "import math\n\ndef multiply(a, *, b=None, **extra):\n    return a * (b or 1)\n",
            "packages": ["sympy", "numpy==1.26"],
        }
    )
    assert spec.required == ("a",) and spec.packages == "sympy numpy==1.26"
    with pytest.raises(ActionRejected, match="positional-only"):
        check_function({**MULTIPLY, "code": "def multiply(a, b, /):\n    return a * b\n"})


# ------------------------------------------------------------------------------------------------ sample --
def _sample_model(body: Dict[str, Any]) -> Any:
    first = body["messages"][0]["content"]
    if OPTIMIZER_MARK in first:
        if "## Current functions\n(none yet)" in first:
            return {"tool_calls": [add()]}
        return "The functions are fine."
    last = body["messages"][-1]
    if not body.get("functions"):
        return "ANSWER: 100 TERMINATE"
    if last["role"] == "function":
        return f"ANSWER: {last['content'].strip()} TERMINATE"
    a, b = map(int, re.findall(r"\d+", last["content"])[:2])
    return {"function_call": {"name": "multiply", "arguments": {"a": a, "b": b}}}


def test_agent_optimizer_sample_trains_over_epochs(llm_server: LLMServer, tmp_path: Path) -> None:
    llm_server.responder = _sample_model
    config_file = tmp_path / "configs.json"
    config_file.write_text(json.dumps(llm_server.config_list()))
    env = {
        **os.environ,
        "OAI_CONFIG_LIST": str(config_file),
        "PYTHONPATH": str(REPO_ROOT),
        "AUTOGEN_USE_DOCKER": "False",
    }
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "samples" / "contrib" / "agent_optimizer.py"), "--epochs", "2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "epoch 1: 0/3 answers right" in done.stdout
    assert "functions after epoch 1: multiply" in done.stdout
    assert "epoch 2: 3/3 answers right" in done.stdout
    assert "satisfaction per epoch: 0.00, 1.00" in done.stdout

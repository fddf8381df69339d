"""The reply registry: classic layout, triggers, overrides of public methods, import cost."""

from __future__ import annotations

import inspect
import subprocess
import sys
from typing import Any

import pytest
from helpers import ScriptedIO

from autogen import Agent, ConversableAgent, UserProxyAgent
from autogen.agentchat.errors import InvalidTriggerError
from autogen.agentchat.reply_registry import match_trigger, validate_trigger
from autogen.exception_utils import SenderRequired
from autogen.io.base import IOStream


def test_classic_layout() -> None:
    agent = ConversableAgent("a")  # code execution off (the default): no code-execution entry, as classic
    funcs = [entry["reply_func"] for entry in agent._reply_func_list]
    assert funcs == [
        ConversableAgent.a_check_termination_and_human_reply,
        ConversableAgent.check_termination_and_human_reply,
        ConversableAgent.a_generate_function_call_reply,
        ConversableAgent.generate_function_call_reply,
        ConversableAgent.a_generate_tool_calls_reply,
        ConversableAgent.generate_tool_calls_reply,
        ConversableAgent.a_generate_oai_reply,
        ConversableAgent.generate_oai_reply,
    ]
    assert all(entry["trigger"] == [Agent, None] for entry in agent._reply_func_list)
    other = ConversableAgent("b")
    assert other._reply_func_list[0] is not agent._reply_func_list[0]  # each agent owns its registry
    runner = UserProxyAgent("runner", code_execution_config={"work_dir": "coding", "use_docker": False})
    funcs = [entry["reply_func"] for entry in runner._reply_func_list]
    assert funcs[6:] == [
        ConversableAgent.generate_code_execution_reply,
        ConversableAgent.a_generate_oai_reply,
        ConversableAgent.generate_oai_reply,
    ]


def test_triggers() -> None:
    alice, bob = ConversableAgent("alice"), ConversableAgent("bob")
    assert match_trigger(None, None) and not match_trigger(None, alice)
    assert match_trigger("alice", alice) and not match_trigger("alice", bob)
    assert match_trigger(ConversableAgent, alice) and match_trigger(Agent, alice)
    assert match_trigger(alice, alice) and not match_trigger(alice, bob)
    assert match_trigger(lambda s: s.name.startswith("b"), bob)
    assert match_trigger(["nobody", bob], bob) and not match_trigger([], bob)
    with pytest.raises(SenderRequired):
        match_trigger("alice", None)
    with pytest.raises(InvalidTriggerError, match="must return a bool"):
        match_trigger(lambda s: "yes", alice)
    for bad in (3, 2.5, [alice, 7], {"name": "x"}):
        with pytest.raises(InvalidTriggerError):
            validate_trigger(bad)


def test_reset_restores_reply_configs() -> None:
    agent = ConversableAgent("a")
    agent.register_reply(Agent, lambda *a, **k: (False, None), config={"n": 0})
    agent._reply_func_list[0]["config"]["n"] = 5
    agent.reset()
    assert agent._reply_func_list[0]["config"] == {"n": 0}
    resets: list[Any] = []
    agent.register_reply(Agent, lambda *a, **k: (False, None), config=[1], reset_config=resets.append)
    agent.reset()
    assert resets == [[1]]


def test_overridden_public_methods_are_called(llm_server: Any, llm_config: dict) -> None:
    calls: list[str] = []

    class Loud(ConversableAgent):
        def receive(self, message: Any, sender: Any, request_reply: Any = None, silent: Any = False) -> None:
            calls.append("receive")
            super().receive(message, sender, request_reply, silent)

        def generate_reply(self, messages: Any = None, sender: Any = None, **kwargs: Any) -> Any:
            calls.append("generate_reply")
            return super().generate_reply(messages, sender, **kwargs)

    llm_server.script("one", "TERMINATE")
    loud = Loud("loud", human_input_mode="NEVER", default_auto_reply="more")
    assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
    with IOStream.set_default(ScriptedIO()):
        loud.initiate_chat(assistant, message="hi")
    assert calls == ["receive", "generate_reply", "receive", "generate_reply"]

    patched = ConversableAgent("patched", human_input_mode="ALWAYS")
    patched.get_human_input = lambda prompt: "from patch"  # type: ignore[method-assign]
    assert patched.generate_reply(messages=[{"content": "x"}], sender=assistant) == {
        "role": "user",
        "content": "from patch",
    }


def test_long_chats_do_not_grow_the_stack(llm_server: Any, llm_config: dict) -> None:
    llm_server.responder = lambda body: "again"
    assistant = ConversableAgent(
        "assistant", llm_config=llm_config, human_input_mode="NEVER", max_consecutive_auto_reply=1000
    )
    user = ConversableAgent("user", human_input_mode="NEVER", default_auto_reply="go", max_consecutive_auto_reply=300)
    depth = len(inspect.stack(0))
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 250)  # a chat that nested frames per message would need thousands here
    try:
        with IOStream.set_default(ScriptedIO()):
            result = user.initiate_chat(assistant, message="start", silent=True)
    finally:
        sys.setrecursionlimit(old)
    assert len(result.chat_history) == 602


def test_import_is_cheap() -> None:
    code = (
        "import sys, autogen, autogen.agentchat.conversable_agent as m;"
        "m.ConversableAgent('a', llm_config={'config_list': [{'model': 'gpt-4', 'api_key': 'x'}]});"
        "print(sorted(x for x in ('openai', 'pydantic', 'docker', 'tiktoken', 'asyncio') if x in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"

"""ConversableAgent end to end through the local OpenAI-compatible server (real openai SDK over HTTP)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from helpers import ScriptedIO, ends_with_terminate

from autogen import Agent, ConversableAgent
from autogen.agentchat.errors import InvalidMessageError, InvalidTriggerError, ReplyFunctionError
from autogen.exception_utils import ConfigError
from autogen.io.base import IOStream


@pytest.fixture
def io() -> Any:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def make_pair(llm_config: dict, **user_kwargs: Any) -> tuple[ConversableAgent, ConversableAgent]:
    assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
    user_kwargs.setdefault("human_input_mode", "NEVER")
    user_kwargs.setdefault("is_termination_msg", ends_with_terminate)
    user = ConversableAgent("user", llm_config=False, default_auto_reply="continue", **user_kwargs)
    return user, assistant


def test_two_agent_chat_until_terminate(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    llm_server.script("Working on it.", "Done. TERMINATE")
    user, assistant = make_pair(llm_config)
    result = user.initiate_chat(assistant, message="Solve it.")

    assert [m["content"] for m in result.chat_history] == ["Solve it.", "Working on it.", "continue", "Done. TERMINATE"]
    assert [m["role"] for m in result.chat_history] == ["assistant", "user", "assistant", "user"]
    assert result.summary == "Done. "
    # the assistant sees the same chat from its side, and sends it after its system message
    assert [m["role"] for m in assistant.chat_messages[user]] == ["user", "assistant", "user", "assistant"]
    last_request = llm_server.chat_requests()[-1]
    assert last_request["messages"] == [
        {"content": "You are a helpful AI Assistant.", "role": "system"},
        {"content": "Solve it.", "role": "user", "name": "user"},
        {"content": "Working on it.", "role": "assistant", "name": "assistant"},
        {"content": "continue", "role": "user", "name": "user"},
    ]
    assert len(llm_server.chat_requests()) == 2
    # classic printing: "sender (to recipient):", content, a rule
    assert "user (to assistant):\n\nSolve it.\n\n" + "-" * 80 in io.output
    assert "assistant (to user):\n\nDone. TERMINATE" in io.output
    assert result.cost["usage_including_cached_inference"]["gpt-4"]["total_tokens"] > 0


def test_max_turns_bounds_the_exchange(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    llm_server.responder = lambda body: "more"
    user, assistant = make_pair(llm_config)
    result = user.initiate_chat(assistant, message="go", max_turns=3)
    assert len(result.chat_history) == 6
    assert len(llm_server.chat_requests()) == 3
    # an exchange can also end early: the assistant terminates the user's side
    llm_server.reset()
    llm_server.script("first", "TERMINATE")
    result = user.initiate_chat(assistant, message="go", max_turns=5)
    assert [m["content"] for m in result.chat_history][-1] == "TERMINATE"
    assert len(result.chat_history) == 4


def test_max_consecutive_auto_reply(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    llm_server.responder = lambda body: "again"
    user, assistant = make_pair(llm_config, max_consecutive_auto_reply=2)
    result = user.initiate_chat(assistant, message="start")
    # user answers twice automatically, then stops (NEVER mode): 1 + (reply, auto) * 2 + final reply
    assert len(result.chat_history) == 6
    assert user.max_consecutive_auto_reply() == 2 and user.max_consecutive_auto_reply(assistant) == 2
    user.update_max_consecutive_auto_reply(0, assistant)
    assert user.max_consecutive_auto_reply(assistant) == 0


def test_invalid_message_is_a_clear_error(llm_config: dict, io: ScriptedIO) -> None:
    user, assistant = make_pair(llm_config)
    with pytest.raises(InvalidMessageError, match="content or function_call must be provided"):
        user.send({"role": "user"}, assistant)
    with pytest.raises(ValueError):  # InvalidMessageError is a ValueError, as in classic AutoGen
        user.initiate_chat(assistant, message={"content": None})


def test_construction_errors() -> None:
    with pytest.raises(ConfigError, match="human_input_mode"):
        ConversableAgent("a", human_input_mode="SOMETIMES")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="llm_config"):
        ConversableAgent("a", llm_config="gpt-4")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="model"):
        ConversableAgent("a", llm_config={"config_list": []})
    with pytest.raises(InvalidTriggerError, match="trigger"):
        ConversableAgent("a").register_reply(42, lambda *a, **k: (True, "x"))


def test_defaults_and_identity() -> None:
    agent = ConversableAgent("a", system_message="Be brief.")
    assert agent.description == "Be brief." and agent.system_message == "Be brief."
    agent.update_system_message("Be long.")
    assert agent.system_message == "Be long." and agent.description == "Be brief."
    assert agent.client is None and agent.llm_config is False
    assert isinstance(agent, Agent)
    config = {"config_list": [{"model": "gpt-4", "api_key": "k"}]}
    other = ConversableAgent("b", llm_config=config)
    assert other.llm_config == config and other.llm_config is not config


def test_custom_reply_functions_positions_and_triggers(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    user, assistant = make_pair(llm_config, max_consecutive_auto_reply=1)
    seen: list[Any] = []

    def by_class(recipient: ConversableAgent, messages: Any = None, sender: Any = None, config: Any = None) -> Any:
        seen.append(("class", config))
        return False, None

    def by_name(recipient: ConversableAgent, messages: Any = None, sender: Any = None, config: Any = None) -> Any:
        return True, f"custom reply to {messages[-1]['content']}"

    assistant.register_reply(ConversableAgent, by_class, config={"k": 1})
    assistant.register_reply("nobody", lambda *a, **k: (True, "never"))
    assistant.register_reply(lambda sender: sender.name == "user", by_name, position=2)  # after by_class
    assert assistant._reply_func_list[0]["reply_func"] is not by_name
    result = user.initiate_chat(assistant, message="ping")
    assert result.chat_history[1]["content"] == "custom reply to ping"
    assert seen and seen[0] == ("class", {"k": 1})
    assert llm_server.chat_requests() == []  # the custom reply came before the LLM one
    # position at the end of the list: the LLM answers first
    late = ConversableAgent("late", llm_config=llm_config, human_input_mode="NEVER")
    late.register_reply([Agent, None], lambda *a, **k: (True, "fallback"), position=len(late._reply_func_list))
    llm_server.script("from llm")
    assert late.generate_reply(messages=[{"role": "user", "content": "x"}]) == "from llm"
    assert late.generate_reply(messages=[{"content": "x"}], exclude=[ConversableAgent.generate_oai_reply]) == "fallback"


def test_reply_function_must_return_a_pair() -> None:
    agent = ConversableAgent("a")
    agent.register_reply([Agent, None], lambda *a, **k: "oops")
    with pytest.raises(ReplyFunctionError, match="tuple"):
        agent.generate_reply(messages=[{"content": "x"}])


def test_async_reply_function_in_sync_chat(llm_config: dict, io: ScriptedIO) -> None:
    user, assistant = make_pair(llm_config, max_consecutive_auto_reply=0)

    async def async_reply(recipient: Any, messages: Any = None, sender: Any = None, config: Any = None) -> Any:
        await asyncio.sleep(0.01)
        return True, "from async"

    assistant.register_reply(Agent, async_reply)
    result = user.initiate_chat(assistant, message="hi")  # not silently skipped: it runs
    assert result.chat_history[1]["content"] == "from async"

    skipped = ConversableAgent("skipped", human_input_mode="NEVER", default_auto_reply="default")
    skipped.register_reply(Agent, async_reply, ignore_async_in_sync_chat=True)
    assert skipped.generate_reply(messages=[{"content": "x"}], sender=user) == "default"
    assert asyncio.run(skipped.a_generate_reply(messages=[{"content": "x"}], sender=user)) == "from async"


def test_async_chat(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    llm_server.script("one", "two TERMINATE")
    user, assistant = make_pair(llm_config)
    result = asyncio.run(user.a_initiate_chat(assistant, message="hi"))
    assert [m["content"] for m in result.chat_history] == ["hi", "one", "continue", "two TERMINATE"]


def test_hooks(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    llm_server.script("answer TERMINATE")
    user, assistant = make_pair(llm_config)
    assistant.register_hook("process_last_received_message", lambda content: content.upper())
    assistant.register_hook(
        "process_all_messages_before_reply", lambda messages: [*messages, {"role": "user", "content": "extra"}]
    )
    sent: list[Any] = []

    def before_send(sender: Any, message: Any, recipient: Any, silent: Any) -> Any:
        sent.append((sender.name, recipient.name))
        return message + " (edited)" if isinstance(message, str) else message

    user.register_hook("process_message_before_send", before_send)
    result = user.initiate_chat(assistant, message="question")
    request = llm_server.chat_requests()[0]["messages"]
    assert request[-2]["content"] == "QUESTION (EDITED)" and request[-1]["content"] == "extra"
    assert result.chat_history[0]["content"] == "question (edited)"  # hooks don't rewrite the stored history
    assert assistant.chat_messages[user][0]["content"] == "question (edited)"
    assert sent == [("user", "assistant")]
    with pytest.raises(ValueError, match="not a hookable method"):
        user.register_hook("before_everything", before_send)
    with pytest.raises(ValueError, match="already registered"):
        user.register_hook("process_message_before_send", before_send)


def test_usage_summaries_after_a_chat(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    llm_server.script({"content": "TERMINATE", "usage": {"prompt_tokens": 10, "completion_tokens": 5}})
    user, assistant = make_pair(llm_config)
    result = user.initiate_chat(assistant, message="hi")
    usage = assistant.get_actual_usage()
    assert usage is not None and usage["gpt-4"]["prompt_tokens"] == 10 and usage["gpt-4"]["completion_tokens"] == 5
    assert assistant.get_total_usage() == usage
    assert user.get_total_usage() is None
    assert result.cost["usage_excluding_cached_inference"]["gpt-4"]["total_tokens"] == 15
    assert result.cost["usage_excluding_cached_inference"]["total_cost"] > 0
    assistant.print_usage_summary()
    assert "Agent 'assistant':" in io.output
    user.print_usage_summary()
    assert "No cost incurred from agent 'user'." in io.output


def test_history_helpers(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    llm_server.responder = lambda body: "TERMINATE"
    user, assistant = make_pair(llm_config)
    user.initiate_chat(assistant, message="hi")
    assert user.last_message()["content"] == "TERMINATE"
    assert user.last_message(assistant)["content"] == "TERMINATE"
    stranger = ConversableAgent("stranger")
    with pytest.raises(KeyError, match="stranger"):
        user.last_message(stranger)
    user.initiate_chat(stranger, message="hello", max_turns=1)
    with pytest.raises(ValueError, match="More than one conversation"):
        user.last_message()
    user.clear_history(nr_messages_to_preserve=1)  # the classic keyword
    assert len(user.chat_messages[assistant]) == 1
    user.reset()
    assert user.chat_messages == {}
    # chat results are snapshots: a later chat does not change them
    first = user.initiate_chat(assistant, message="one")
    user.initiate_chat(assistant, message="two")
    assert first.chat_history[0]["content"] == "one"


def test_silent_chat_prints_nothing(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    llm_server.script("TERMINATE")
    user, assistant = make_pair(llm_config)
    user.initiate_chat(assistant, message="hi", silent=True)
    assert io.output == ""

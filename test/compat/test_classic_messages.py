"""The classic AutoGen 0.2 texts of errors, warnings and printed notices.

0.2-era code matches on them (``pytest.raises(..., match=...)``, ``"..." in str(e)``, log and console
checks), so each of our messages starts with (or contains) the classic sentence verbatim, keeps the classic
exception type, and adds our guidance after it. The sentences below were taken from pyautogen 0.2.35 by
running it side by side with this package on the same input.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from helpers import ScriptedIO

import autogen
from autogen import ConversableAgent, GroupChat, GroupChatManager, OpenAIWrapper
from autogen.cache import Cache
from autogen.coding import CodeBlock, LocalCommandLineCodeExecutor
from autogen.coding.func_with_reqs import FunctionWithRequirements
from autogen.exception_utils import AgentNameConflict, InvalidCarryOverType, NoEligibleSpeaker
from autogen.graph_utils import check_graph_validity
from autogen.io import IOStream
from autogen.token_count_utils import count_token


def agent(name: str, **kwargs: Any) -> ConversableAgent:
    kwargs.setdefault("llm_config", False)
    kwargs.setdefault("human_input_mode", "NEVER")
    return ConversableAgent(name, **kwargs)


def classic(sentence: str) -> str:
    """A ``match=`` pattern for a classic sentence taken literally."""
    return re.escape(sentence)


# ----- agent configuration


def test_llm_config_of_the_wrong_type() -> None:
    with pytest.raises(AssertionError, match=classic("llm_config must be a dict or False or None.")):
        agent("a", llm_config=5)


def test_code_execution_config_of_the_wrong_type() -> None:
    with pytest.raises(ValueError, match=classic("code_execution_config must be a dict or False.")):
        agent("a", code_execution_config=5)


def test_code_execution_config_none_is_deprecated() -> None:
    with pytest.warns(UserWarning) as caught:
        agent("a", code_execution_config=None)
    assert (
        "Using None to signal a default code_execution_config is deprecated. "
        "Use {} to use default or False to disable code execution."
    ) in [str(w.message) for w in caught]


def test_no_warning_for_false_or_a_dict() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        agent("a", code_execution_config=False)
        agent("b", code_execution_config={"use_docker": False})


@pytest.mark.parametrize(("key", "value"), [("use_docker", False), ("work_dir", "elsewhere"), ("timeout", 5)])
def test_executor_settings_beside_an_executor(tmp_path: Path, key: str, value: Any) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path)
    sentence = (
        f"'{key}' in code_execution_config is not valid when 'executor' is set. "
        "Use the appropriate arg in the chosen executor instead"
    )
    with pytest.raises(ValueError, match=classic(sentence)) as raised:
        agent("a", code_execution_config={"executor": executor, key: value})
    # the fix names what to do with this key (executors take no use_docker argument)
    fix = {"use_docker": "DockerCommandLineCodeExecutor", "work_dir": "work_dir=...", "timeout": "timeout=..."}[key]
    assert fix in str(raised.value)


def test_last_n_messages_out_of_range() -> None:
    sentence = "last_n_messages must be either a non-negative integer, or the string 'auto'."
    with pytest.raises(ValueError, match=classic(sentence)):
        agent("a", code_execution_config={"last_n_messages": -1, "use_docker": False})


def test_invalid_function_names() -> None:
    with pytest.raises(ValueError, match=classic("Invalid name: a b. Only letters, numbers, '_' and '-' are allowed.")):
        agent("a").register_function({"a b": print})
    long_name = "f" * 70
    with pytest.raises(ValueError, match=classic(f"Invalid name: {long_name}. Name must be less than 64 characters.")):
        agent("a", llm_config={"config_list": [{"model": "m", "api_key": "k"}]}).update_tool_signature(
            {"type": "function", "function": {"name": long_name, "parameters": {}}}, is_remove=False
        )


def test_overriding_a_function_warns() -> None:
    executor = agent("a")
    executor.register_function({"add": lambda a, b: a + b})
    with pytest.warns(UserWarning, match=classic("Function 'add' is being overridden.")):
        executor.register_function({"add": lambda a, b: b + a})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        executor.register_function({"times": lambda a, b: a * b})  # a new name: no warning


def test_unsupported_api_style() -> None:
    with pytest.raises(ValueError, match=classic("Unsupported API style: foo")):
        agent("a", llm_config={"config_list": [{"model": "m", "api_key": "k"}]}).register_for_llm(
            description="d",
            api_style="foo",  # type: ignore[arg-type]
        )


def test_update_signature_errors() -> None:
    llm = agent("a", llm_config={"config_list": [{"model": "m", "api_key": "k"}]})
    with pytest.raises(AssertionError, match=classic("The agent config doesn't have tool f.")):
        llm.update_tool_signature("f", is_remove=True)
    with pytest.raises(AssertionError, match=classic("The agent config doesn't have function f.")):
        llm.update_function_signature("f", is_remove=True)
    with pytest.raises(KeyError):  # our earlier type, kept as a base
        llm.update_tool_signature("f", is_remove=True)
    sentence = "The tool signature must be of the type dict. Received tool signature type <class 'str'>"
    with pytest.raises(ValueError, match=classic(sentence)):
        llm.update_tool_signature("f", is_remove=False)
    sentence = "The function signature must be of the type dict. Received function signature type <class 'str'>"
    with pytest.raises(ValueError, match=classic(sentence)):
        llm.update_function_signature("f", is_remove=False)


def test_register_for_llm_with_llm_config_none() -> None:
    helper = agent("a")
    helper.llm_config = None  # type: ignore[assignment]
    with pytest.raises(RuntimeError, match=classic("LLM config must be setup before registering a function for LLM.")):

        @helper.register_for_llm(description="adds")
        def add(a: int, b: int) -> int:
            return a + b


def test_trigger_that_does_not_return_a_bool() -> None:
    def trigger(sender: Any) -> str:
        return "yes"

    receiver, sender = agent("a"), agent("b")
    receiver.register_reply(trigger, lambda *args, **kwargs: (True, "hi"))
    with pytest.raises(AssertionError, match=classic(f"trigger {trigger} must return a boolean value.")):
        receiver.generate_reply([{"role": "user", "content": "x"}], sender)


def test_nested_chat_reply_function_not_callable() -> None:
    with pytest.raises(ValueError, match=classic("reply_func_from_nested_chats must be a callable")):
        agent("a").register_nested_chats(
            [{"recipient": agent("b"), "message": "x"}],
            trigger=agent("c"),
            reply_func_from_nested_chats=5,  # type: ignore[arg-type]
        )


def test_carryover_of_the_wrong_type() -> None:
    sender, recipient = agent("a"), agent("b", default_auto_reply="ok")
    with pytest.raises(InvalidCarryOverType, match=classic("Carryover should be a string or a list of strings.")):
        sender.initiate_chat(recipient, message="hi", max_turns=1, carryover=5)


def test_clear_history_notice() -> None:
    first, second = agent("a"), agent("b", default_auto_reply="ok")
    io = ScriptedIO()
    with IOStream.set_default(io):
        first.initiate_chat(second, message="hi", max_turns=1)
        first.clear_history(second, nr_messages_to_preserve=1)
    assert "WARNING: `nr_preserved_messages` is ignored when clearing chat history with a specific agent." in io.output
    assert first.chat_messages[second] == []


def test_reflection_summary_without_any_llm() -> None:
    sender, recipient = agent("a"), agent("b", default_auto_reply="ok")
    sentence = "llm client must be set in either the recipient or sender when summary_method is reflection_with_llm"
    with pytest.raises(AssertionError, match=classic(sentence)):
        sender.initiate_chat(recipient, message="hi", max_turns=1, summary_method="reflection_with_llm")


@pytest.mark.parametrize(
    ("summary_args", "sentence"),
    [
        ({"summary_prompt": 5}, "The summary_prompt must be a string."),
        ({"summary_role": 5}, "The summary_role in summary_arg must be a string."),
    ],
)
def test_reflection_summary_arguments(
    llm_server: Any, llm_config: dict[str, Any], summary_args: dict[str, Any], sentence: str
) -> None:
    sender = ConversableAgent("a", llm_config=llm_config, human_input_mode="NEVER")
    recipient = agent("b", default_auto_reply="ok")
    with pytest.raises(ValueError, match=classic(sentence)):
        sender.initiate_chat(
            recipient, message="hi", max_turns=1, summary_method="reflection_with_llm", summary_args=summary_args
        )
    assert llm_server.chat_requests() == []  # rejected before any request


def test_multimodal_agent_prints_images_as_placeholders() -> None:
    from autogen.agentchat.contrib.multimodal_conversable_agent import MultimodalConversableAgent

    image = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    viewer = MultimodalConversableAgent("viewer", llm_config=False, human_input_mode="NEVER")
    io = ScriptedIO()
    with IOStream.set_default(io):
        viewer.receive(f"What is this? <img {image}> thanks", agent("u"), request_reply=False)
    assert "What is this? <image> thanks" in io.output
    assert "base64" not in io.output


# ----- tool execution banners (through the real OpenAI SDK and the local server)


def test_function_banners_sync_and_async(llm_server: Any, llm_config: dict[str, Any]) -> None:
    assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
    user = agent("user", is_termination_msg=lambda m: "TERMINATE" in (m.get("content") or ""))

    def add(a: int, b: int) -> int:
        return a + b

    async def times(a: int, b: int) -> int:
        await asyncio.sleep(0)
        return a * b

    autogen.register_function(add, caller=assistant, executor=user, description="adds")
    autogen.register_function(times, caller=assistant, executor=user, description="multiplies")
    llm_server.script(
        {"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 2}}]},
        {"tool_calls": [{"name": "times", "arguments": {"a": 3, "b": 4}}]},
        "TERMINATE",
    )
    io = ScriptedIO()
    with IOStream.set_default(io):
        user.initiate_chat(assistant, message="compute", max_turns=3)
    assert ">>>>>>>> EXECUTING FUNCTION add..." in io.output
    assert ">>>>>>>> EXECUTING ASYNC FUNCTION times..." in io.output
    contents = [m.get("content") for m in user.chat_messages[assistant] if m.get("role") == "tool"]
    assert contents == ["3", "12"]


# ----- group chat settings and speaker selection


def team() -> list[ConversableAgent]:
    return [agent("planner"), agent("coder"), agent("critic")]


@pytest.mark.parametrize(
    ("kwargs", "sentence"),
    [
        ({"allow_repeat_speaker": 5}, "GroupChat allow_repeat_speaker should be a bool or a list of Agents."),
        ({"max_retries_for_selecting_speaker": "x"}, "max_retries_for_selecting_speaker cannot be None or non-int"),
        ({"select_speaker_auto_verbose": None}, "select_speaker_auto_verbose cannot be None or non-bool"),
        (
            {"select_speaker_auto_multiple_template": ""},
            "select_speaker_auto_multiple_template cannot be empty or None.",
        ),
        ({"select_speaker_auto_none_template": None}, "select_speaker_auto_none_template cannot be empty or None."),
    ],
)
def test_bad_group_chat_settings(kwargs: dict[str, Any], sentence: str) -> None:
    with pytest.raises(ValueError, match=classic(sentence)):
        GroupChat(team(), [], **kwargs)


def test_bad_transition_settings() -> None:
    planner, coder, critic = members = team()
    graph = {planner: [coder], coder: [critic], critic: [planner]}
    sentence = (
        "GroupChat allowed_or_disallowed_speaker_transitions is not None, but speaker_transitions_type is None. "
        "Please set speaker_transitions_type to either 'allowed' or 'disallowed'."
    )
    with pytest.raises(ValueError, match=classic(sentence)):
        GroupChat(members, [], allowed_or_disallowed_speaker_transitions=graph)
    sentence = (
        "GroupChat speaker_transitions_type is set to 'foo'. It should be one of ['allowed', 'disallowed', None] "
        "(case insensitive)."
    )
    with pytest.raises(ValueError, match=classic(sentence)):
        GroupChat(members, [], allowed_or_disallowed_speaker_transitions=graph, speaker_transitions_type="foo")  # type: ignore[arg-type]
    sentence = (
        "GroupChat speaker_selection_method is set to 'loudest'. "
        "It should be one of ['auto', 'manual', 'random', 'round_robin'] (case insensitive). "
    )
    with pytest.raises(ValueError, match=classic(sentence)):
        GroupChat(members, [], speaker_selection_method="loudest")  # type: ignore[arg-type]
    sentence = (
        "Don't provide both allowed_or_disallowed_speaker_transitions and allow_repeat_speaker in group chat. "
        "Please set one of them to None."
    )
    with pytest.raises(ValueError, match=classic(sentence)):
        GroupChat(
            members,
            [],
            allowed_or_disallowed_speaker_transitions=graph,
            speaker_transitions_type="allowed",
            allow_repeat_speaker=False,
        )


def test_graph_checks() -> None:
    planner, coder, _ = team()
    with pytest.raises(ValueError, match=classic("allowed_speaker_transitions_dict must be a dictionary.")):
        check_graph_validity(5, [planner])  # type: ignore[arg-type]
    sentence = "allowed_speaker_transitions_dict must be a dictionary with lists as values."
    with pytest.raises(ValueError, match=classic(sentence)):
        check_graph_validity({planner: 5}, [planner])  # type: ignore[dict-item]
    with pytest.raises(ValueError, match=classic("allowed_speaker_transitions_dict has keys not in agents.")):
        check_graph_validity({coder: [planner]}, [planner])
    sentence = "allowed_speaker_transitions_dict has values that are not lists of Agents."
    with pytest.raises(ValueError, match=classic(sentence)):
        check_graph_validity({planner: [5]}, [planner])  # type: ignore[list-item]


def test_custom_selection_function_results() -> None:
    members, outsider = team(), agent("outsider")
    chat = GroupChat(members, [], speaker_selection_method=lambda last, gc: outsider)
    sentence = "Custom speaker selection function returned an agent outsider not in the group chat."
    with pytest.raises(ValueError, match=classic(sentence)):
        chat.select_speaker(members[0], agent("selector"))
    chat.speaker_selection_method = lambda last, gc: 5
    sentence = "Custom speaker selection function returned an object of type <class 'int'> instead of Agent or str."
    with pytest.raises(ValueError, match=classic(sentence)):
        chat.select_speaker(members[0], agent("selector"))
    chat.speaker_selection_method = lambda last, gc: None
    sentence = "Custom speaker selection function returned None. Terminating conversation."
    with pytest.raises(NoEligibleSpeaker, match=classic(sentence)):
        chat.select_speaker(members[0], agent("selector"))


def test_underpopulated_group_chats(caplog: pytest.LogCaptureFixture) -> None:
    solo = agent("solo")
    sentence = (
        "GroupChat is underpopulated with 1 agents. "
        "Please add more agents to the GroupChat or use direct communication instead."
    )
    with pytest.raises(ValueError, match=classic(sentence)):
        GroupChat([solo], []).select_speaker(solo, agent("selector"))
    pair = GroupChat([agent("a"), agent("b")], [], speaker_selection_method="random")
    with caplog.at_level(logging.WARNING):
        pair.select_speaker(pair.agents[0], agent("selector"))
    assert (
        "GroupChat is underpopulated with 2 agents. Consider setting speaker_selection_method to 'round_robin' or "
        "allow_repeat_speaker to False, or use direct communication, unless repeated speaker is desired."
    ) in caplog.text


def test_agent_name_conflict() -> None:
    chat = GroupChat([agent("twin"), agent("twin"), agent("other")], [])
    with pytest.raises(AgentNameConflict, match=classic("Found multiple agents with the same name.")):
        chat.agent_by_name("twin", raise_on_name_conflict=True)


def test_pending_call_nobody_can_execute() -> None:
    members = team()
    chat = GroupChat(members, [])
    chat.messages.append({"role": "assistant", "name": "coder", "content": None, "function_call": {"name": "div"}})
    sentence = "No agent can execute the function div. Please check the function_map of the agents."
    with pytest.raises(ValueError, match=classic(sentence)):
        chat.select_speaker(members[1], agent("selector"))


def test_manual_selection_gives_up_after_three_tries() -> None:
    chat = GroupChat(team(), [])
    io = ScriptedIO(["x", "9", "-1"])
    with IOStream.set_default(io):
        assert chat.manual_select_speaker() is None
    assert io.prompts[0] == "Enter the number of the next speaker (enter nothing or `q` to use auto selection): "
    assert "Invalid input. Please enter a number between 1 and 3." in io.output
    assert "You have tried 3 times. The next speaker will be selected automatically." in io.output


def test_auto_selection_notices(llm_server: Any, llm_config: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    members = team()
    chat = GroupChat(members, [], select_speaker_auto_verbose=True, max_retries_for_selecting_speaker=2)
    manager = GroupChatManager(chat, llm_config=llm_config)
    llm_server.script("coder and critic", "nobody", "critic")
    io = ScriptedIO()
    with IOStream.set_default(io):
        assert chat.select_speaker(members[0], manager) is members[2]
    assert ">>>>>>>> Select speaker attempt 1 of 3 failed as it included multiple agent names." in io.output
    assert ">>>>>>>> Select speaker attempt #2 failed as it did not include any agent names." in io.output
    assert ">>>>>>>> Select speaker attempt 3 of 3 successfully selected: critic" in io.output

    llm_server.script("nobody")
    chat.max_retries_for_selecting_speaker = 0
    with caplog.at_level(logging.WARNING), IOStream.set_default(ScriptedIO()):
        assert chat.select_speaker(members[0], manager) is members[1]  # next in order
    assert (
        "GroupChat select_speaker failed to resolve the next speaker's name. This is because the speaker "
        "selection OAI call returned:\nnobody"
    ) in caplog.text


def test_manager_with_tools() -> None:
    sentence = (
        "GroupChatManager is not allowed to make function/tool calls. Please remove the 'functions' or 'tools' "
        "config in 'llm_config' you passed in."
    )
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    with pytest.raises(ValueError, match=classic(sentence)):
        GroupChatManager(
            GroupChat(team(), []), llm_config={"config_list": [{"model": "m", "api_key": "k"}], "tools": tools}
        )


def test_resume_errors_and_warning(caplog: pytest.LogCaptureFixture) -> None:
    members = team()
    manager = GroupChatManager(
        GroupChat(members, [], max_round=1), llm_config=False, is_termination_msg=lambda m: "DONE" in m["content"]
    )
    sentence = (
        "Cannot resume group chat as no messages were provided. Use GroupChatManager.run_chat or "
        "ConversableAgent.initiate_chat to start a new chat."
    )
    with pytest.raises(Exception, match=classic(sentence)):
        manager.resume(messages=[])
    with pytest.raises(Exception, match=classic("Messages is not of type str or List[Dict]")):
        manager.resume(messages=5)  # type: ignore[arg-type]
    with pytest.raises(Exception, match=classic("Messages string is not a valid JSON string")):
        manager.resume(messages="{not json")
    with caplog.at_level(logging.WARNING), IOStream.set_default(ScriptedIO()):
        manager.resume(messages=[{"role": "user", "name": "planner", "content": "we are DONE"}])
    assert "WARNING: Last message meets termination criteria and this may terminate the chat." in caplog.text


def test_concurrent_chats_need_unique_ids() -> None:
    sender = agent("a")
    chats = [
        {"sender": sender, "recipient": agent(name), "message": "x", "max_turns": 1, "chat_id": 1} for name in "bc"
    ]
    sentence = "Each chat must have a unique id for async multi-chat execution."
    with pytest.raises(ValueError, match=classic(sentence)):
        asyncio.run(autogen.a_initiate_chats(chats))


# ----- OpenAIWrapper, costs, configs


def test_prompt_and_messages_together(llm_config: dict[str, Any]) -> None:
    wrapper = OpenAIWrapper(**llm_config)
    sentence = "Either prompt or messages should be in create config but not both."
    with pytest.raises(ValueError, match=classic(sentence)):
        wrapper.create(prompt="x", messages=[{"role": "user", "content": "x"}])


def test_model_client_registration(caplog: pytest.LogCaptureFixture) -> None:
    class Custom:
        def __init__(self, config: dict[str, Any], **kwargs: Any) -> None:
            self.config = config

    plain = OpenAIWrapper(config_list=[{"model": "m", "api_key": "k"}])
    sentence = (
        'Model client "Custom" is being registered but was not found in the config_list. Please make sure to '
        'include an entry in the config_list with "model_client_cls": "Custom"'
    )
    with pytest.raises(ValueError, match=classic(sentence)):
        plain.register_model_client(Custom)
    with caplog.at_level(logging.INFO):
        custom = OpenAIWrapper(config_list=[{"model": "m", "model_client_cls": "Custom"}])
    assert (
        "Detected custom model client in config: Custom, model client can not be used until register_model_client "
        "is called."
    ) in caplog.text
    with caplog.at_level(logging.WARNING):
        custom.register_model_client(Custom)
        custom.register_model_client(Custom)
    assert (
        "Model client Custom is already registered. Add more entries in the config_list to use multiple model clients."
    ) in caplog.text


def test_usage_summary_texts(llm_server: Any, tmp_path: Path) -> None:
    config = llm_server.llm_config()["config_list"]
    llm_server.script("hello")
    with Cache.disk(cache_path_root=str(tmp_path / "cache")) as cache:
        OpenAIWrapper(config_list=config).create(messages=[{"role": "user", "content": "hi"}], cache=cache)
        cached_only = OpenAIWrapper(config_list=config)
        cached_only.create(messages=[{"role": "user", "content": "hi"}], cache=cache)
    io = ScriptedIO()
    with IOStream.set_default(io):
        cached_only.print_usage_summary()
    assert "No actual cost incurred (all completions are using cache)." in io.output
    assert len(llm_server.chat_requests()) == 1  # the second answer came from the cache
    with pytest.raises(
        ValueError, match=classic('Invalid mode: nope, choose from "actual", "total", ["actual", "total"]')
    ):
        cached_only.print_usage_summary(mode="nope")


def test_cost_warnings(llm_server: Any, caplog: pytest.LogCaptureFixture) -> None:
    llm_server.script("one", "two")
    with caplog.at_level(logging.WARNING):
        OpenAIWrapper(config_list=llm_server.config_list(model="house-model-x")).create(
            messages=[{"role": "user", "content": "hi"}], cache_seed=None
        )
        OpenAIWrapper(config_list=llm_server.config_list(model="house-model-y", price=1)).create(
            messages=[{"role": "user", "content": "hi"}], cache_seed=None
        )
    assert "Model house-model-x is not found. The cost will be 0." in caplog.text
    assert (
        "Input price is a float/int. Using the same price for prompt and completion tokens. "
        "Use a list/tuple if prompt and completion token prices are different."
    ) in caplog.text


def test_timeout(llm_server: Any) -> None:
    llm_server.script({"content": "late", "delay": 1.0})
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(timeout=0.2, max_retries=0))
    sentence = (
        "OpenAI API call timed out. This could be due to congestion or too small a timeout value. The timeout can "
        "be specified by setting the 'timeout' value (in seconds) in the llm_config"
    )
    with pytest.raises(TimeoutError, match=classic(sentence)):
        wrapper.create(messages=[{"role": "user", "content": "hi"}], cache_seed=None)


def test_missing_provider_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "groq", None)  # as if the package were not installed
    with pytest.raises(ImportError, match=classic("Please install `groq` to use the Groq API.")):
        OpenAIWrapper(config_list=[{"api_type": "groq", "model": "llama3-8b-8192", "api_key": "k"}]).create(
            messages=[{"role": "user", "content": "hi"}]
        )


def test_dotenv_and_key_file_notices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    env = tmp_path / ".env"
    env.write_text("SOME_OTHER=1\n")
    with caplog.at_level(logging.INFO):
        autogen.config_list_from_dotenv(
            dotenv_file_path=str(env), model_api_key_map={"gpt-4": "NOT_SET_ANYWHERE", "odd": 5}
        )
        autogen.config_list_openai_aoai(key_file_path=str(tmp_path / "keys"))
    assert "API key not found or empty for model gpt-4. Please ensure path to .env file is correct." in caplog.text
    assert "Unsupported type <class 'int'> for model odd configuration" in caplog.text
    assert (
        "OPENAI_API_KEY is not found in os.environ and key_openai.txt is not found in the specified path. "
        "You can specify the api_key in the config_list."
    ) in caplog.text


def test_assistant_with_file_search_resources_and_file_ids(llm_server: Any) -> None:
    import openai

    from autogen.oai.openai_utils import create_gpt_assistant

    client = openai.OpenAI(base_url=llm_server.base_url, api_key="sk-test")
    config = {
        "tools": [{"type": "file_search"}],
        "tool_resources": {"file_search": {"vector_store_ids": ["vs_1"]}},
        "file_ids": ["file-a"],
    }
    sentence = "Cannot specify both `tool_resources['file_search']` tool and `file_ids` in the assistant config."
    with pytest.raises(ValueError, match=classic(sentence)):
        create_gpt_assistant(client, "helper", "Be brief.", "gpt-4", config)
    assert llm_server.requests == []  # refused before anything was sent


def test_count_token_input_type() -> None:
    with pytest.raises(ValueError, match=classic("input must be str, list or dict, but we got <class 'int'>")):
        count_token(5)  # type: ignore[arg-type]


# ----- code executors and functions with requirements


def test_local_executor_restart_warns(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match=classic("Restarting local command line code executor is not supported.")):
        LocalCommandLineCodeExecutor(work_dir=tmp_path).restart()


def test_functions_module_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=classic("Module name must be a valid Python identifier")):
        LocalCommandLineCodeExecutor(work_dir=tmp_path, functions_module="not-a-module")


def test_function_from_source_text() -> None:
    with pytest.raises(ValueError, match=classic("The string must contain exactly one function")):
        FunctionWithRequirements.from_str("def a():\n    pass\n\ndef b():\n    pass\n")
    one = FunctionWithRequirements.from_str("def a():\n    pass\n")
    with pytest.raises(
        NotImplementedError, match=classic("String based function with requirement objects are not directly callable")
    ):
        one()


def test_functions_that_fail_to_load(tmp_path: Path) -> None:
    broken = FunctionWithRequirements.from_str(
        "def broken() -> None:\n    pass\n", global_imports=["module_that_does_not_exist_xyz"]
    )
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path, functions=[broken])
    result = executor.execute_code_blocks([CodeBlock(code="print(1)", language="python")])
    assert result.exit_code == 1
    assert result.output.startswith("Functions failed to load:")
    assert "module_that_does_not_exist_xyz" in result.output

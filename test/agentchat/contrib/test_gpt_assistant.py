"""GPTAssistantAgent through the real openai SDK against the local server's Assistants API."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any, Iterator

import pytest
from helpers import ScriptedIO

from autogen import ConversableAgent, GroupChat, GroupChatManager, UserProxyAgent
from autogen.agentchat.contrib import assistant_run
from autogen.agentchat.contrib.assistant_utils import (
    assistant_create_params,
    matching_assistants,
    retrieve_assistants_by_name,
    split_configs,
    thread_message,
    tool_signature,
)
from autogen.agentchat.contrib.gpt_assistant_agent import AssistantRunError, GPTAssistantAgent
from autogen.exception_utils import ConfigError
from autogen.io.base import IOStream

ADD_TOOL = {
    "type": "function",
    "function": {
        "name": "add",
        "description": "Add two integers.",
        "parameters": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    },
}
FAST = {"check_every_ms": 1}


@pytest.fixture(autouse=True)
def _quiet_io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def requests_to(server: Any, method: str, suffix: str) -> list:
    return [r for r in server.requests if r.method == method and r.path.endswith(suffix)]


def header(request: Any, name: str) -> str:
    return {k.lower(): v for k, v in request.headers.items()}[name]


def run_requests(server: Any) -> list:
    return [r for r in server.requests if r.method == "POST" and r.path.endswith("/runs")]


def user_proxy(**kwargs: Any) -> UserProxyAgent:
    kwargs.setdefault("max_consecutive_auto_reply", 0)
    return UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, **kwargs)


def make_agent(llm_config: dict, name: str = "analyst", **kwargs: Any) -> GPTAssistantAgent:
    kwargs.setdefault("instructions", "You are an analyst.")
    kwargs.setdefault("assistant_config", dict(FAST))
    return GPTAssistantAgent(name, llm_config=llm_config, **kwargs)


# --------------------------------------------------------------------------------- lifecycle --
def test_create_assistant_and_run_a_thread_to_completion(llm_server: Any, llm_config: dict) -> None:
    tools = [{"type": "code_interpreter"}, {"type": "file_search"}, ADD_TOOL]
    agent = make_agent(llm_config, assistant_config={**FAST, "tools": tools, "description": "crunches numbers"})
    created = requests_to(llm_server, "POST", "/assistants")
    assert len(created) == 1
    body = created[0].body
    assert body["name"] == "analyst" and body["instructions"] == "You are an analyst." and body["model"] == "gpt-4"
    assert body["tools"] == tools and body["description"] == "crunches numbers"
    assert header(created[0], "openai-beta") == "assistants=v2"
    assert agent.assistant_id == agent.openai_assistant.id
    assert agent.assistant_id in llm_server.assistants.assistants
    assert agent.get_assistant_instructions() == "You are an analyst."
    assert agent.system_message == "You are an analyst."
    assert agent.can_execute_function("add") is False

    llm_server.script("The answer is 42.")
    user = user_proxy()
    result = user.initiate_chat(agent, message="What is six times seven?")
    assert result.summary == "The answer is 42."
    thread = agent.oai_threads[user]
    assert [m["role"] for m in llm_server.assistants.thread_messages(thread.id)] == ["user", "assistant"]
    request = llm_server.assistants.model_requests[-1]
    assert request["messages"][0] == {"role": "system", "content": "You are an analyst."}
    assert request["messages"][-1] == {"role": "user", "content": "What is six times seven?"}
    assert request["assistant_id"] == agent.assistant_id
    assert isinstance(agent.openai_client.base_url.host, str)


def test_assistant_reused_by_id_and_by_name(llm_server: Any, llm_config: dict) -> None:
    first = make_agent(llm_config, assistant_config={**FAST, "tools": [ADD_TOOL]})
    assistant_id = first.assistant_id

    by_id = GPTAssistantAgent("other name", llm_config=llm_config, assistant_config={"assistant_id": assistant_id})
    assert by_id.assistant_id == assistant_id
    assert by_id.system_message == "You are an analyst."  # taken from the assistant
    by_name = make_agent(llm_config, assistant_config={**FAST, "tools": [ADD_TOOL]})
    assert by_name.assistant_id == assistant_id
    assert len(requests_to(llm_server, "POST", "/assistants")) == 1

    # other tools or other instructions under the same name: a new assistant
    other_tools = make_agent(llm_config, assistant_config={**FAST, "tools": [{"type": "code_interpreter"}]})
    other_text = make_agent(llm_config, instructions="Be brief.", assistant_config={**FAST, "tools": [ADD_TOOL]})
    assert len({assistant_id, other_tools.assistant_id, other_text.assistant_id}) == 3
    # no instructions given: any instructions match
    assert make_agent(llm_config, instructions=None, assistant_config={"tools": [ADD_TOOL]}).assistant_id in (
        assistant_id,
        other_text.assistant_id,
    )
    assert {a.id for a in retrieve_assistants_by_name(first.openai_client, "analyst")} == {
        assistant_id,
        other_tools.assistant_id,
        other_text.assistant_id,
    }


def test_overwrite_instructions_and_tools(llm_server: Any, llm_config: dict, caplog: Any) -> None:
    original = make_agent(llm_config, assistant_config={**FAST, "tools": [ADD_TOOL]})
    config = {**FAST, "assistant_id": original.assistant_id, "tools": [{"type": "code_interpreter"}]}
    with caplog.at_level(logging.WARNING):
        kept = GPTAssistantAgent("analyst", instructions="Be terse.", llm_config=llm_config, assistant_config=config)
    assert "overwrite_instructions is False" in caplog.text and "overwrite_tools is False" in caplog.text
    stored = llm_server.assistants.assistants[original.assistant_id]
    assert stored["instructions"] == "You are an analyst." and stored["tools"] == [ADD_TOOL]
    assert not requests_to(llm_server, "POST", f"/assistants/{original.assistant_id}")
    # the given instructions still apply to this agent's runs
    llm_server.script("ok")
    kept.generate_reply([{"role": "user", "content": "hi"}])
    assert llm_server.assistants.model_requests[-1]["messages"][0]["content"] == "Be terse."

    updated = GPTAssistantAgent(
        "analyst",
        instructions="Be terse.",
        llm_config=llm_config,
        assistant_config={**config, "file_ids": ["file-1"]},
        overwrite_instructions=True,
        overwrite_tools=True,
    )
    assert updated.assistant_id == original.assistant_id
    assert stored["instructions"] == "Be terse." and stored["tools"] == [{"type": "code_interpreter"}]
    assert stored["tool_resources"] == {"code_interpreter": {"file_ids": ["file-1"]}}
    assert updated.get_assistant_instructions() == "Be terse."


def test_file_tools_are_passed_through(llm_server: Any, llm_config: dict) -> None:
    config = {**FAST, "tools": [{"type": "retrieval"}, {"type": "code_interpreter"}], "file_ids": ["file-a"]}
    make_agent(llm_config, assistant_config=config)
    body = requests_to(llm_server, "POST", "/assistants")[0].body
    assert body["tools"] == [{"type": "file_search"}, {"type": "code_interpreter"}]
    assert body["tool_resources"] == {
        "code_interpreter": {"file_ids": ["file-a"]},
        "file_search": {"vector_stores": [{"file_ids": ["file-a"]}]},
    }
    resources = {"file_search": {"vector_store_ids": ["vs_1"]}}
    make_agent(
        llm_config, name="searcher", assistant_config={"tools": [{"type": "file_search"}], "tool_resources": resources}
    )
    assert requests_to(llm_server, "POST", "/assistants")[1].body["tool_resources"] == resources


def test_citations_and_images_in_the_reply(llm_server: Any, llm_config: dict) -> None:
    agent = make_agent(llm_config)
    file_id = llm_server.assistants.add_file("report.pdf")
    llm_server.script(
        {
            "content": "Revenue grew 5%【4:0†source】.",
            "annotations": [{"text": "【4:0†source】", "file_id": file_id}, {"text": "5%", "file_id": "file-gone"}],
        }
    )
    _, reply = agent._invoke_assistant([{"role": "user", "content": "revenue?"}])
    assert reply["content"] == "Revenue grew  [1] [0].\n\n[0] cited from report.pdf\n[1] cited from file-gone"


# ------------------------------------------------------------------------------------ runs --
def test_polls_a_run_in_progress(llm_server: Any, llm_config: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    agent = make_agent(llm_config, assistant_config={"check_every_ms": 30})
    llm_server.assistants.polls = 3
    llm_server.script("done after polling")
    waits: list = []
    real_sleep = time.sleep
    monkeypatch.setattr(time, "sleep", lambda seconds: (waits.append(seconds), real_sleep(seconds))[1])
    reply = agent.generate_reply([{"role": "user", "content": "slow one"}])
    monkeypatch.setattr(time, "sleep", real_sleep)
    assert reply["content"] == "done after polling"
    retrievals = [r for r in llm_server.requests if r.method == "GET" and "/runs/" in r.path]
    assert len(retrievals) == 4  # three times in progress, then completed
    assert [w for w in waits if w == 0.03] == [0.03] * 4  # check_every_ms before each of the four polls
    # a scripted reply can set its own number of polls
    llm_server.script({"content": "quick", "polls": 0})
    assert agent.generate_reply([{"role": "user", "content": "fast one"}])["content"] == "quick"
    assert len([r for r in llm_server.requests if r.method == "GET" and "/runs/" in r.path]) == 4


def test_requires_action_runs_the_tools_and_submits_their_outputs(llm_server: Any, llm_config: dict) -> None:
    calls: list = []

    def add(a: int, b: int) -> int:
        calls.append((a, b))
        return a + b

    agent = make_agent(llm_config, assistant_config={**FAST, "tools": [ADD_TOOL]}, function_map={"add": add})
    llm_server.assistants.polls = 1
    llm_server.script(
        {
            "tool_calls": [
                {"name": "add", "arguments": {"a": 2, "b": 3}, "id": "call_a"},
                {"name": "add", "arguments": '{"a": 10, "b": 20}', "id": "call_b"},
                {"name": "missing", "arguments": "{}", "id": "call_c"},
            ]
        },
        {"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 1}, "id": "call_d"}]},
        "Sums: 5 and 30.",
    )
    reply = agent.generate_reply([{"role": "user", "content": "add things"}])
    assert reply == {"role": "assistant", "content": "Sums: 5 and 30."}
    assert calls == [(2, 3), (10, 20), (1, 1)]
    submitted = requests_to(llm_server, "POST", "/submit_tool_outputs")
    assert len(submitted) == 2
    outputs = {o["tool_call_id"]: o["output"] for o in submitted[0].body["tool_outputs"]}
    assert outputs["call_a"] == "5" and outputs["call_b"] == "30"
    assert outputs["call_c"].startswith("Error: Function missing not found")
    # the model saw the tool outputs
    last = llm_server.assistants.model_requests[-1]["messages"]
    assert {"role": "tool", "tool_call_id": "call_d", "content": "2"} in last


def test_tools_registered_for_execution_and_async_tools(llm_server: Any, llm_config: dict) -> None:
    agent = make_agent(llm_config, assistant_config={**FAST, "tools": [ADD_TOOL]})

    @agent.register_for_execution()
    async def add(a: int, b: int) -> int:
        await asyncio.sleep(0)
        return a + b

    llm_server.script({"tool_calls": [{"name": "add", "arguments": {"a": 4, "b": 4}}]}, "eight")
    assert agent.generate_reply([{"role": "user", "content": "4+4"}])["content"] == "eight"
    assert requests_to(llm_server, "POST", "/submit_tool_outputs")[0].body["tool_outputs"][0]["output"] == "8"


def test_failed_and_other_run_outcomes(llm_server: Any, llm_config: dict, caplog: Any) -> None:
    agent = make_agent(llm_config)
    llm_server.script({"status": 429, "content": "You exceeded your current quota."})
    with pytest.raises(AssistantRunError) as info:
        agent.generate_reply([{"role": "user", "content": "hi"}])
    assert info.value.status == "failed"
    assert "rate_limit_exceeded: You exceeded your current quota." in str(info.value)
    assert isinstance(info.value, ValueError)  # classic raised ValueError

    llm_server.script({"run_status": "expired"})
    with pytest.raises(AssistantRunError, match="expired"):
        agent.generate_reply([{"role": "user", "content": "hi"}])

    llm_server.script({"run_status": "incomplete", "content": "A partial ans"})
    with caplog.at_level(logging.WARNING):
        assert agent.generate_reply([{"role": "user", "content": "hi"}])["content"] == "A partial ans"
    assert "incomplete" in caplog.text


def test_cancellation_requested_cancels_the_run(llm_server: Any, llm_config: dict) -> None:
    agent = make_agent(llm_config)

    def responder(body: dict) -> Any:
        agent.cancellation_requested = True  # e.g. set by another thread while the run is in progress
        return {"content": "never seen", "polls": 5}

    llm_server.responder = responder
    user = user_proxy()
    result = user.initiate_chat(agent, message="long task")
    assert len(result.chat_history) == 1  # no reply: the conversation stopped
    assert len(requests_to(llm_server, "POST", "/cancel")) == 1
    run = next(iter(llm_server.assistants.runs.values()))
    assert run["status"] == "cancelled"
    assert agent.cancellation_requested is False


# -------------------------------------------------------------------------------- conversations --
def test_two_agent_chat_sends_only_new_messages(llm_server: Any, llm_config: dict) -> None:
    agent = make_agent(llm_config)
    user = ConversableAgent("user", llm_config=False, human_input_mode="NEVER", default_auto_reply="go on")
    llm_server.script("first answer", "second answer", "third answer")
    result = user.initiate_chat(agent, message="start", max_turns=3)
    assert [m["content"] for m in result.chat_history] == [
        "start",
        "first answer",
        "go on",
        "second answer",
        "go on",
        "third answer",
    ]
    added = [r.body["additional_messages"] for r in run_requests(llm_server)]
    assert added == [
        [{"role": "user", "content": "start"}],
        [{"role": "user", "content": "go on"}],
        [{"role": "user", "content": "go on"}],
    ]
    thread = agent.oai_threads[user]
    roles = [m["role"] for m in llm_server.assistants.thread_messages(thread.id)]
    assert roles == ["user", "assistant"] * 3
    # a new chat starts a new thread; the old one is deleted
    llm_server.script("fresh")
    user.initiate_chat(agent, message="again", max_turns=1)
    assert agent.oai_threads[user].id != thread.id
    assert thread.id not in llm_server.assistants.threads


def test_agent_starting_the_chat_and_many_new_messages(
    llm_server: Any, llm_config: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assistant_run, "MAX_INLINE_MESSAGES", 2)
    agent = make_agent(llm_config)
    peer = ConversableAgent("peer", llm_config=False, human_input_mode="NEVER")
    history = [{"role": "user", "content": f"note {i}", "name": "peer"} for i in range(5)]
    history.insert(2, {"role": "assistant", "content": "my own earlier words", "name": "analyst"})
    llm_server.script("summary")
    reply = agent.generate_reply(history, sender=None)
    assert reply["content"] == "summary"
    added_one_by_one = [r.body for r in requests_to(llm_server, "POST", "/messages")]
    assert [m["content"] for m in added_one_by_one] == ["note 0", "note 1", "my own earlier words", "note 2"]
    assert added_one_by_one[2]["role"] == "assistant"
    assert [m["content"] for m in run_requests(llm_server)[0].body["additional_messages"]] == ["note 3", "note 4"]
    del peer


def test_group_chat_member(llm_server: Any, llm_config: dict) -> None:
    agent = make_agent(llm_config)
    writer = ConversableAgent("writer", llm_config=llm_config, human_input_mode="NEVER")
    user = user_proxy()

    def script(body: dict) -> str:
        if "assistant_id" in body:  # a run of the assistant
            return "analysis: " + body["messages"][-1]["content"]
        return "draft"

    llm_server.responder = script

    def next_speaker(last: Any, chat: Any) -> Any:
        return writer if last is agent else agent

    group = GroupChat([user, agent, writer], messages=[], max_round=4, speaker_selection_method=next_speaker)
    manager = GroupChatManager(group, llm_config=False)
    user.initiate_chat(manager, message="Please study the data.")
    contents = [m["content"] for m in group.messages]
    assert contents == [
        "Please study the data.",
        "analysis: Please study the data.",
        "draft",
        "analysis: draft",
    ]
    thread = agent.oai_threads[manager]
    texts = [m["content"][0]["text"]["value"] for m in llm_server.assistants.thread_messages(thread.id)]
    assert texts == contents
    assert len(run_requests(llm_server)) == 2


async def test_async_chat_never_blocks_the_loop(
    llm_server: Any, llm_config: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = make_agent(llm_config, assistant_config={"check_every_ms": 100, "tools": [ADD_TOOL]})

    @agent.register_for_execution()
    def add(a: int, b: int) -> int:
        return a + b

    user = user_proxy()
    llm_server.assistants.polls = 1
    llm_server.script({"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 2}}]}, "three")
    # the waits between polls must be awaited, never a blocking sleep on the loop's thread
    loop_thread = threading.get_ident()
    blocking: list = []
    awaited: list = []
    real_sleep, real_async_sleep = time.sleep, asyncio.sleep

    def watched_sleep(seconds: float) -> None:
        if threading.get_ident() == loop_thread:
            blocking.append(seconds)
        real_sleep(seconds)

    async def watched_async_sleep(delay: float, result: Any = None) -> Any:
        awaited.append(delay)
        return await real_async_sleep(delay, result)

    monkeypatch.setattr(time, "sleep", watched_sleep)
    monkeypatch.setattr(asyncio, "sleep", watched_async_sleep)
    result = await user.a_initiate_chat(agent, message="1+2")
    monkeypatch.setattr(time, "sleep", real_sleep)
    monkeypatch.setattr(asyncio, "sleep", real_async_sleep)
    assert result.summary == "three"
    assert blocking == []
    assert [d for d in awaited if d == 0.1] == [0.1] * 4  # four waits of 100 ms (two per run step)
    assert requests_to(llm_server, "POST", "/submit_tool_outputs")[0].body["tool_outputs"][0]["output"] == "3"
    # clear_history inside the loop defers the deletion to the next reply
    thread = agent.oai_threads[user]
    llm_server.assistants.polls = 0
    llm_server.script("again")
    await user.a_initiate_chat(agent, message="next")
    assert thread.id not in llm_server.assistants.threads


def test_clear_history_reset_and_delete_assistant(llm_server: Any, llm_config: dict) -> None:
    agent = make_agent(llm_config)
    alice = user_proxy()
    bob = ConversableAgent("bob", llm_config=False, human_input_mode="NEVER", max_consecutive_auto_reply=0)
    llm_server.script("a", "b")
    alice.initiate_chat(agent, message="hi from alice")
    bob.initiate_chat(agent, message="hi from bob")
    threads = {peer: thread.id for peer, thread in agent.oai_threads.items()}
    assert set(threads) == {alice, bob}

    agent.clear_history(alice)
    assert threads[alice] not in llm_server.assistants.threads and alice not in agent.oai_threads
    assert threads[bob] in llm_server.assistants.threads

    agent.clear_history(nr_messages_to_preserve=1)  # histories trimmed: the threads stay
    assert bob in agent.oai_threads
    agent.reset()
    assert agent.oai_threads == {} and threads[bob] not in llm_server.assistants.threads

    llm_server.script("c")
    alice.initiate_chat(agent, message="back again")
    last_thread = agent.oai_threads[alice].id
    agent.delete_assistant()
    assert agent.assistant_id not in llm_server.assistants.assistants
    assert last_thread not in llm_server.assistants.threads
    assert requests_to(llm_server, "DELETE", f"/assistants/{agent.assistant_id}")


def test_pretty_print_thread(llm_server: Any, llm_config: dict, _quiet_io: ScriptedIO) -> None:
    agent = make_agent(llm_config)
    user = user_proxy()
    llm_server.script("pong")
    user.initiate_chat(agent, message="ping")
    agent.pretty_print_thread(agent.oai_threads[user])
    agent.pretty_print_thread(None)
    out = _quiet_io.output
    assert "~~~~~~~THREAD CONTENTS~~~~~~~" in out and "user : [ text ]" in out
    assert "text :  ping" in out and "text :  pong" in out
    assert "No thread to print" in out


def test_azure_endpoint(llm_server: Any) -> None:
    config = {
        "config_list": [
            {
                "model": "gpt-4o",
                "api_type": "azure",
                "base_url": llm_server.url,
                "api_key": "azure-key",
                "api_version": "2024-05-01-preview",
            }
        ]
    }
    llm_server.script("from azure")
    agent = GPTAssistantAgent("az", instructions="hi", llm_config=config, assistant_config=FAST)
    assert agent.generate_reply([{"role": "user", "content": "x"}])["content"] == "from azure"
    created = requests_to(llm_server, "POST", "/assistants")[0]
    assert created.path == "/openai/assistants"
    assert created.query["api-version"] == ["2024-05-01-preview"]
    assert header(created, "api-key") == "azure-key"


# ----------------------------------------------------------------------------------- errors --
@pytest.mark.parametrize("llm_config", [None, False, {}, {"config_list": []}, {"temperature": 0}])
def test_missing_config_is_a_clear_error(llm_config: Any) -> None:
    with pytest.raises(ConfigError, match="config_list"):
        GPTAssistantAgent("x", llm_config=llm_config)


def test_no_api_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="api_key"):
        GPTAssistantAgent("x", llm_config={"config_list": [{"model": "gpt-4", "base_url": "http://127.0.0.1:9/v1"}]})


def test_bad_assistant_config(llm_config: dict) -> None:
    with pytest.raises(ConfigError, match="check_every_ms"):
        GPTAssistantAgent("x", llm_config=llm_config, assistant_config={"check_every_ms": -1})
    with pytest.raises(ConfigError, match="code_interpreter"):
        GPTAssistantAgent("x", llm_config=llm_config, assistant_config={"file_ids": ["f"]})


def test_unknown_assistant_id_raises_the_sdk_error(llm_config: dict) -> None:
    import openai

    with pytest.raises(openai.NotFoundError):
        GPTAssistantAgent("x", llm_config=llm_config, assistant_config={"assistant_id": "asst_nope"})


# -------------------------------------------------------------------------------- pure helpers --
def test_split_configs_moves_assistant_settings() -> None:
    client, assistant = split_configs(
        {
            "config_list": [{"model": "m", "api_key": "k"}],
            "assistant_id": "a1",
            "tools": [ADD_TOOL],
            "check_every_ms": 5,
        },
        {"tools": [{"type": "code_interpreter"}]},
    )
    assert client == {"config_list": [{"model": "m", "api_key": "k"}]}
    assert assistant == {"assistant_id": "a1", "tools": [{"type": "code_interpreter"}], "check_every_ms": 5}


def test_matching_and_messages() -> None:
    from types import SimpleNamespace

    a = SimpleNamespace(id="1", instructions="x", tools=[ADD_TOOL, {"type": "retrieval"}])
    b = SimpleNamespace(id="2", instructions="y", tools=[ADD_TOOL, {"type": "file_search"}])
    wanted = [{"type": "file_search"}, ADD_TOOL]
    assert matching_assistants([a, b], None, wanted) == [a, b]
    assert matching_assistants([a, b], "y", wanted) == [b]
    assert matching_assistants([a, b], None, [ADD_TOOL]) == []
    assert tool_signature(wanted) == (frozenset({"file_search"}), frozenset({"add"}))
    assert thread_message({"role": "tool", "content": "5"}) == {"role": "user", "content": "5"}
    assert thread_message({"role": "assistant", "content": None, "tool_calls": []}) is None
    assert thread_message({"role": "user", "content": [{"type": "text", "text": "hi"}]}) == {
        "role": "user",
        "content": "hi",
    }
    params = assistant_create_params("n", None, "m", {"tools": [], "temperature": 0.2})
    assert params == {"name": "n", "instructions": None, "model": "m", "tools": [], "temperature": 0.2}


def test_fresh_messages_skips_the_agents_own_last_reply() -> None:
    history = [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
    ]
    assert assistant_run.fresh_messages(history, 3, 1, "a1") == [{"role": "user", "content": "q2"}]
    assert assistant_run.fresh_messages(history, 3, 1, "other") == [
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
    ]
    assert assistant_run.fresh_messages(history, 3, 3, None) == []
    # hooks may have rewritten the messages: the tail is taken from them
    rewritten = [{"role": "user", "content": "q2 + memo"}]
    assert assistant_run.fresh_messages(rewritten, 3, 2, None) == [{"role": "user", "content": "q2 + memo"}]


# -------------------------------------------------------------------------------------- sample --
def test_sample_runs_against_the_server(llm_server: Any, tmp_path: Any) -> None:
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[3]

    def responder(body: dict) -> Any:
        last = body["messages"][-1]
        if last["role"] == "tool":
            return f"The sentence has {last['content']} words."
        return {"tool_calls": [{"name": "count_words", "arguments": {"text": "one two three four"}}]}

    llm_server.responder = responder
    config_file = tmp_path / "OAI_CONFIG_LIST"
    config_file.write_text(json.dumps(llm_server.config_list()))
    env = {**os.environ, "OAI_CONFIG_LIST": str(config_file), "PYTHONPATH": str(repo)}
    done = subprocess.run(
        [sys.executable, str(repo / "samples" / "gpt_assistant.py"), "--check-every-ms", "5"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("=== answer\nThe sentence has 4 words.")
    assert "~~~~~~~THREAD CONTENTS~~~~~~~" in done.stdout
    submitted = requests_to(llm_server, "POST", "/submit_tool_outputs")[0].body
    assert submitted["tool_outputs"][0]["output"] == "4"
    assert llm_server.assistants.assistants == {}  # deleted at the end


def test_an_interrupted_run_is_cancelled_so_the_thread_stays_usable(llm_server: Any, llm_config: dict) -> None:
    def add(a: int, b: int) -> int:
        raise KeyboardInterrupt

    agent = make_agent(llm_config, assistant_config={**FAST, "tools": [ADD_TOOL]}, function_map={"add": add})
    user = user_proxy()
    llm_server.script({"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 1}}]})
    with pytest.raises(KeyboardInterrupt):
        user.initiate_chat(agent, message="1+1")
    assert len(requests_to(llm_server, "POST", "/cancel")) == 1
    llm_server.script("fine again")
    assert agent.generate_reply(sender=user)["content"] == "fine again"


async def test_a_cancelled_task_leaves_a_run_the_next_turn_stops(llm_server: Any, llm_config: dict) -> None:
    agent = make_agent(llm_config, assistant_config={"check_every_ms": 10})
    user = user_proxy()
    llm_server.script({"content": "too slow", "polls": 1000})
    task = asyncio.create_task(user.a_initiate_chat(agent, message="slow"))
    while len([r for r in llm_server.requests if r.method == "GET" and "/runs/" in r.path]) < 2:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    first_run = run_requests(llm_server)
    assert len(first_run) == 1 and not requests_to(llm_server, "POST", "/cancel")
    llm_server.script("on time")
    reply = await agent.a_generate_reply(sender=user)
    assert reply["content"] == "on time"
    assert len(requests_to(llm_server, "POST", "/cancel")) == 1  # the old run was stopped first


def test_bad_agent_arguments_fail_before_anything_is_created(llm_server: Any, llm_config: dict) -> None:
    with pytest.raises(TypeError):
        GPTAssistantAgent("x", llm_config=llm_config, system_message="use instructions=")
    with pytest.raises(ConfigError, match="human_input_mode"):
        GPTAssistantAgent("x", llm_config=llm_config, human_input_mode="SOMETIMES")
    assert not requests_to(llm_server, "POST", "/assistants")
    agent = make_agent(llm_config, instructions=None)
    assert agent.system_message == agent.description == agent.get_assistant_instructions()
    assert agent.human_input_mode == "NEVER"

"""The AutoBuild blog snippet as written, and the classic AgentBuilder formats, against the local server."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterator, List

import pytest
from helpers import ScriptedIO
from llm_server import LLMServer

import autogen
from autogen.agentchat.contrib.agent_builder import AgentBuilder
from autogen.agentchat.groupchat import DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE
from autogen.io.base import IOStream

pytestmark = pytest.mark.usefixtures("close_disk_caches")  # the builder's LLM calls use the default disk cache

SELECTION_MARK = DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE.split("{")[0].strip()
BLOG_MODEL = "gpt-4-1106-preview"


@pytest.fixture(autouse=True)
def _setup(llm_server: LLMServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OAI_CONFIG_LIST", json.dumps(llm_server.config_list(BLOG_MODEL)))
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "False")
    with IOStream.set_default(ScriptedIO()):
        yield


class ClassicModel:
    """Answers the builder in the classic formats (names separated by commas) and plays the team."""

    def __init__(self, names: str, speakers: List[str], chat: Dict[str, Any], assignment: str = "") -> None:
        self.names, self.speakers, self.chat, self.assignment = names, list(speakers), chat, assignment
        self.prompts: List[str] = []

    def __call__(self, body: Dict[str, Any]) -> Any:
        first = body["messages"][0]["content"] or ""
        self.prompts.append(first)
        if SELECTION_MARK in first:
            return self.speakers.pop(0)
        member = re.search(r"You are (\S+), one member", first) or re.search(r"^I am (\S+)\.", first)
        if member:
            reply = self.chat[member.group(1)]
            return reply.pop(0) if isinstance(reply, list) else reply
        if "Propose from 1 to" in first or first.startswith("Suggest no more than"):
            return self.names
        name = re.search(r"(?:system message of|Expert name:) (\S+)", first)
        if name:
            return f"I am {name.group(1)}. I do my part of the task."
        name = re.search(r"(?:describe|Summarize) (\S+)", first)
        if name:
            return f"{name.group(1)} helps with the task."
        if "YES or NO" in first:
            return "YES"
        if "Which agent should call it" in first:
            return self.assignment
        raise AssertionError(f"unexpected request: {first[:200]!r}")


def test_the_autobuild_blog_snippet_runs_as_written(llm_server: LLMServer, tmp_path: Any) -> None:
    model = ClassicModel(
        "ArXiv_Researcher, Software_Analyst",
        speakers=["ArXiv_Researcher", "Computer_terminal", "Software_Analyst"] * 2,
        chat={
            "ArXiv_Researcher": "```python\nprint('found: GPT-4 Technical Report')\n```",
            "Software_Analyst": "TERMINATE",  # the classic default ends a group chat on exactly this
        },
    )
    llm_server.responder = model

    # ---- the blog, as written
    config_file_or_env = "OAI_CONFIG_LIST"
    default_llm_config = {"temperature": 0}
    builder = AgentBuilder(
        config_file_or_env=config_file_or_env, builder_model="gpt-4-1106-preview", agent_model="gpt-4-1106-preview"
    )
    building_task = (
        "Find a paper on arxiv by programming, and analyze its application in some domain. For example, find a "
        "recent paper about gpt-4 on arxiv and find its potential applications in software."
    )
    agent_list, agent_configs = builder.build(building_task, default_llm_config)

    transcripts = []

    def start_task(execution_task: str, agent_list: list, llm_config: dict) -> None:
        config_list = autogen.config_list_from_json(config_file_or_env, filter_dict={"model": ["gpt-4-1106-preview"]})
        group_chat = autogen.GroupChat(agents=agent_list, messages=[], max_round=12)
        manager = autogen.GroupChatManager(groupchat=group_chat, llm_config={"config_list": config_list, **llm_config})
        agent_list[0].initiate_chat(manager, message=execution_task)
        transcripts.append(group_chat.messages)

    start_task(
        execution_task="Find a recent paper about gpt-4 on arxiv and find its potential applications in software.",
        agent_list=agent_list,
        llm_config=default_llm_config,
    )
    builder.clear_all_agents(recycle_endpoint=True)
    saved_path = builder.save()
    new_builder = AgentBuilder(config_file_or_env=config_file_or_env)
    agent_list, agent_config = new_builder.load(saved_path)
    start_task(
        execution_task="Find a recent paper about gpt-4 on arxiv and find its potential applications in software.",
        agent_list=agent_list,
        llm_config=default_llm_config,
    )

    # ---- what it did
    assert [c["name"] for c in agent_configs["agent_configs"]] == ["ArXiv_Researcher", "Software_Analyst"]
    # the proxy last, as classic: start_task's agent_list[0] is the first expert
    assert [a.name for a in agent_list] == ["ArXiv_Researcher", "Software_Analyst", "Computer_terminal"]
    assert agent_config["agent_configs"] == agent_configs["agent_configs"]
    for messages in transcripts:
        assert [m["name"] for m in messages] == [
            "ArXiv_Researcher",
            "ArXiv_Researcher",
            "Computer_terminal",
            "Software_Analyst",
        ]
        assert "found: GPT-4 Technical Report" in messages[2]["content"]  # the code really ran
    assert {b["model"] for b in llm_server.chat_requests()} == {BLOG_MODEL}


def test_classic_prompt_attributes_and_max_agents_position(llm_server: LLMServer) -> None:
    model = ClassicModel("1. Physicist\n2. Chemist\n3. Biologist", speakers=[], chat={})
    llm_server.responder = model
    builder = AgentBuilder("OAI_CONFIG_LIST", "", BLOG_MODEL, BLOG_MODEL, None, None, 2)
    assert builder.max_agents == 2
    builder.AGENT_NAME_PROMPT = "Suggest no more than {max_agents} experts for: {task}\nReply with names, by commas."
    builder.AGENT_SYS_MSG_PROMPT = "Task: {task}\nExpert name: {position}\nFill in:\n{default_sys_msg}"
    builder.AGENT_DESCRIPTION_PROMPT = "Summarize {position} in a sentence: {sys_msg}"
    builder.GROUP_CHAT_DESCRIPTION = "# Group chat\nYou are {name}; members: {members}.{user_proxy_desc}"
    agents, configs = builder.build("Study water.", {}, coding=False)

    assert [a.name for a in agents] == ["Physicist", "Chemist"]  # the third is over max_agents
    assert model.prompts[0] == "Suggest no more than 2 experts for: Study water.\nReply with names, by commas."
    # as classic: every system message first, then every description
    assert model.prompts[1].startswith("Task: Study water.\nExpert name: Physicist\nFill in:\n")
    assert model.prompts[2].startswith("Task: Study water.\nExpert name: Chemist\nFill in:\n")
    assert AgentBuilder.DEFAULT_DESCRIPTION in model.prompts[1]
    assert model.prompts[3] == "Summarize Physicist in a sentence: I am Physicist. I do my part of the task."
    # a classic group-chat description goes after the agent's own system message
    assert agents[0].system_message == (
        "I am Physicist. I do my part of the task.\n\n# Group chat\nYou are Physicist; members: Physicist, Chemist."
    )
    assert configs["agent_configs"][1]["description"] == "Chemist helps with the task."


def test_list_of_functions_goes_to_the_agent_the_builder_model_picks(llm_server: LLMServer) -> None:
    calls = []

    def arxiv_search(query: str) -> str:
        calls.append(query)
        return "2303.08774: GPT-4 Technical Report"

    model = ClassicModel(
        "ArXiv_Researcher, Software_Analyst",
        speakers=["ArXiv_Researcher", "Computer_terminal", "Software_Analyst"],
        chat={
            "ArXiv_Researcher": {"tool_calls": [{"name": "arxiv_search", "arguments": {"query": "gpt-4"}}]},
            "Software_Analyst": "TERMINATE",
        },
        assignment="The best one is ArXiv_Researcher.",
    )
    llm_server.responder = model
    builder = AgentBuilder(config_file_or_env="OAI_CONFIG_LIST", builder_model=BLOG_MODEL, agent_model=BLOG_MODEL)
    functions = [{"name": "arxiv_search", "description": "Search arxiv for papers.", "function": arxiv_search}]
    agent_list, _ = builder.build("Find a paper about gpt-4.", {}, coding=False, list_of_functions=functions)

    researcher, analyst, terminal = agent_list
    assert terminal.name == "Computer_terminal"  # functions need an executor, so the terminal joined
    assert [t["function"]["name"] for t in researcher.llm_config["tools"]] == ["arxiv_search"]
    assert "tools" not in analyst.llm_config
    assert "arxiv_search: Search arxiv for papers." in researcher.system_message
    assert "Which agent should call it" in model.prompts[-1] and "Software_Analyst" in model.prompts[-1]

    group_chat = autogen.GroupChat(agents=agent_list, messages=[], max_round=6)
    manager = autogen.GroupChatManager(group_chat, llm_config={"config_list": llm_server.config_list(BLOG_MODEL)})
    terminal.initiate_chat(manager, message="Find a paper about gpt-4.")
    assert calls == ["gpt-4"]
    assert "2303.08774" in group_chat.messages[2]["content"]

    with pytest.raises(ValueError, match="list_of_functions"):
        builder.build("x", {}, coding=False, list_of_functions=[{"name": "f"}])

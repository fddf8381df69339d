"""Teachability through the local LLM server: teach, restart from the store, see the memo recalled in the prompt."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from fd_count import fds_left_under, fds_under, needs_proc_fd

pytest.importorskip("chromadb")
pytest.importorskip("sentence_transformers")
pytestmark = pytest.mark.usefixtures("collect_cycles")  # each test's agents close their chromadb folder after it

from autogen import ConversableAgent  # noqa: E402
from autogen.agentchat.contrib.capabilities import teachability as t  # noqa: E402
from autogen.agentchat.contrib.capabilities.agent_capability import AgentCapability  # noqa: E402
from autogen.agentchat.contrib.capabilities.teachability import Teachability  # noqa: E402
from autogen.agentchat.contrib.rag.errors import ConfigError  # noqa: E402
from autogen.agentchat.contrib.text_analyzer_agent import TextAnalyzerAgent  # noqa: E402

FACT = "My favorite color is teal."
ADVICE_TASK = "Add 17 and 25. Tip: for any arithmetic, check the result by doing the inverse operation."


def analyzer_rule(text: str, instructions: str) -> str:
    """What a sensible analyzer LLM would answer for our two lessons."""
    is_fact = "favorite color" in text and "teal" in text
    is_task = text.startswith(("Add ", "Multiply ")) or "Multiply" in text
    has_advice = "Tip:" in text
    answers = {
        t.IS_TASK: "yes" if is_task else "no",
        t.HAS_ADVICE: "yes" if has_advice else "no",
        t.EXTRACT_ADVICE: "Check arithmetic results by doing the inverse operation.",
        t.EXTRACT_TASK: text.split(".")[0],
        t.GENERALIZE_TASK: "Do an arithmetic calculation on two numbers.",
        t.HAS_INFORMATION: "Yes." if is_fact else "No.",
        t.QUESTION_FOR_INFORMATION: "What is my favorite color?",
        t.EXTRACT_INFORMATION: "The user's favorite color is teal.",
    }
    return answers[instructions]


@pytest.fixture
def responder(llm_server: Any) -> List[str]:
    """Answers analyzer requests by rule, and the teachable agent with 'noted'; returns the agent's prompts."""
    agent_prompts: List[str] = []

    def respond(body: Dict[str, Any]) -> str:
        last = body["messages"][-1]["content"]
        if last.startswith("# TEXT\n"):
            text, instructions = last[len("# TEXT\n") :].split("\n\n# INSTRUCTIONS\n")
            return analyzer_rule(text, instructions)
        agent_prompts.append(last)
        return "noted"

    llm_server.responder = respond
    return agent_prompts


def chat(llm_config: Dict[str, Any], db: Path, message: str, **teach_args: Any) -> Teachability:
    """One conversation with a freshly made teachable agent (as after a restart)."""
    agent = ConversableAgent("teachable_agent", llm_config=llm_config, human_input_mode="NEVER")
    teachability = Teachability(path_to_db_dir=str(db), **teach_args)
    teachability.add_to_agent(agent)
    user = ConversableAgent("user", llm_config=False, human_input_mode="NEVER")
    user.initiate_chat(agent, message=message, max_turns=1)
    return teachability


def test_fact_taught_then_recalled_after_restart(
    llm_config: Dict[str, Any], responder: List[str], tmp_path: Path
) -> None:
    db = tmp_path / "memos"
    first = chat(llm_config, db, FACT, reset_db=True)
    assert first.memo_store.list_memos() == [("What is my favorite color?", "The user's favorite color is teal.")]
    assert responder[-1] == FACT  # nothing to recall yet

    # the store is on disk: another process sees the memo
    code = (
        "from autogen.agentchat.contrib.capabilities.memo_store import MemoStore\n"
        f"print(MemoStore(path_to_db_dir={str(db)!r}, printer=lambda s: None).list_memos())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "teal" in out

    second = chat(llm_config, db, "What color do I like best?")
    prompt = responder[-1]
    assert prompt.startswith("What color do I like best?")
    assert t.MEMORIES_HEADING in prompt and "- The user's favorite color is teal." in prompt
    assert len(second.memo_store) == 1  # a question teaches nothing new


def test_task_advice_is_recalled_for_similar_tasks(
    llm_config: Dict[str, Any], responder: List[str], tmp_path: Path
) -> None:
    db = tmp_path / "memos"
    chat(llm_config, db, ADVICE_TASK, reset_db=True)
    later = chat(llm_config, db, "Multiply 6 by 7.")
    assert "Check arithmetic results by doing the inverse operation." in responder[-1]
    memos = dict(later.memo_store.list_memos())
    assert memos == {
        "Do an arithmetic calculation on two numbers.": "Check arithmetic results by doing the inverse operation."
    }


def test_unrelated_memos_stay_out_and_reset_forgets(
    llm_config: Dict[str, Any], responder: List[str], tmp_path: Path
) -> None:
    db = tmp_path / "memos"
    chat(llm_config, db, FACT, reset_db=True)
    chat(llm_config, db, "Quantum chromodynamics describes the strong interaction.", recall_threshold=0.5)
    assert t.MEMORIES_HEADING not in responder[-1]
    fresh = chat(llm_config, db, "What color do I like best?", reset_db=True)
    assert t.MEMORIES_HEADING not in responder[-1]
    assert len(fresh.memo_store) == 0


def test_add_to_agent_details(llm_config: Dict[str, Any], tmp_path: Path) -> None:
    assert issubclass(Teachability, AgentCapability)
    agent = ConversableAgent("a", llm_config=llm_config, system_message="Be brief.")
    teachability = Teachability(path_to_db_dir=str(tmp_path / "db"))
    teachability.add_to_agent(agent)
    assert agent.system_message.startswith("Be brief.") and "earlier conversations" in agent.system_message
    assert teachability.process_last_received_message in agent.hook_lists["process_last_received_message"]
    assert isinstance(teachability.analyzer, TextAnalyzerAgent)
    with pytest.raises(ConfigError, match="llm_config"):
        Teachability(path_to_db_dir=str(tmp_path / "db2")).add_to_agent(ConversableAgent("b", llm_config=False))
    with pytest.raises(NotImplementedError):
        AgentCapability().add_to_agent(agent)


def test_text_analyzer_in_a_chat(llm_server: Any, llm_config: Dict[str, Any]) -> None:
    llm_server.script("positive")
    analyzer = TextAnalyzerAgent(llm_config=llm_config)
    user = ConversableAgent("user", llm_config=False, human_input_mode="NEVER")
    user.send("I love this library.", analyzer, request_reply=False)
    user.send("Is the sentiment positive or negative?", analyzer, request_reply=True)
    assert user.last_message(analyzer)["content"] == "positive"
    (body,) = llm_server.chat_requests()
    assert body["messages"][-1]["content"] == (
        "# TEXT\nI love this library.\n\n# INSTRUCTIONS\nIs the sentiment positive or negative?"
    )


@needs_proc_fd
def test_memo_stores_and_teachable_agents_give_their_folders_back(
    llm_config: Dict[str, Any], responder: List[str], tmp_path: Path
) -> None:
    from autogen.agentchat.contrib.capabilities.memo_store import MemoStore

    def embed(texts: List[str]) -> List[List[float]]:
        return [[float(len(text)), 1.0] for text in texts]

    for i in range(10):  # dropped: no cycle keeps a store alive, it is closed at once (its finalizer does not wait
        # for chromadb's threads to close the files: they are given back a moment later)
        MemoStore(path_to_db_dir=str(tmp_path / f"dropped{i}"), embedding_function=embed).add_input_output_pair(
            "q", "a"
        )
        assert fds_left_under(tmp_path) == []
    closed = MemoStore(path_to_db_dir=str(tmp_path / "closed"), embedding_function=embed)
    closed.add_input_output_pair("q", "a")
    assert fds_under(tmp_path / "closed")  # open while in use
    closed.close()  # everything given back at once, though the store is still referenced
    assert fds_under(tmp_path) == []
    with pytest.raises(ValueError, match="is closed"):
        closed.add_input_output_pair("q", "a")

    kept = [chat(llm_config, tmp_path / f"agent{i}", FACT) for i in range(3)]
    assert all(fds_under(tmp_path / f"agent{i}") for i in range(3))
    del kept  # a teachable agent refers to itself: the cycle collector frees it and its store
    gc.collect()
    assert fds_left_under(tmp_path) == []

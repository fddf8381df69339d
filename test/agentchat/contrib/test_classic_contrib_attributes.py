"""Classic attributes of contrib agents that documented code uses: RetrieveUserProxyAgent.get_max_tokens and its
custom function attributes and module constants, GPTAssistantAgent.find_matching_assistant and
clear_history(agent=...) (through the local Assistants API), MemoStore.prepopulate (real chromadb and embeddings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, List

import pytest
from helpers import ScriptedIO

from autogen import UserProxyAgent
from autogen.io.base import IOStream
from autogen.token_count_utils import count_token


@pytest.fixture(autouse=True)
def _quiet_io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


# ------------------------------------------------------------------------------ RetrieveUserProxyAgent --
def test_retrieve_user_proxy_agent_classic_attributes(llm_server: Any, llm_config: dict, tmp_path: Path) -> None:
    pytest.importorskip("chromadb")
    from autogen.agentchat.contrib import retrieve_user_proxy_agent as module
    from autogen.agentchat.contrib.retrieve_assistant_agent import RetrieveAssistantAgent
    from autogen.agentchat.contrib.retrieve_user_proxy_agent import RetrieveUserProxyAgent

    for prompt in (module.PROMPT_DEFAULT, module.PROMPT_CODE, module.PROMPT_QA, module.PROMPT_MULTIHOP):
        assert "{input_question}" in prompt and "{input_context}" in prompt
        assert module.UPDATE_CONTEXT_IN_PROMPT in prompt
    assert module.HASH_LENGTH == 8

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.txt").write_text("alpha beta gamma delta", encoding="utf-8")
    proxy = RetrieveUserProxyAgent(
        "rag",
        human_input_mode="NEVER",
        code_execution_config=False,
        retrieve_config={
            "docs_path": str(docs),
            "db_config": {"path": str(tmp_path / "db")},
            "embedding_function": lambda texts: [[float(len(t)), 1.0] for t in texts],
            "customized_prompt": module.PROMPT_MULTIHOP,
        },
    )
    assert proxy.get_max_tokens("gpt-4") == 8192  # known to the token counter
    assert proxy.get_max_tokens("my-model-32k") == 32000  # the classic guesses from the name
    assert proxy.get_max_tokens("my-gpt-4-finetune") == 8000
    assert proxy.get_max_tokens("local-llm") == 4000
    assert RetrieveUserProxyAgent.get_max_tokens("gpt-4") == 8192  # a static method, as classic
    assert proxy.custom_token_count_function is count_token  # classic default
    assert proxy.custom_text_split_function is None

    splits: List[str] = []
    counted: List[str] = []

    def split(text: str) -> List[str]:
        splits.append(text)
        return text.split(" ", 1)

    def count(text: str, model: str) -> int:
        counted.append(model)
        return 1

    proxy.custom_text_split_function = split
    proxy.custom_token_count_function = count
    assert proxy.retrieve_config.custom_text_split_function is split
    llm_server.script("Answer: gamma")
    assistant = RetrieveAssistantAgent("assistant", llm_config=llm_config)
    proxy.initiate_chat(assistant, message=proxy.message_generator, problem="Which letter follows beta?", n_results=2)
    assert splits == ["alpha beta gamma delta"]
    assert counted and set(counted) == {"gpt-4"}
    prompt = llm_server.chat_requests()[0]["messages"][-1]["content"]
    assert prompt.startswith("You answer questions that may need several steps")
    assert "alpha" in prompt and "beta gamma delta" in prompt  # both chunks (1 token each by the custom count)


# --------------------------------------------------------------------------------- GPTAssistantAgent --
def test_find_matching_assistant_and_clear_history_by_agent(llm_server: Any, llm_config: dict) -> None:
    from autogen.agentchat.contrib.assistant_utils import retrieve_assistants_by_name
    from autogen.agentchat.contrib.gpt_assistant_agent import GPTAssistantAgent

    tool = {
        "type": "function",
        "function": {"name": "add", "description": "Add.", "parameters": {"type": "object", "properties": {}}},
    }
    fast = {"check_every_ms": 1}
    agent = GPTAssistantAgent(
        "analyst", instructions="You analyse.", llm_config=llm_config, assistant_config={**fast, "tools": [tool]}
    )
    other = GPTAssistantAgent(
        "analyst", instructions="Something else.", llm_config=llm_config, assistant_config={**fast, "tools": [tool]}
    )
    candidates = retrieve_assistants_by_name(agent._assistants_client, "analyst")
    assert {c.id for c in candidates} == {agent.assistant_id, other.assistant_id}
    found = agent.find_matching_assistant(candidates, "You analyse.", [tool])
    assert [a.id for a in found] == [agent.assistant_id]
    assert agent.find_matching_assistant(candidates, "You analyse.", [{"type": "code_interpreter"}]) == []
    assert {a.id for a in agent.find_matching_assistant(candidates, None, [tool])} == {
        agent.assistant_id,
        other.assistant_id,
    }

    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0)
    llm_server.script("hello")
    user.initiate_chat(agent, message="hi")
    thread_id = agent.oai_threads[user].id
    agent.clear_history(agent=user)  # the classic keyword
    assert user not in agent.oai_threads and thread_id not in llm_server.assistants.threads
    assert agent.chat_messages[user] == []
    with pytest.raises(ValueError, match="not both"):
        agent.clear_history(agent=user, recipient=other)
    agent.clear_history()  # everyone
    agent.delete_assistant()
    other.delete_assistant()


# --------------------------------------------------------------------------------------- MemoStore --
def test_memo_store_prepopulate(tmp_path: Path) -> None:
    pytest.importorskip("chromadb")
    pytest.importorskip("sentence_transformers")
    from autogen.agentchat.contrib.capabilities.memo_store import PREPOPULATED_MEMOS, MemoStore

    printed: List[str] = []
    store = MemoStore(verbosity=1, reset=True, path_to_db_dir=str(tmp_path / "memos"), printer=printed.append)
    store.prepopulate()
    assert len(store) == len(PREPOPULATED_MEMOS)
    assert any("PREPOPULATING MEMORY" in line for line in printed)
    nearest = store.get_nearest_memo("How many moons orbit Neptune?")
    assert nearest is not None and nearest[0] == "How many moons does Neptune have?" and nearest[1] == "no"
    store.prepopulate()  # the same memos again: nothing is duplicated
    assert len(store) == len(PREPOPULATED_MEMOS)


def test_memo_store_announces_clearing_at_every_verbosity(tmp_path: Path) -> None:
    pytest.importorskip("chromadb")
    pytest.importorskip("sentence_transformers")
    from autogen.agentchat.contrib.capabilities.memo_store import MemoStore

    printed: List[str] = []
    store = MemoStore(verbosity=0, reset=True, path_to_db_dir=str(tmp_path / "memos"), printer=printed.append)
    try:
        assert any("CLEARING MEMORY" in line for line in printed)  # classic printed it whatever the verbosity
    finally:
        store.close()

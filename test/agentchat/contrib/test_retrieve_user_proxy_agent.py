"""Retrieval-augmented chat end to end: documents -> chromadb -> prompt -> the local LLM server (real openai SDK)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any, Dict, List

import pytest
from fd_count import fds_left_under, fds_under, needs_proc_fd

pytest.importorskip("chromadb")
pytest.importorskip("sentence_transformers")
pytestmark = pytest.mark.usefixtures("collect_cycles")  # each test's agents close their chromadb folder after it

from autogen.agentchat.contrib.rag.errors import CollectionNotFoundError, ConfigError  # noqa: E402
from autogen.agentchat.contrib.retrieve_assistant_agent import RetrieveAssistantAgent  # noqa: E402
from autogen.agentchat.contrib.retrieve_user_proxy_agent import RetrieveUserProxyAgent  # noqa: E402
from autogen.agentchat.contrib.vectordb.base import chunk_id  # noqa: E402
from autogen.io.base import IOStream  # noqa: E402

CHUNKS = {
    "capital": "Zorbland is a small inland country. The capital city of Zorbland is Quixville.",
    "river": "The longest river of Zorbland is the Flum, which runs north into a cold lake.",
    "food": "A traditional Zorbland dish is baked turnip served with plum sauce.",
}
QUESTION = "What is the capital city of Zorbland?"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "geography.md").write_text(f"{CHUNKS['capital']}\n\n{CHUNKS['river']}\n", encoding="utf-8")
    (folder / "food.txt").write_text(CHUNKS["food"] + "\n", encoding="utf-8")
    return folder


def make_agents(
    llm_config: Dict[str, Any], docs: Path, tmp_path: Path, code_execution_config: Any = False, **config: Any
) -> tuple[RetrieveUserProxyAgent, RetrieveAssistantAgent]:
    retrieve_config = {
        "task": "qa",
        "docs_path": str(docs),
        "chunk_token_size": 30,  # one paragraph a chunk
        "context_max_tokens": 30,  # one chunk a message
        "db_config": {"path": str(tmp_path / "chroma")},
        "collection_name": "zorbland",
        **config,
    }
    proxy = RetrieveUserProxyAgent(
        "ragproxyagent",
        human_input_mode="NEVER",
        code_execution_config=code_execution_config,
        retrieve_config=retrieve_config,
    )
    assistant = RetrieveAssistantAgent(
        "assistant", system_message="You are a helpful assistant.", llm_config=llm_config
    )
    return proxy, assistant


def user_messages(body: Dict[str, Any]) -> List[str]:
    return [m["content"] for m in body["messages"] if m["role"] == "user"]


def which_chunks(text: str) -> List[str]:
    return [name for name, chunk in CHUNKS.items() if chunk in text]


def test_question_answered_from_the_documents(
    llm_server: Any, llm_config: Dict[str, Any], docs: Path, tmp_path: Path
) -> None:
    llm_server.script("The capital of Zorbland is Quixville.")
    proxy, assistant = make_agents(llm_config, docs, tmp_path)
    result = proxy.initiate_chat(assistant, message=proxy.message_generator, problem=QUESTION, n_results=3)

    (body,) = llm_server.chat_requests()
    (prompt,) = user_messages(body)
    assert QUESTION in prompt
    assert which_chunks(prompt) == ["capital"]  # the closest chunk, and only what fits in the context
    assert "UPDATE CONTEXT" in prompt  # the assistant is told how to ask for more
    assert result.summary == "The capital of Zorbland is Quixville."
    assert len(result.chat_history) == 2  # the answer ends the chat
    assert proxy._doc_ids == [chunk_id(CHUNKS["capital"])]


def test_update_context_fetches_the_next_chunks(
    llm_server: Any, llm_config: Dict[str, Any], docs: Path, tmp_path: Path
) -> None:
    llm_server.script("UPDATE CONTEXT", "Sorry, UPDATE CONTEXT", "Quixville, I think.")
    proxy, assistant = make_agents(llm_config, docs, tmp_path)
    result = proxy.initiate_chat(assistant, message=proxy.message_generator, problem=QUESTION, n_results=2)

    requests = llm_server.chat_requests()
    assert len(requests) == 3
    shown = [which_chunks(user_messages(body)[-1]) for body in requests]
    assert shown[0] == ["capital"]
    # each update brings a chunk not shown before: the second from the first results, the third from a wider search
    assert sorted(sum(shown, [])) == sorted(CHUNKS)
    for body in requests[1:]:
        assert len(user_messages(body)) == 1  # the conversation was reset: only the new prompt
        assert QUESTION in user_messages(body)[0]
    assert result.summary == "Quixville, I think."
    assert len(proxy._doc_ids) == 3


def test_no_more_context_terminates(llm_server: Any, llm_config: Dict[str, Any], docs: Path, tmp_path: Path) -> None:
    llm_server.responder = lambda body: "UPDATE CONTEXT"
    proxy, assistant = make_agents(llm_config, docs, tmp_path)
    result = proxy.initiate_chat(assistant, message=proxy.message_generator, problem=QUESTION, n_results=2)
    assert len(llm_server.chat_requests()) == 3  # every chunk was offered once
    assert result.chat_history[-1]["content"] == "TERMINATE"


def test_second_run_on_the_same_collection(
    llm_server: Any, llm_config: Dict[str, Any], docs: Path, tmp_path: Path
) -> None:
    llm_server.responder = lambda body: "Quixville."
    proxy, assistant = make_agents(llm_config, docs, tmp_path)
    proxy.initiate_chat(assistant, message=proxy.message_generator, problem=QUESTION)
    count = proxy._vector_db.count("zorbland")
    assert count == 3

    # a new process would find the collection on disk: a new agent reuses it as it is (and says so)
    printed: List[str] = []

    class Capture(IOStream):
        def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
            printed.append(sep.join(map(str, objects)))

        def input(self, prompt: str = "", *, password: bool = False) -> str:
            raise AssertionError("no input expected")

    (docs / "more.txt").write_text("Quixville has a famous clock tower with twelve bells.\n", encoding="utf-8")
    with IOStream.set_default(Capture()):
        proxy2, assistant2 = make_agents(llm_config, docs, tmp_path)
        proxy2.initiate_chat(assistant2, message=proxy2.message_generator, problem=QUESTION)
    assert any("already exists" in line for line in printed)
    assert proxy2._vector_db.count("zorbland") == count
    assert which_chunks(user_messages(llm_server.chat_requests()[-1])[0]) == ["capital"]

    # get_or_create=True adds the new document's chunk, and only that one
    proxy3, assistant3 = make_agents(llm_config, docs, tmp_path, get_or_create=True)
    proxy3.initiate_chat(assistant3, message=proxy3.message_generator, problem="Which tower has twelve bells?")
    assert proxy3._vector_db.count("zorbland") == count + 1
    assert "clock tower" in user_messages(llm_server.chat_requests()[-1])[0]

    # overwrite=True rebuilds it
    (docs / "more.txt").unlink()
    proxy4, assistant4 = make_agents(llm_config, docs, tmp_path, overwrite=True)
    proxy4.initiate_chat(assistant4, message=proxy4.message_generator, problem=QUESTION)
    assert proxy4._vector_db.count("zorbland") == count


def test_existing_collection_without_docs_path(
    llm_server: Any, llm_config: Dict[str, Any], docs: Path, tmp_path: Path
) -> None:
    llm_server.responder = lambda body: "Quixville."
    proxy, assistant = make_agents(llm_config, docs, tmp_path)
    proxy.initiate_chat(assistant, message=proxy.message_generator, problem=QUESTION)
    reader, assistant2 = make_agents(llm_config, docs, tmp_path, docs_path=None)
    reader.initiate_chat(assistant2, message=reader.message_generator, problem=QUESTION)
    assert "Quixville" in user_messages(llm_server.chat_requests()[-1])[0]

    missing, assistant3 = make_agents(llm_config, docs, tmp_path, docs_path=None, collection_name="never-built")
    with pytest.raises(CollectionNotFoundError, match="docs_path"):
        missing.initiate_chat(assistant3, message=missing.message_generator, problem=QUESTION)


async def test_async_chat_with_update_context(
    llm_server: Any, llm_config: Dict[str, Any], docs: Path, tmp_path: Path
) -> None:
    llm_server.script("UPDATE CONTEXT", "Quixville.")
    proxy, assistant = make_agents(llm_config, docs, tmp_path)
    ticks = 0

    async def ticker() -> None:  # the event loop keeps running while chunks are retrieved
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    try:
        result = await proxy.a_initiate_chat(assistant, message=proxy.message_generator, problem=QUESTION, n_results=3)
    finally:
        task.cancel()
    assert result.summary == "Quixville."
    assert [which_chunks(user_messages(b)[-1]) for b in llm_server.chat_requests()] == [["capital"], ["river"]]
    assert ticks > 0


def test_customized_prompt_and_answer_prefix(
    llm_server: Any, llm_config: Dict[str, Any], docs: Path, tmp_path: Path
) -> None:
    llm_server.script("I am not sure.", "ANSWER: Quixville")
    proxy, assistant = make_agents(
        llm_config,
        docs,
        tmp_path,
        customized_prompt="Q: {input_question}\nFacts:\n{input_context}\nStart your reply with 'ANSWER:'.",
        customized_answer_prefix="answer:",
    )
    result = proxy.initiate_chat(assistant, message=proxy.message_generator, problem=QUESTION, n_results=3)
    first, second = (user_messages(b)[0] for b in llm_server.chat_requests())
    assert first.startswith(f"Q: {QUESTION}\nFacts:\n")
    assert which_chunks(second) and which_chunks(second) != which_chunks(first)  # no prefix: more context
    assert result.summary == "ANSWER: Quixville"


def test_code_task_ends_after_successful_execution(
    llm_server: Any, llm_config: Dict[str, Any], docs: Path, tmp_path: Path
) -> None:
    llm_server.script("```python\nprint('Quixville'.upper())\n```")
    coding = {"work_dir": str(tmp_path / "coding"), "use_docker": False}
    proxy, assistant = make_agents(llm_config, docs, tmp_path, code_execution_config=coding, task="code")
    result = proxy.initiate_chat(assistant, message=proxy.message_generator, problem="Print the capital in capitals.")
    contents = [m["content"] for m in result.chat_history]
    assert "Solve the user's task with Python code" in contents[0]
    assert "QUIXVILLE" in contents[2] and "exitcode: 0" in contents[2]
    assert contents[3] == "TERMINATE"  # the RetrieveAssistantAgent ends it without asking its LLM
    assert len(llm_server.chat_requests()) == 1


def test_results_from_an_overriding_retrieve_docs(llm_server: Any, llm_config: Dict[str, Any]) -> None:
    """Classic subclasses set self._results to a chromadb-style dict; that still works."""

    class MyRetriever(RetrieveUserProxyAgent):
        def retrieve_docs(self, problem: str, n_results: int = 20, search_string: str = "") -> None:
            self._results = {"ids": [["a", "b"]], "documents": [["First fact.", "Second fact."]]}

    llm_server.script("UPDATE CONTEXT", "Done.")
    proxy = MyRetriever(
        "r", human_input_mode="NEVER", code_execution_config=False, retrieve_config={"context_max_tokens": 5}
    )
    assistant = RetrieveAssistantAgent("assistant", llm_config=llm_config)
    proxy.initiate_chat(assistant, message=proxy.message_generator, problem="facts?")
    prompts = [user_messages(b)[0] for b in llm_server.chat_requests()]
    assert "First fact." in prompts[0] and "Second fact." not in prompts[0]
    assert "Second fact." in prompts[1]


def test_config_is_checked() -> None:
    with pytest.raises(ConfigError, match="Unknown retrieve_config keys: doc_path"):
        RetrieveUserProxyAgent(retrieve_config={"doc_path": "x"})
    with pytest.raises(ConfigError, match="task"):
        RetrieveUserProxyAgent(retrieve_config={"task": "poetry"})
    with pytest.raises(ConfigError, match="max_tokens"):
        RetrieveUserProxyAgent(retrieve_config={"model": "my-local-llama"})
    agent = RetrieveUserProxyAgent(retrieve_config={"model": "my-local-llama", "max_tokens": 1000})
    assert agent.retrieve_config.chunk_token_size == 400 and agent.retrieve_config.context_max_tokens == 800
    assert agent.human_input_mode == "ALWAYS" and agent.name == "RetrieveChatAgent"
    # constructing an agent reads nothing and creates no database
    assert agent._vector_db_instance is None


@needs_proc_fd
def test_agents_dropped_give_their_chromadb_folders_back(
    llm_server: Any, llm_config: Dict[str, Any], docs: Path, tmp_path: Path
) -> None:
    llm_server.responder = lambda body: "Quixville."

    def one_chat(folder: str) -> RetrieveUserProxyAgent:
        proxy, assistant = make_agents(llm_config, docs, tmp_path / folder)
        proxy.initiate_chat(assistant, message=proxy.message_generator, problem=QUESTION)
        assert proxy._vector_db.count("zorbland") == 3
        return proxy

    kept = [one_chat(f"request{i}") for i in range(5)]  # an agent per request, each on a folder of its own
    assert all(fds_under(tmp_path / f"request{i}") for i in range(5))  # an agent's store holds its folder open
    del kept  # agents refer to themselves: the cycle collector frees them, and their stores close
    gc.collect()
    assert fds_left_under(tmp_path) == []

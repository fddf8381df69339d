"""Teachability and RetrieveChat as classic 0.2.35 shows them (found side by side, scripts/classic_diff: teach_recall,
rag_chat): the printed memory lines, "Trying to create collection.", and the refusal to install packages.

Real chromadb and the real openai SDK against the local model server (test/llm_server.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest

pytest.importorskip("chromadb")
pytest.importorskip("sentence_transformers")
pytestmark = pytest.mark.usefixtures("collect_cycles")  # each test's agents close their chromadb folder after it

from autogen import ConversableAgent  # noqa: E402
from autogen.agentchat.contrib.capabilities import teachability as t  # noqa: E402
from autogen.agentchat.contrib.capabilities.teachability import Teachability  # noqa: E402
from autogen.agentchat.contrib.retrieve_assistant_agent import RetrieveAssistantAgent  # noqa: E402
from autogen.agentchat.contrib.retrieve_user_proxy_agent import RetrieveUserProxyAgent  # noqa: E402

NO_INSTALL = "You MUST NOT install any packages because all the packages needed are already installed."


# ------------------------------------------------------------------------------------------------ Teachability --
def _analyzer(text: str, instructions: str) -> str:
    answers = {
        t.IS_TASK: "no",
        t.HAS_INFORMATION: "yes" if text.startswith("Remember") else "no",
        t.QUESTION_FOR_INFORMATION: "What is my favourite colour?",
        t.EXTRACT_INFORMATION: "My favourite colour is teal.",
    }
    return answers.get(instructions, "no")


@pytest.fixture
def prompts(llm_server: Any) -> List[str]:
    seen: List[str] = []

    def respond(body: Dict[str, Any]) -> str:
        last = body["messages"][-1]["content"]
        if last.startswith("# TEXT\n"):
            text, instructions = last[len("# TEXT\n") :].split("\n\n# INSTRUCTIONS\n")
            return _analyzer(text, instructions)
        seen.append(last)
        return "noted"

    llm_server.responder = respond
    return seen


def _chat(llm_config: Dict[str, Any], db: Path, message: str, **teach_args: Any) -> None:
    agent = ConversableAgent("teachable_agent", llm_config=llm_config, human_input_mode="NEVER")
    Teachability(path_to_db_dir=str(db), **teach_args).add_to_agent(agent)
    user = ConversableAgent("user", llm_config=False, human_input_mode="NEVER")
    user.initiate_chat(agent, message=message, max_turns=1)


def test_teachability_prints_the_classic_memory_lines(
    llm_config: Dict[str, Any], prompts: List[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "memos"
    _chat(llm_config, db, "Remember this: my favourite colour is teal.", reset_db=True, verbosity=1)
    first = capsys.readouterr().out
    assert "CLEARING MEMORY" in first
    assert "LOADING MEMORY FROM DISK" not in first  # a new store: nothing loaded
    assert "\nREMEMBER THIS QUESTION-ANSWER PAIR\n" in first
    assert "INPUT-OUTPUT PAIR ADDED TO VECTOR DATABASE:" in first

    # a later chat, as after a restart: the store announces itself at every verbosity (classic)
    _chat(llm_config, db, "What is my favourite colour?", verbosity=0)
    quiet = capsys.readouterr().out
    assert f"LOADING MEMORY FROM DISK\n    Location = {db}\n" in quiet
    assert "LOOK FOR RELEVANT MEMOS" not in quiet

    _chat(llm_config, db, "What is my favourite colour?", verbosity=1)
    loud = capsys.readouterr().out
    assert "\nLOOK FOR RELEVANT MEMOS, AS QUESTION-ANSWER PAIRS\n" in loud
    # INPUT1 is the stored memo's input, as classic printed it
    assert (
        "INPUT-OUTPUT PAIR RETRIEVED FROM VECTOR DATABASE:\n  INPUT1\n    What is my favourite colour?\n  OUTPUT\n"
        in loud
    )
    assert "\nMEMOS APPENDED TO LAST MESSAGE...\n\n# " in loud
    assert loud.index("MEMOS APPENDED") < loud.index("- My favourite colour is teal.")
    assert prompts[-1].startswith("What is my favourite colour?\n\n# ")
    assert prompts[-1].endswith("- My favourite colour is teal.\n")


def test_teachability_closest_memo_beyond_threshold(
    llm_config: Dict[str, Any], prompts: List[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "memos"
    _chat(llm_config, db, "Remember this: my favourite colour is teal.", reset_db=True)
    capsys.readouterr()
    _chat(llm_config, db, "Which trains leave for Lisbon tonight?", verbosity=1, recall_threshold=0.01)
    out = capsys.readouterr().out
    # classic: the heading line, then the nearest memo as a retrieved pair, then an empty line
    assert "\nTHE CLOSEST MEMO IS BEYOND THE THRESHOLD:\n\nINPUT-OUTPUT PAIR RETRIEVED FROM VECTOR DATABASE:\n" in out
    assert "MEMOS APPENDED" not in out
    assert prompts[-1] == "Which trains leave for Lisbon tonight?"


def test_teachability_recalls_memos_of_a_classic_memo_folder(
    llm_config: Dict[str, Any], prompts: List[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder written by classic 0.2.35: chromadb collection "memos" holding the inputs under ids "1", "2", ...,
    and the outputs in uid_text_dict.pkl. Its memos are recalled with their outputs."""
    import pickle

    from autogen.agentchat.contrib.vectordb.chromadb import ChromaVectorDB

    db = tmp_path / "classic_memos"
    store = ChromaVectorDB(path=str(db), distance="l2")
    store.create_collection("memos")
    store.insert_docs([{"id": "1", "content": "What is my favourite colour?"}], "memos")  # no metadata, as classic
    store.close()
    with open(db / "uid_text_dict.pkl", "wb") as f:
        pickle.dump({"1": ("What is my favourite colour?", "My favourite colour is teal.")}, f)

    _chat(llm_config, db, "What is my favourite colour?", verbosity=0)
    assert "LOADING MEMORY FROM DISK" in capsys.readouterr().out
    assert prompts[-1].startswith("What is my favourite colour?\n\n# ")
    assert prompts[-1].endswith("- My favourite colour is teal.\n")


class _Planted:
    """A pickle that would run a command when loaded with pickle.load (what a planted memo file could hold)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        import os

        return (os.system, (f"touch {self.marker}",))


def test_a_classic_memo_file_that_names_code_is_refused_and_runs_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """uid_text_dict.pkl is read as plain data only: a pickle naming a function is refused (with a warning) and the
    memos are recalled without outputs, instead of running what the file names."""
    import pickle

    from autogen.agentchat.contrib.capabilities.memo_store import MemoStore
    from autogen.agentchat.contrib.vectordb.chromadb import ChromaVectorDB

    db = tmp_path / "planted"
    store = ChromaVectorDB(path=str(db), distance="l2")
    store.create_collection("memos")
    store.insert_docs([{"id": "1", "content": "What is my favourite colour?"}], "memos")
    store.close()
    marker = tmp_path / "ran"
    with open(db / "uid_text_dict.pkl", "wb") as f:
        pickle.dump({"1": ("What is my favourite colour?", _Planted(marker))}, f)

    with caplog.at_level("WARNING"):
        memos = MemoStore(verbosity=0, reset=False, path_to_db_dir=str(db))
    try:
        assert not marker.exists()
        assert "Could not read the classic memo file" in caplog.text and "posix.system" in caplog.text
        assert memos.list_memos() == [("What is my favourite colour?", "")]
    finally:
        memos.close()


# ------------------------------------------------------------------------------------------------- RetrieveChat --
@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "colours.txt").write_text("The favourite colour of the team is teal.\n", encoding="utf-8")
    return folder


def _agents(llm_config: Dict[str, Any], docs: Any, tmp_path: Path, code: bool = False, **config: Any) -> tuple:
    """A RetrieveUserProxyAgent on ``docs`` (its chromadb store in ``tmp_path``) and a RetrieveAssistantAgent."""
    execution = {"work_dir": str(tmp_path / "code"), "use_docker": False} if code else False
    proxy = RetrieveUserProxyAgent(
        "ragproxyagent",
        human_input_mode="NEVER",
        max_consecutive_auto_reply=2,
        code_execution_config=execution,
        retrieve_config={
            "docs_path": None if docs is None else str(docs),
            "db_config": {"path": str(tmp_path / "chroma")},
            "collection_name": "colours",
            **config,
        },
    )
    assistant = RetrieveAssistantAgent("assistant", system_message="You help.", llm_config=llm_config)
    return proxy, assistant


def _retrieve_chat(llm_config: Dict[str, Any], docs: Path, tmp_path: Path) -> tuple:
    proxy, assistant = _agents(llm_config, docs, tmp_path, code=True, task="code")
    proxy.initiate_chat(assistant, message=proxy.message_generator, problem="Which colour?", n_results=1)
    return proxy, assistant


@pytest.mark.parametrize(
    "code_reply",
    [
        "```python\n!pip --version\n```",  # classic: code starting with "!" or "pip" is not run
        "```sh\npip --version\n```",  # shell blocks are not run either
        "```python\npip --version\n```",
    ],
)
def test_retrieve_proxy_refuses_to_install_packages(
    llm_config: Dict[str, Any],
    llm_server: Any,
    docs: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    code_reply: str,
) -> None:
    llm_server.script(code_reply, "TERMINATE")
    proxy, assistant = _retrieve_chat(llm_config, docs, tmp_path)
    out = capsys.readouterr().out
    answer = proxy.chat_messages[assistant][2]["content"]
    assert answer.startswith("exitcode: 0 (execution succeeded)\nCode output: ")
    assert answer.endswith(NO_INSTALL)
    assert "pip " not in answer  # the block did not run
    # classic prints this line before the first retrieval
    assert "Trying to create collection.\nVectorDB returns doc_ids:" in out  # nothing printed between (classic)


def test_retrieve_proxy_still_runs_python(
    llm_config: Dict[str, Any], llm_server: Any, docs: Path, tmp_path: Path
) -> None:
    llm_server.script("```python\nprint('teal' * 2)\n```", "TERMINATE")
    proxy, assistant = _retrieve_chat(llm_config, docs, tmp_path)
    answer = proxy.chat_messages[assistant][2]["content"]
    assert answer.startswith("exitcode: 0 (execution succeeded)\nCode output: ")
    assert "tealteal" in answer


def test_update_context_typed_by_the_user_sends_the_next_chunks(
    llm_config: Dict[str, Any], llm_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Classic: a message of the proxy that is just "UPDATE CONTEXT" (a human typed it) goes out as the question
    with the next chunks."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("The team colour is teal.\nThe walls are grey.\n", encoding="utf-8")
    proxy, assistant = _agents(llm_config, folder, tmp_path, task="qa", chunk_mode="one_line")
    llm_server.script("I need more.")
    proxy.initiate_chat(
        assistant, message=proxy.message_generator, problem="Which colour is the team?", n_results=1, max_turns=1
    )
    first = assistant.chat_messages[proxy][0]["content"]
    sent = [line for line in (folder / "a.txt").read_text().splitlines() if line in first]
    assert len(sent) == 1
    capsys.readouterr()

    proxy.send("update context", assistant, request_reply=False)
    second = assistant.last_message(proxy)["content"]
    assert "Which colour is the team?" in second
    rest = [line for line in (folder / "a.txt").read_text().splitlines() if line not in sent]
    assert rest[0] in second and sent[0] not in second
    assert "Adding content of doc" in capsys.readouterr().out

    proxy.send("UPDATE CONTEXT", assistant, request_reply=False)  # nothing left: classic sends TERMINATE
    assert assistant.last_message(proxy)["content"] == "TERMINATE"
    proxy.send("update context, please", assistant, request_reply=False)  # only the bare phrase is replaced
    assert assistant.last_message(proxy)["content"] == "update context, please"


def test_missing_docs_path_is_a_value_error_with_the_classic_sentence(tmp_path: Path) -> None:
    from autogen.retrieve_utils import get_files_from_dir

    missing = tmp_path / "nope"
    with pytest.raises(ValueError, match=r"^Directory .*nope does not exist\. ") as info:
        get_files_from_dir(str(missing))
    assert isinstance(info.value, FileNotFoundError)  # what this project raised before, still caught


def test_default_prompt_lists_the_sources_of_the_context(
    llm_config: Dict[str, Any], llm_server: Any, docs: Path, tmp_path: Path
) -> None:
    """Classic's default task named the documents the context came from and asked for a `Sources:` line."""
    proxy, assistant = _agents(llm_config, docs, tmp_path)
    llm_server.script("Teal.\nSources: colours.txt")
    proxy.initiate_chat(assistant, message=proxy.message_generator, problem="Which colour?", n_results=1)
    first = llm_server.chat_requests()[-1]["messages"][-1]["content"]
    assert str([str(docs / "colours.txt")]) in first
    assert "`Sources: " in first
    assert proxy._current_docs_in_context == [str(docs / "colours.txt")]


def test_teachability_without_llm_is_an_assertion_error(tmp_path: Path) -> None:
    agent = ConversableAgent("a", llm_config=False)
    with pytest.raises(AssertionError, match=r"^Teachability requires a valid llm_config\. "):
        Teachability(path_to_db_dir=str(tmp_path / "db")).add_to_agent(agent)


def test_missing_collection_is_a_value_error(
    llm_config: Dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Classic's stores raised ValueError for a collection that does not exist; 0.2 code catches that."""
    proxy, _ = _agents(llm_config, None, tmp_path, collection_name="gone")
    with pytest.raises(ValueError, match=r"^Collection gone does not exist\. "):
        proxy.message_generator(proxy, None, {"problem": "Which colour?", "n_results": 1})
    assert "Trying to create collection." not in capsys.readouterr().out  # classic: only when docs_path is given
    with pytest.raises(ValueError):
        proxy._vector_db.get_collection("gone")


def test_answer_without_the_prefix_searches_with_it_and_keeps_the_context(
    llm_config: Dict[str, Any], llm_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Classic's multi-hop step: a reply lacking customized_answer_prefix is searched with (its first sentence),
    and the next message carries every chunk found so far."""
    folder = tmp_path / "docs"
    folder.mkdir()
    lines = ["The team likes the colour of its logo best.", "The logo of the team is orange.", "Lunch is at noon."]
    (folder / "a.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proxy, assistant = _agents(
        llm_config, folder, tmp_path, task="qa", chunk_mode="one_line", customized_answer_prefix="the answer is"
    )
    queries: List[str] = []
    retrieve = proxy.retrieve_docs
    monkeypatch.setattr(
        proxy, "retrieve_docs", lambda problem, *a, **k: (queries.append(problem), retrieve(problem, *a, **k))
    )
    llm_server.script("The logo of the team is orange or not? I must look.\nMore words.", "The answer is orange.")
    proxy.initiate_chat(
        assistant, message=proxy.message_generator, problem="Which colour does the team like?", n_results=1
    )
    assert queries == ["Which colour does the team like?", "The logo of the team is orange or not?"]
    assert proxy._intermediate_answers == {"The logo of the team is orange or not?"}
    first, second = [r["messages"][-1]["content"] for r in llm_server.chat_requests()]
    assert lines[0] in first and lines[1] not in first
    assert lines[0] in second and lines[1] in second  # the chunk sent before, and the one the answer found
    assert assistant.chat_messages[proxy][0]["content"] == second  # the conversation was reset


def test_no_docs_path_key_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING"):
        RetrieveUserProxyAgent("rag", retrieve_config={"collection_name": "kept"})
    assert "docs_path is not provided in retrieve_config. Will raise ValueError if the collection `kept`" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        RetrieveUserProxyAgent("rag", retrieve_config={"docs_path": None, "collection_name": "kept"})
    assert "docs_path" not in caplog.text


def test_query_vector_db_has_the_keys_of_chromadbs_query_result(docs: Path, tmp_path: Path) -> None:
    from autogen.retrieve_utils import create_vector_db_from_dir, query_vector_db

    client = create_vector_db_from_dir(str(docs), db_path=str(tmp_path / "db"))
    result = query_vector_db(["Which colour?"], n_results=1, client=client)
    assert sorted(result) == ["data", "distances", "documents", "embeddings", "ids", "included", "metadatas", "uris"]
    assert result["embeddings"] is None and result["uris"] is None and result["data"] is None
    assert result["documents"] == [["The favourite colour of the team is teal."]]


def test_prepopulate_db_is_the_memo_stores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from autogen.agentchat.contrib.capabilities.memo_store import PREPOPULATED_MEMOS

    teachability = Teachability(verbosity=1, reset_db=True, path_to_db_dir=str(tmp_path / "db"))
    teachability.prepopulate_db()
    assert "\nPREPOPULATING MEMORY\n" in capsys.readouterr().out  # classic's line at verbosity >= 1
    assert sorted(teachability.memo_store.list_memos()) == sorted(PREPOPULATED_MEMOS)


def test_context_notices_follow_the_ranking(capsys: pytest.CaptureFixture[str]) -> None:
    proxy = RetrieveUserProxyAgent(
        "rag",
        retrieve_config={
            "docs_path": None,
            "context_max_tokens": 10,
            "custom_token_count_function": lambda text, model: len(text.split()),
        },
    )
    proxy.n_results = 5
    ranked = [[({"id": "a", "content": "short one"}, 0.1), ({"id": "b", "content": "long " * 50}, 0.2)]]
    ranked[0].append(({"id": "c", "content": "short two"}, 0.3))
    assert proxy._get_context(ranked) == "short one\nshort two\n"
    assert capsys.readouterr().out.splitlines() == [
        "Adding content of doc a to context.",
        "Skip doc_id b as it is too long to fit in the context.",
        "Adding content of doc c to context.",
    ]

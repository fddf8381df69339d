"""Classic helper functions that 0.2-era code imports from their classic module paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List

import pytest


def test_parse_html_to_markdown_heads_the_page_with_its_title() -> None:
    pytest.importorskip("bs4")
    pytest.importorskip("markdownify")
    from autogen.retrieve_utils import parse_html_to_markdown

    html = (
        "<html><head><title>Tides</title><style>p {color: red}</style></head><body><h2>Why</h2>"
        "<p>The <a href='/moon'>moon</a> pulls.</p><script>alert(1)</script></body></html>"
    )
    text = parse_html_to_markdown(html, url="https://example.org/sea/")
    assert text.startswith("# Tides\n\n")
    assert "## Why" in text and "[moon](https://example.org/moon)" in text
    assert "alert" not in text and "color" not in text
    assert not parse_html_to_markdown("<p>no title</p>").startswith("#")


def test_voting_counts_groups_equivalent_boxed_answers() -> None:
    from autogen.math_utils import eval_math_responses, voting_counts

    responses = [
        "so it is \\boxed{\\frac{1}{2}}",
        "no answer here",
        "I get \\boxed{0.5}",
        "maybe \\boxed{3}",
        "\\boxed{1/2} then",
    ]
    assert voting_counts(responses) == {0: 3, 3: 1}
    assert voting_counts(["nothing", "boxed nowhere"]) == {}
    result = eval_math_responses(responses, solution="\\boxed{0.5}")
    assert (result["voted_answer"], result["votes"], result["success_vote"]) == (responses[0], 3, True)
    assert eval_math_responses(["\\boxed{2}", "\\boxed{3}", "\\boxed{3}"], "\\boxed{2}")["success_vote"] is False


def test_llmlingua_lives_at_its_classic_path() -> None:
    from autogen.agentchat.contrib.capabilities.text_compressors import LLMLingua, TextCompressor

    assert LLMLingua.__module__ == "autogen.agentchat.contrib.capabilities.text_compressors"

    class Halves:
        def compress_text(self, text: str, **params: object) -> dict:
            return {"compressed_prompt": text[: len(text) // 2]}

    assert isinstance(Halves(), TextCompressor) and not isinstance(object(), TextCompressor)


def test_solve_problem_votes_over_the_model_answers(llm_server: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from autogen.math_utils import DEFAULT_MODEL, solve_problem

    monkeypatch.chdir(tmp_path)  # the classic completion cache goes to ./.cache
    llm_server.script("It is \\boxed{4}.")
    answer, cost = solve_problem("What is 2+2?", config_list=llm_server.config_list(DEFAULT_MODEL), use_cache=False)
    assert answer == "It is \\boxed{4}." and cost > 0
    (request,) = llm_server.chat_requests()
    assert request["model"] == "gpt-4" and request["messages"][0]["content"].startswith("What is 2+2? ")
    assert "\\boxed{}" in request["messages"][0]["content"]


def test_a_classic_custom_executor_with_its_own_result_fields(llm_server: Any, llm_config: dict) -> None:
    # 0.2-era plugins declare result fields pydantic-style (annotations on a CodeResult subclass)
    from autogen import AssistantAgent, ConversableAgent
    from autogen.coding import CodeBlock, MarkdownCodeExtractor
    from autogen.coding.base import CodeResult

    class TimedResult(CodeResult):
        blocks_run: int
        note: str = ""

    class CountingExecutor:
        @property
        def code_extractor(self) -> MarkdownCodeExtractor:
            return MarkdownCodeExtractor()

        def execute_code_blocks(self, code_blocks: List[CodeBlock]) -> TimedResult:
            return TimedResult(exit_code=0, output=f"ran {len(code_blocks)} block(s)", blocks_run=len(code_blocks))

        def restart(self) -> None:
            pass

    result = TimedResult(exit_code=1, output="x", blocks_run=2)
    assert result.model_dump() == {"exit_code": 1, "output": "x", "blocks_run": 2, "note": ""}
    assert TimedResult.model_validate(result.model_dump()) == result
    assert json.loads(result.model_dump_json())["blocks_run"] == 2
    llm_server.script("```python\nprint(1)\n```\n```sh\necho 2\n```")
    runner = ConversableAgent("runner", llm_config=False, code_execution_config={"executor": CountingExecutor()})
    coder = AssistantAgent("coder", llm_config=llm_config)
    chat = runner.initiate_chat(coder, message="go", max_turns=2, silent=True)
    assert chat.chat_history[2]["content"] == "exitcode: 0 (execution succeeded)\nCode output: ran 2 block(s)"


def test_an_executor_gets_all_blocks_at_once_and_the_legacy_dict_one_by_one(
    llm_server: Any, llm_config: dict, tmp_path: Path
) -> None:
    # classic: {"executor": ...} hands the executor every block in one call and announces one run;
    # the legacy dict (work_dir/use_docker) runs and announces block by block
    from helpers import ScriptedIO

    from autogen import AssistantAgent, UserProxyAgent
    from autogen.coding import LocalCommandLineCodeExecutor
    from autogen.io.base import IOStream

    two = "```python\nprint(6 * 7)\n```\nthen\n```sh\necho done\n```"
    configs = {
        "executor": {"executor": LocalCommandLineCodeExecutor(work_dir=tmp_path / "a")},
        "legacy": {"work_dir": str(tmp_path / "b"), "use_docker": False},
    }
    seen = {}
    for kind, config in configs.items():
        llm_server.script(two, "```python\nprint('only')\n```", "Done.")
        user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=config)
        io = ScriptedIO()
        with IOStream.set_default(io):
            chat = user.initiate_chat(AssistantAgent("coder", llm_config=llm_config), message="go", max_turns=3)
        seen[kind] = (io.output, [m["content"] for m in chat.chat_history if m["content"].startswith("exitcode")])
    expected = {  # banners shown, a banner never shown, the replies
        "executor": (
            ["EXECUTING 2 CODE BLOCKS (inferred languages are [python, sh])...",
             "EXECUTING CODE BLOCK (inferred language is python)..."],
            "CODE BLOCK 0",
            ["42\ndone\n", "only\n"],
        ),
        "legacy": (
            ["EXECUTING CODE BLOCK 0 (inferred language is python)...",
             "EXECUTING CODE BLOCK 1 (inferred language is sh)..."],
            "CODE BLOCKS",
            ["\n42\n\ndone\n", "\nonly\n"],
        ),
    }  # fmt: skip
    for kind, (banners, never, outputs) in expected.items():
        output, replies = seen[kind]
        assert all(banner in output for banner in banners) and never not in output
        assert replies == [f"exitcode: 0 (execution succeeded)\nCode output: {out}" for out in outputs]


def test_function_errors_keep_the_classic_texts(llm_server: Any, llm_config: dict) -> None:
    from autogen import AssistantAgent, UserProxyAgent

    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    user.register_function({"add_num": lambda num_to_be_added: num_to_be_added + 10})
    assert user.execute_function({"name": "add_num", "arguments": '{"num_to_be_added": 5}'})[1]["content"] == "15"
    ok, missing = user.execute_function({"name": "subtract_num", "arguments": "{}"})
    assert not ok and missing["content"] == "Error: Function subtract_num not found."
    ok, bad = user.execute_function({"name": "add_num", "arguments": '{ "num_to_be_added": 5, given_num: 10 }'})
    assert not ok and bad["content"].endswith("\n The argument must be in JSON format.")
    # the same texts reach the model as tool results
    llm_server.script({"tool_calls": [{"name": "nope", "arguments": "{}"}]}, "fine")
    assistant = AssistantAgent("assistant", llm_config=llm_config)
    chat = user.initiate_chat(assistant, message="go", max_turns=2, silent=True)
    assert chat.chat_history[2]["tool_responses"][0]["content"] == "Error: Function nope not found."


def test_vector_db_factory_and_logger_at_their_classic_paths(tmp_path: Path) -> None:
    import logging

    pytest.importorskip("chromadb")
    from autogen.agentchat.contrib.vectordb.base import VectorDBFactory
    from autogen.agentchat.contrib.vectordb.utils import ColoredLogger

    def embed(texts: List[str]) -> List[List[float]]:
        return [[float(len(t)), 1.0] for t in texts]

    db = VectorDBFactory.create_vector_db("chroma", path=str(tmp_path / "db"), embedding_function=embed)
    try:
        db.create_collection("notes")
        db.insert_docs([{"id": "1", "content": "tides"}], collection_name="notes")
        assert [d["content"] for d in db.get_docs_by_ids(["1"], collection_name="notes")] == ["tides"]
    finally:
        db.close()
    with pytest.raises(ValueError, match="Unsupported vector database type: 'mongodb'"):
        VectorDBFactory.create_vector_db("mongodb")
    records: List[logging.LogRecord] = []
    logger = ColoredLogger("classic.vectordb", logging.DEBUG)
    logger.addHandler(type("Keep", (logging.Handler,), {"emit": lambda self, r: records.append(r)})())
    logger.warning("low on %s", "space")
    logger.info("fine", color="green")
    assert [(r.levelname, r.getMessage().endswith("low on space")) for r in records][0] == ("WARNING", True)
    assert "fine" in records[1].getMessage() and len(records) == 2


def test_a_chroma_store_made_without_a_path_persists_in_the_classic_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # classic ChromaVectorDB() and a RetrieveUserProxyAgent with the default vector_db keep their data in
    # ./tmp/db, so a later run (get_or_create, no docs_path) finds what an earlier one stored
    pytest.importorskip("chromadb")
    from autogen.agentchat.contrib.retrieve_user_proxy_agent import RetrieveUserProxyAgent
    from autogen.agentchat.contrib.vectordb.chromadb import ChromaVectorDB

    def embed(texts: List[str]) -> List[List[float]]:
        return [[float(len(t)), 1.0] for t in texts]

    monkeypatch.chdir(tmp_path)
    with ChromaVectorDB(embedding_function=embed) as db:
        db.create_collection("kept")
        db.insert_docs([{"id": "a", "content": "stored earlier"}], collection_name="kept")
    assert (tmp_path / "tmp" / "db").is_dir()
    proxy = RetrieveUserProxyAgent(
        "rag",
        human_input_mode="NEVER",
        code_execution_config=False,
        retrieve_config={"docs_path": None, "collection_name": "kept", "embedding_function": embed},
    )
    assert proxy._vector_db.get_docs_by_ids(["a"], collection_name="kept")[0]["content"] == "stored earlier"

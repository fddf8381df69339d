"""Classic 0.2 behaviour of the helper modules and contrib agents that 0.2-era code sees (images, tool schemas,
the agent optimizer's questions), found by running the same scenarios under pyautogen 0.2.35 and here."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Annotated, Any, List

import pytest

from autogen.io.base import IOStream

pytest.importorskip("PIL")


@pytest.fixture
def red_png(tmp_path: Path) -> Path:
    from PIL import Image

    path = tmp_path / "red.png"
    Image.new("RGB", (4, 3), (255, 0, 0)).save(path)
    return path


class _Recorded:
    """An IOStream keeping what is printed and answering input() from a list."""

    def __init__(self, answers: List[str]) -> None:
        self.printed: List[str] = []
        self.prompts: List[str] = []
        self.answers = list(answers)

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        self.printed.append(sep.join(map(str, objects)) + end)

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        self.prompts.append(prompt)
        return self.answers.pop(0)


# ------------------------------------------------------------------------------------------------ img_utils


def test_gpt4v_formatter_rejects_an_unknown_format_with_an_assertion_error(red_png: Path) -> None:
    from autogen.agentchat.contrib.img_utils import gpt4v_formatter

    with pytest.raises(AssertionError):
        gpt4v_formatter(f"see <img {red_png}>", img_format="base64")  # type: ignore[arg-type]
    with pytest.raises(AssertionError):  # classic asserted before looking at the text
        gpt4v_formatter("no image at all", img_format="jpeg")  # type: ignore[arg-type]


def test_gpt4v_formatter_prints_the_classic_warning_and_keeps_the_tag(
    red_png: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from autogen.agentchat.contrib.img_utils import gpt4v_formatter

    parts = gpt4v_formatter(f"a <img {red_png}> b <img missing.png> c")
    assert capsys.readouterr().out.startswith("Warning! Unable to load image from missing.png, because ")
    assert [p["type"] for p in parts] == ["text", "image_url", "text"]
    assert parts[2]["text"] == " b <img missing.png> c"
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_llava_formatter_drops_an_unloadable_tag_with_the_classic_warning(red_png: Path) -> None:
    from autogen.agentchat.contrib.img_utils import llava_formatter

    stream = _Recorded([])
    with IOStream.set_default(stream):
        text, images = llava_formatter(f"a <img missing.png> b <img {red_png}> c", order_image_tokens=True)
    assert text == "a  b <image 0> c"
    assert len(images) == 1
    assert stream.printed[0].startswith("Warning! Unable to load image from missing.png, because of ")


def test_image_paths_in_quotes_load(red_png: Path) -> None:
    from autogen.agentchat.contrib.img_utils import get_image_data, get_pil_image

    for quoted in (f"'{red_png}'", f'"{red_png}"'):
        assert get_pil_image(quoted).size == (4, 3)
        assert get_image_data(quoted) == base64.b64encode(red_png.read_bytes()).decode()


def test_a_missing_image_raises_the_classic_binascii_error(tmp_path: Path) -> None:
    from autogen.agentchat.contrib.img_utils import get_image_data

    with pytest.raises(binascii.Error, match="Cannot load the image"):
        get_image_data(str(tmp_path / "nope.png"))


# ----------------------------------------------------------------------------------------------- function_utils


def test_get_parameters_returns_the_classic_parameters_model() -> None:
    from autogen._pydantic import model_dump
    from autogen.function_utils import (
        Parameters,
        get_default_values,
        get_param_annotations,
        get_parameters,
        get_required_params,
        get_typed_signature,
    )

    def f(a: Annotated[str, "Parameter a"], b=1, c: Annotated[float, "Parameter c"] = 1.0) -> str:  # type: ignore[no-untyped-def]
        return a

    sig = get_typed_signature(f)
    params = get_parameters(get_required_params(sig), get_param_annotations(sig), get_default_values(sig))
    assert isinstance(params, Parameters)
    assert model_dump(params) == {
        "type": "object",
        "properties": {
            "a": {"type": "string", "description": "Parameter a"},
            "c": {"type": "number", "description": "Parameter c", "default": 1.0},
        },
        "required": ["a"],
    }


def test_get_function_schema_warns_before_it_rejects_a_missing_annotation(caplog: pytest.LogCaptureFixture) -> None:
    from autogen.function_utils import get_function_schema

    def f(a, b: int, c=3):  # type: ignore[no-untyped-def]
        return a

    with caplog.at_level("WARNING", logger="autogen.function_utils"):
        with pytest.raises(TypeError, match="The annotations are missing for the following parameters: 'a'"):
            get_function_schema(f, description="f")
    messages = [r.getMessage() for r in caplog.records if r.name == "autogen.function_utils"]
    assert messages[0].startswith("The return type of the function 'f' is not annotated.")
    assert messages[1].startswith(
        "The following parameters of the function 'f' with default values are not annotated: 'c'."
    )


def test_get_function_schema_needs_a_string_description() -> None:
    from autogen.function_utils import get_function_schema

    def f(a: int) -> str:
        return str(a)

    with pytest.raises(ValueError, match="description"):  # classic: pydantic's ValidationError
        get_function_schema(f, description=None)  # type: ignore[arg-type]
    assert get_function_schema(f, description="")["function"]["description"] == ""


# ------------------------------------------------------------------------------------------------ AgentOptimizer


def _optimizer() -> Any:
    from autogen.agentchat.contrib.agent_optimizer import AgentOptimizer

    return AgentOptimizer(1, {"config_list": [{"model": "gpt-4-1106-preview", "api_key": "x"}]})


def test_agent_optimizer_asks_the_classic_question_and_asserts_on_a_bad_answer() -> None:
    opt = _optimizer()
    stream = _Recorded(["1", "maybe"])
    with IOStream.set_default(stream):
        opt.record_one_conversation([{"role": "user", "content": "x"}])
        with pytest.raises(AssertionError, match=r"^The input is invalid\. Please input 1 or 0\. 1 represents"):
            opt.record_one_conversation([{"role": "user", "content": "y"}])
    assert stream.prompts[0] == (
        "Please provide whether the user is satisfied with the solution. 1 represents satisfied. "
        "0 represents not satisfied. Press enter to submit. \n"
    )
    assert opt._trial_conversations_performance == [{"Conversation 0": 1}]


def test_agent_optimizer_llm_config_must_be_a_dict() -> None:
    from autogen.agentchat.contrib.agent_optimizer import AgentOptimizer

    with pytest.raises(AssertionError, match="^llm_config must be a dict"):
        AgentOptimizer(1, "gpt-4")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------- RetrieveUserProxyAgent


def _retriever(own_search: bool = True, **config: Any) -> Any:
    """A RetrieveUserProxyAgent; with ``own_search`` its retrieve_docs is overridden (the classic documented way to
    plug in a search of one's own) to return two fixed chunks, else it searches the documents of ``docs_path``."""
    from autogen.agentchat.contrib.retrieve_user_proxy_agent import RetrieveUserProxyAgent

    class Retriever(RetrieveUserProxyAgent):
        def retrieve_docs(self, problem: str, n_results: int = 20, search_string: str = "", **kwargs: Any) -> None:
            self._results = [[({"id": "d1", "content": "Doc one."}, 0.1), ({"id": "d2", "content": "Doc two."}, 0.2)]]

    if own_search:
        config = {"docs_path": None, "embedding_function": lambda texts: [[0.0, 1.0] for _ in texts], **config}
    agent_class = Retriever if own_search else RetrieveUserProxyAgent
    return agent_class("rag", human_input_mode="NEVER", retrieve_config=config, code_execution_config=False)


def test_retrieve_context_holds_at_most_n_results_chunks_each_ending_with_a_newline() -> None:
    rag = _retriever(customized_prompt="Q: {input_question}\nC: {input_context}")
    assert rag.message_generator(rag, None, {"problem": "Why?", "n_results": 1}) == "Q: Why?\nC: Doc one.\n"
    assert rag._get_context(rag._results) == "Doc two.\n"  # the next chunk, for UPDATE CONTEXT
    both = _retriever(customized_prompt="{input_context}")
    assert both.message_generator(both, None, {"problem": "Why?", "n_results": 5}) == "Doc one.\nDoc two.\n"


def test_retrieve_task_names_ignore_case() -> None:
    messages = {}
    for task in ("QA", "qa", "default"):
        rag = _retriever(task=task)
        messages[task] = rag.message_generator(rag, None, {"problem": "Why?"})
    assert messages["QA"] == messages["qa"] != messages["default"]


# ------------------------------------------------------------------------------------------------- module names


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("autogen.function_utils", "model_dump"),
        ("autogen.function_utils", "model_dump_json"),
        ("autogen.function_utils", "type2schema"),
        ("autogen.function_utils", "evaluate_forwardref"),
        ("autogen.agentchat.contrib.llava_agent", "DEFAULT_LLAVA_SYS_MSG"),
        ("autogen.agentchat.contrib.text_analyzer_agent", "system_message"),
        ("autogen.agentchat.contrib.retrieve_user_proxy_agent", "query_vector_db"),
        ("autogen.agentchat.contrib.retrieve_user_proxy_agent", "create_vector_db_from_dir"),
        ("autogen.agentchat.contrib.retrieve_user_proxy_agent", "split_files_to_chunks"),
        ("autogen.agentchat.contrib.retrieve_user_proxy_agent", "get_files_from_dir"),
        ("autogen.agentchat.contrib.retrieve_user_proxy_agent", "TEXT_FORMATS"),
        ("autogen.agentchat.contrib.retrieve_user_proxy_agent", "count_token"),
    ],
)
def test_classic_module_level_names(module: str, name: str) -> None:
    import importlib

    assert getattr(importlib.import_module(module), name) is not None


def test_classic_module_level_names_are_the_ones_in_use() -> None:
    from autogen import retrieve_utils
    from autogen.agentchat.contrib import llava_agent, retrieve_user_proxy_agent, text_analyzer_agent
    from autogen.agentchat.contrib.text_analyzer_agent import TextAnalyzerAgent

    assert llava_agent.DEFAULT_LLAVA_SYS_MSG == llava_agent.LLaVAAgent.__init__.__defaults__[0]
    assert text_analyzer_agent.system_message == TextAnalyzerAgent.DEFAULT_SYSTEM_MESSAGE
    assert retrieve_user_proxy_agent.query_vector_db is retrieve_utils.query_vector_db
    with pytest.raises(AttributeError):
        retrieve_user_proxy_agent.no_such_name  # noqa: B018


# ------------------------------------------------------------------------------------------- MathUserProxyAgent


def test_math_errors_show_the_classic_blank_file_name(tmp_path: Path) -> None:
    from autogen.agentchat.contrib.math_user_proxy_agent import MathUserProxyAgent

    agent = MathUserProxyAgent(
        "math", human_input_mode="NEVER", code_execution_config={"use_docker": False, "work_dir": str(tmp_path)}
    )
    output, ok = agent.execute_one_python_code("x = 1\nprint(x / 0)")
    assert not ok
    assert output.startswith('Error: Traceback (most recent call last):\n  File "", line ')
    assert output.endswith("ZeroDivisionError: division by zero\n")
    output, ok = agent.execute_one_python_code("y = [1, 2")
    assert not ok and output.startswith('Error:   File "", line ') and "tmp_code" not in output


def test_retrieve_prints_the_classic_lines(llm_server: Any, llm_config: Any, tmp_path: Path) -> None:
    pytest.importorskip("chromadb")
    pytest.importorskip("sentence_transformers")
    from autogen.agentchat.contrib.retrieve_assistant_agent import RetrieveAssistantAgent

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tides.md").write_text("High tide at the harbour is at 6 am.\n", encoding="utf-8")
    config = {"task": "qa", "docs_path": str(docs), "db_config": {"path": str(tmp_path / "chroma")}}
    proxy = _retriever(own_search=False, collection_name="tides", **config)
    assistant = RetrieveAssistantAgent("assistant", llm_config=llm_config)
    llm_server.script("At 6 am.")
    stream = _Recorded([])
    with IOStream.set_default(stream):
        proxy.initiate_chat(assistant, message=proxy.message_generator, problem="When is high tide?", n_results=1)
    printed = "".join(stream.printed)
    (doc_id,) = proxy._doc_ids
    assert f"VectorDB returns doc_ids:  [['{doc_id}']]\n" in printed
    assert re.search(rf"Adding content of doc {doc_id} to context\.(\x1b\[0m)?\n", printed)  # no source added

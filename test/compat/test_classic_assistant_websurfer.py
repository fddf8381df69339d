"""GPTAssistantAgent and WebSurferAgent / SimpleTextBrowser against classic 0.2.35 (found with scripts/classic_diff).

Everything runs through the real openai SDK against the local Assistants API of test/llm_server.py, and the real
HTTP browser against the local site of test/site_server.py.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterator

import pytest
from helpers import ScriptedIO
from kitchen_site import BING_KEY, bing_route, write_site
from site_server import SiteServer

from autogen import UserProxyAgent
from autogen.agentchat.contrib.gpt_assistant_agent import GPTAssistantAgent
from autogen.agentchat.contrib.web_surfer import WebSurferAgent
from autogen.browser_utils import SimpleTextBrowser
from autogen.io.base import IOStream

ADD = {"type": "function", "function": {"name": "add", "description": "Add.", "parameters": {"type": "object"}}}


@pytest.fixture
def io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def warnings_of(caplog: pytest.LogCaptureFixture) -> list:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def assistant(llm_config: dict, **kwargs: Any) -> GPTAssistantAgent:
    return GPTAssistantAgent(llm_config={"config_list": llm_config["config_list"]}, **kwargs)


# ------------------------------------------------------------------------------------ GPTAssistantAgent --
def test_every_assistant_agent_logs_the_classic_client_config_line(
    llm_config: dict, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assistant(llm_config, name="helper", instructions="Be short.")
    assert warnings_of(caplog)[0] == "OpenAI client config of GPTAssistantAgent(helper) - model: gpt-4"


def test_skipping_a_same_name_assistant_logs_the_classic_warnings(
    llm_config: dict, caplog: pytest.LogCaptureFixture
) -> None:
    made = assistant(llm_config, name="tooly", instructions="Use tools.", assistant_config={"tools": [ADD]})
    with caplog.at_level(logging.WARNING):
        assistant(llm_config, name="tooly", instructions="Other.")
        assistant(llm_config, name="tooly", instructions="Use tools.")
    skipped = [m for m in warnings_of(caplog) if "skip assistant" in m]
    assert skipped[0] == f"instructions not match, skip assistant({made.assistant_id})"
    assert f"tools not match, skip assistant({made.assistant_id}): tools [], functions ['add']" in skipped


def test_reusing_by_id_logs_the_classic_warnings(llm_config: dict, caplog: pytest.LogCaptureFixture) -> None:
    made = assistant(llm_config, name="tooly", instructions="Use tools.", assistant_config={"tools": [ADD]})
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        reused = assistant(llm_config, name="x", assistant_config={"assistant_id": made.assistant_id})
    assert reused.system_message == "Use tools."
    assert warnings_of(caplog)[1:] == [
        "No instructions were provided for given assistant. Using existing instructions from assistant API.",
        "No tools were provided for given assistant. Using existing tools from assistant API.",
    ]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assistant(llm_config, name="x", instructions="New.", assistant_config={"assistant_id": made.assistant_id})
        assistant(
            llm_config,
            name="x",
            instructions="New.",
            overwrite_instructions=True,
            assistant_config={"assistant_id": made.assistant_id, "tools": [{"type": "code_interpreter"}]},
        )
        assistant(
            llm_config,
            name="x",
            overwrite_tools=True,
            assistant_config={"assistant_id": made.assistant_id, "tools": [{"type": "code_interpreter"}]},
        )
    starts = [m.split(" (assistant")[0] for m in warnings_of(caplog) if m.startswith("overwrite_")]
    assert starts == [
        "overwrite_instructions is False. Provided instructions will be used without permanently modifying the "
        "assistant in the API",
        "overwrite_instructions is True. Provided instructions will be used and will modify the assistant in the API",
        "overwrite_tools is False. Using existing tools from assistant API",
        "overwrite_tools is True. Provided tools will be used and will modify the assistant in the API",
    ]


def test_classic_names_exist() -> None:
    from autogen.browser_utils import IS_PDF_CAPABLE

    assert IS_PDF_CAPABLE is True  # pdfminer.six is installed in the test environment
    assert GPTAssistantAgent.DEFAULT_MODEL_NAME == "gpt-4"


def test_llm_config_false_raises_the_classic_sentence_first(llm_config: dict) -> None:
    with pytest.raises(ValueError, match=r"^llm_config=False is not supported for GPTAssistantAgent\. "):
        GPTAssistantAgent(name="x", llm_config=False)


def test_a_failed_run_raises_valueerror_with_the_classic_sentence_first(llm_server: Any, llm_config: dict) -> None:
    agent = assistant(llm_config, name="calc", instructions="Add.")
    llm_server.script({"run_status": "failed", "last_error": {"code": "server_error", "message": "boom"}})
    with pytest.raises(ValueError, match=r"^Unexpected run status: failed\. .*server_error: boom"):
        agent.generate_reply([{"role": "user", "content": "hi"}], UserProxyAgent("user", code_execution_config=False))


def test_a_tool_call_logs_the_classic_info_line(
    llm_server: Any, llm_config: dict, io: ScriptedIO, caplog: pytest.LogCaptureFixture
) -> None:
    agent = assistant(llm_config, name="calc", instructions="Add.", assistant_config={"tools": [ADD]})
    agent.register_function({"add": lambda a, b: a + b})
    llm_server.script({"tool_calls": [{"name": "add", "arguments": '{"a": 2, "b": 3}'}]}, "It is 5.")
    with caplog.at_level(logging.INFO, logger="autogen"):
        reply = agent.generate_reply([{"role": "user", "content": "2+3?"}], UserProxyAgent("user"))
    assert reply == {"role": "assistant", "content": "It is 5."}
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Intermediate executing(")]
    assert lines and lines[0].startswith("Intermediate executing(add, Success: True) : 5 [")


def test_pretty_print_thread_prints_the_classic_layout(llm_server: Any, llm_config: dict, io: ScriptedIO) -> None:
    agent = assistant(llm_config, name="calc", instructions="Add.")
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0)
    llm_server.script("It is 5.")
    user.initiate_chat(agent, message="What is 2+3?")
    start = len(io.output)
    agent.pretty_print_thread(agent.oai_threads[user])
    lines = io.output[start:].splitlines()
    assert lines[0] == "~~~~~~~THREAD CONTENTS~~~~~~~" and lines[-1] == "~" * 29
    assert [line.split("] ", 1)[-1] for line in lines[1:-1]] == [
        "user : [ text ]",
        "text :  What is 2+3?",
        "assistant : [ text ]",
        "text :  It is 5.",
    ]


# ------------------------------------------------------------------------------- browser and surfer --
@pytest.fixture
def site(tmp_path: Path) -> Iterator[SiteServer]:
    with SiteServer(write_site(tmp_path / "site")) as server:
        yield server


def test_searching_without_a_bing_key_raises_the_classic_sentence_first(site: SiteServer) -> None:
    browser = SimpleTextBrowser(start_page=site.url + "/index.html")
    with pytest.raises(ValueError, match=r"^Missing Bing API key\. "):
        browser.visit_page("bing: soup")


def test_search_results_page_has_the_classic_layout(site: SiteServer) -> None:
    site.route("/search", bing_route(site.url))
    browser = SimpleTextBrowser(bing_api_key=BING_KEY, bing_base_url=site.url + "/search", viewport_size=100)
    text = browser.visit_page("bing: soup")
    assert len(browser.viewport_pages) == 1  # the results are shown whole, whatever the viewport size
    assert text.startswith("A Bing search for 'soup' found 4 results:\n\n## Web Results\n1. [Test Kitchen](")
    assert text.endswith(f"\n\n## News Results:\n4. [Kitchen news]({site.url}/notes.txt)\nNew notes.")


def test_summarizing_with_a_small_model_logs_the_classic_warning(
    llm_server: Any, llm_config: dict, site: SiteServer, io: ScriptedIO, caplog: pytest.LogCaptureFixture
) -> None:
    surfer = WebSurferAgent("surfer", llm_config=llm_config, browser_config={"start_page": site.url + "/about.html"})
    llm_server.script(
        {"tool_calls": [{"name": "summarize_page", "arguments": "{}"}]}, "A short summary.", "It is about the kitchen."
    )
    with caplog.at_level(logging.WARNING):
        reply = surfer.generate_reply([{"role": "user", "content": "Summarize this page."}], UserProxyAgent("user"))
    assert reply == "It is about the kitchen."
    assert "The token limit (8192) of the WebSurferAgent.summarizer_llm_config, is below the recommended 16k." in (
        warnings_of(caplog)
    )

"""WebSurferAgent: web-surfing chats over a small local website, through the local LLM server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Iterator

import pytest
from helpers import ScriptedIO
from kitchen_site import BING_KEY, NEEDLE, bing_route, write_site
from site_server import SiteServer

from autogen import UserProxyAgent
from autogen.agentchat.contrib.web_surfer import WebSurferAgent
from autogen.io.base import IOStream

BASE_TOOLS = {"visit_page", "page_up", "page_down", "find_on_page_ctrl_f", "find_next"}


@pytest.fixture(autouse=True)
def _io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SiteServer]:
    with SiteServer(write_site(tmp_path / "site")) as server:
        server.route("/search", bing_route(server.url))
        yield server


def call(name: str, **arguments: Any) -> dict:
    return {"tool_calls": [{"name": name, "arguments": arguments}]}


def tool_names(body: dict) -> set:
    return {t["function"]["name"] for t in body.get("tools", [])}


def tool_results(body: dict) -> list:
    return [m["content"] for m in body["messages"] if m["role"] == "tool"]


def user() -> UserProxyAgent:
    return UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0)


def surfer(llm_config: dict, **kwargs: Any) -> WebSurferAgent:
    kwargs.setdefault("browser_config", {"viewport_size": 1024})
    return WebSurferAgent("surfer", llm_config=llm_config, summarizer_llm_config=False, **kwargs)


def test_surfing_chat_follows_links(llm_server: Any, llm_config: dict, site: SiteServer) -> None:
    agent = surfer(llm_config)
    llm_server.script(
        call("visit_page", url=site.url + "/index.html"),
        call("visit_page", url="about.html"),
        "The Test Kitchen has tested recipes since 1999.",
    )
    result = user().initiate_chat(agent, message="Since when has the Test Kitchen existed?")
    assert result.summary == "The Test Kitchen has tested recipes since 1999."
    first, second, third = llm_server.chat_requests()
    assert tool_names(first) == BASE_TOOLS  # no search key, no summarizer
    assert first["messages"][0]["content"] == WebSurferAgent.DEFAULT_PROMPT
    assert "currently open to the page 'None' at the address 'about:blank'" in first["messages"][1]["content"]
    assert first["messages"][-1]["content"] == "Since when has the Test Kitchen existed?"
    (index_page,) = tool_results(second)
    assert index_page.startswith(
        f"Address: {site.url}/index.html\nTitle: Test Kitchen\nViewport position: Showing page 1 of 1."
    )
    assert f"[about us]({site.url}/about.html)" in index_page
    assert "We test recipes since 1999." in tool_results(third)[-1]
    assert agent.browser.address == site.url + "/about.html"


def test_long_page_paging_find_and_pdf(llm_server: Any, llm_config: dict, site: SiteServer) -> None:
    agent = surfer(llm_config)
    llm_server.script(
        call("visit_page", url=site.url + "/long.html"),
        call("page_down"),
        call("find_on_page_ctrl_f", search_string="secret ingredient"),
        call("find_next"),
        call("find_on_page_ctrl_f", search_string="saffron"),
        call("visit_page", url=site.url + "/report.pdf"),
        "Cardamom; revenue grew by 12 percent.",
    )
    result = user().initiate_chat(agent, message="What is the secret ingredient, and how did revenue do?")
    assert result.summary == "Cardamom; revenue grew by 12 percent."
    results = tool_results(llm_server.chat_requests()[-1])
    pages = int(results[0].split("Showing page 1 of ")[1].split(".")[0])
    assert pages > 5
    assert f"Showing page 1 of {pages}" in results[0] and NEEDLE not in results[0]
    assert f"Showing page 2 of {pages}" in results[1]
    assert NEEDLE in results[2] and "Showing page 1 of" not in results[2]
    assert NEEDLE in results[3]  # the only occurrence: find_next wraps around to it
    assert results[4] == "The search string 'saffron' was not found on this page."
    assert "Annual Report 2023" in results[5] and "Revenue grew by 12 percent." in results[5]


def test_search_tools_with_a_key(llm_server: Any, llm_config: dict, site: SiteServer) -> None:
    agent = surfer(
        llm_config,
        browser_config={"bing_api_key": BING_KEY, "bing_base_url": site.url + "/search"},
    )
    llm_server.script(
        call("informational_web_search", query="stock"),
        call("navigational_web_search", query="test kitchen"),
        "Found the kitchen.",
    )
    user().initiate_chat(agent, message="Find the test kitchen.")
    requests = llm_server.chat_requests()
    assert tool_names(requests[0]) == BASE_TOOLS | {"informational_web_search", "navigational_web_search"}
    search_page, landed = tool_results(requests[-1])
    assert "A Bing search for 'stock' found 4 results" in search_page and "Title: stock - Search" in search_page
    assert landed.startswith(f"Address: {site.url}/index.html")  # the top result
    assert [q["q"] for path, q, _ in site.requests if path == "/search"] == [["stock"], ["test kitchen"]]


def test_summarize_and_answer_from_page(llm_server: Any, llm_config: dict, site: SiteServer) -> None:
    agent = WebSurferAgent("surfer", llm_config=llm_config)  # the summarizer uses the same LLM
    assert agent.summarization_client is not None
    llm_server.script(
        call("answer_from_page", question="What is the secret ingredient?", url=site.url + "/long.html"),
        "The summary says: cardamom.",  # the summarizer's answer
        "Cardamom.",
    )
    result = user().initiate_chat(agent, message="What is the secret ingredient of the long article?")
    assert result.summary == "Cardamom."
    summarizer_request = llm_server.chat_requests()[1]
    assert "tools" not in summarizer_request
    prompt = summarizer_request["messages"][-1]["content"]
    assert "with respect to 'What is the secret ingredient?'" in prompt and NEEDLE in prompt
    assert tool_results(llm_server.chat_requests()[2]) == ["The summary says: cardamom."]


def test_outer_history_is_context_and_async_chat(llm_server: Any, llm_config: dict, site: SiteServer) -> None:
    agent = surfer(llm_config)
    proxy = UserProxyAgent(
        "user",
        human_input_mode="NEVER",
        code_execution_config=False,
        max_consecutive_auto_reply=1,
        default_auto_reply="And the notes?",
    )
    llm_server.script(
        call("visit_page", url=site.url + "/index.html"),
        "It is a recipe site.",
        call("visit_page", url="notes.txt"),
        "Bread needs time.",
    )
    result = asyncio.run(proxy.a_initiate_chat(agent, message="What is on the site?"))
    assert [m["content"] for m in result.chat_history] == [
        "What is on the site?",
        "It is a recipe site.",
        "And the notes?",
        "Bread needs time.",
    ]
    third = llm_server.chat_requests()[2]
    contents = [m.get("content") for m in third["messages"]]
    assert "What is on the site?" in contents and "It is a recipe site." in contents  # the outer conversation
    assert f"at the address '{site.url}/index.html'" in contents[3]  # the browser stayed where it was
    assert agent.browser.address == site.url + "/notes.txt"


def test_without_llm_the_surfer_cannot_browse() -> None:
    agent = WebSurferAgent("surfer", llm_config=False)
    assert agent.summarization_client is None and agent._assistant.llm_config is False

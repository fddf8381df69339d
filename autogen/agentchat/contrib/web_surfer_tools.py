"""The browser tools of a WebSurferAgent: offered by its inner assistant, run by its inner user proxy."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Optional

if TYPE_CHECKING:
    from .web_surfer import WebSurferAgent

__all__ = ["register_browser_tools"]

_FIRST_LINK = re.compile(r"\[[^\]]*\]\((https?://[^)\s]+)\)")
_RULE = "\n=======================\n"


def register_browser_tools(surfer: WebSurferAgent, assistant: Any, runner: Any) -> None:
    """Register the browser tools of ``surfer`` with ``assistant`` (for its LLM) and ``runner`` (to run them)."""
    browser = surfer.browser

    def tool(name: str, description: str) -> Any:
        def register(function: Any) -> Any:
            return runner.register_for_execution(name=name)(
                assistant.register_for_llm(name=name, description=description)(function)
            )

        return register

    def state() -> str:
        header, content = surfer._browser_state()
        return header.strip() + _RULE + content

    @tool("visit_page", "Visit a webpage at a given URL (or a path relative to the current page) and return its text.")
    def visit_page(url: Annotated[str, "The relative or absolute url of the webpage to visit."]) -> str:
        browser.visit_page(url)
        return state()

    @tool(
        "page_up", "Scroll the viewport UP one page-length in the current webpage and return the new viewport content."
    )
    def page_up() -> str:
        browser.page_up()
        return state()

    @tool(
        "page_down",
        "Scroll the viewport DOWN one page-length in the current webpage and return the new viewport content.",
    )
    def page_down() -> str:
        browser.page_down()
        return state()

    @tool(
        "find_on_page_ctrl_f",
        "Scroll the viewport to the first occurrence of the search string (like Ctrl+F). "
        "Case-insensitive; '*' matches any text.",
    )
    def find_on_page_ctrl_f(
        search_string: Annotated[str, "The string to look for on the page; may use '*' wildcards."],
    ) -> str:
        if browser.find_on_page(search_string) is None:
            return f"The search string '{search_string}' was not found on this page."
        return state()

    @tool("find_next", "Scroll the viewport to the next occurrence of the last search string.")
    def find_next() -> str:
        if browser.find_next() is None:
            return "No further occurrence was found (or no search was started)."
        return state()

    if browser.bing_api_key:

        @tool("informational_web_search", "Perform an INFORMATIONAL web search query then return the search results.")
        def informational_web_search(query: Annotated[str, "The informational web search query to perform."]) -> str:
            browser.visit_page(f"bing: {query}")
            return state()

        @tool(
            "navigational_web_search",
            "Perform a NAVIGATIONAL web search query then immediately navigate to the top result. Useful, for "
            "example, to go to a particular Wikipedia article or other known destination.",
        )
        def navigational_web_search(query: Annotated[str, "The navigational web search query to perform."]) -> str:
            browser.visit_page(f"bing: {query}")
            match = _FIRST_LINK.search(browser.page_content)
            if match is not None:
                browser.visit_page(match.group(1))
            return state()

    if surfer.summarization_client is not None:

        @tool("answer_from_page", "Use AI to read the page and directly answer a given question based on its content.")
        def answer_from_page(
            question: Annotated[str, "The question to directly answer."],
            url: Annotated[Optional[str], "[Optional] The url of the page. (Defaults to the current page)"] = None,
        ) -> str:
            return surfer._summarize_page(question, url)

        @tool("summarize_page", "Use AI to summarize the content of the page.")
        def summarize_page(
            url: Annotated[
                Optional[str], "[Optional] The url of the page to summarize. (Defaults to the current page)"
            ] = None,
        ) -> str:
            return surfer._summarize_page(None, url)

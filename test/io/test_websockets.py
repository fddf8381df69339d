"""IOWebsockets end to end: a real websocket client (and a real Chromium page) drives agents that talk to the local
OpenAI-compatible server, as the classic documentation shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from autogen import ConversableAgent, UserProxyAgent
from autogen.io import IOStream, IOWebsockets

pytest.importorskip("websockets")
from websockets.sync.client import connect  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PAGE = Path(__file__).parent / "websocket_chat.html"


def _two_agent_chat(llm_config: dict[str, Any], human_input_mode: str = "NEVER") -> Callable[[IOWebsockets], None]:
    """The classic on_connect: read the task from the client, then run a two-agent chat printing to it."""

    def on_connect(iostream: IOWebsockets) -> None:
        assert IOStream.get_default() is iostream
        initial_msg = iostream.input()
        agent = ConversableAgent(
            name="chatbot",
            system_message="Complete the task. Reply TERMINATE when done.",
            llm_config=llm_config,
        )
        user_proxy = UserProxyAgent(
            name="user_proxy",
            human_input_mode=human_input_mode,
            max_consecutive_auto_reply=2,
            is_termination_msg=lambda m: "TERMINATE" in (m.get("content") or ""),
            code_execution_config=False,
        )
        user_proxy.initiate_chat(agent, message=initial_msg)
        iostream.print("CHAT DONE")

    return on_connect


def _read_until(websocket: Any, marker: str) -> str:
    received = ""
    while marker not in received:
        message = websocket.recv(timeout=20)
        received += message.decode("utf-8") if isinstance(message, bytes) else message
    return received


def test_websocket_client_drives_two_agent_chat(llm_server: Any, llm_config: dict[str, Any]) -> None:
    llm_server.script("Paris is sunny today. Here is a poem about it. TERMINATE")
    with IOWebsockets.run_server_in_thread(on_connect=_two_agent_chat(llm_config), port=0) as uri:
        assert uri.startswith("ws://127.0.0.1:")
        with connect(uri) as websocket:
            websocket.send("Check out the weather in Paris and write a poem about it.")
            received = _read_until(websocket, "CHAT DONE")
    assert "Check out the weather in Paris" in received  # the user proxy's message, printed to the client
    assert "Paris is sunny today" in received  # the LLM's reply, printed to the client
    request = llm_server.chat_requests()[0]
    assert request["messages"][-1]["content"] == "Check out the weather in Paris and write a poem about it."


def test_human_input_is_asked_over_the_socket(llm_server: Any, llm_config: dict[str, Any]) -> None:
    llm_server.script("Which city?", "Lyon is rainy. TERMINATE")
    with IOWebsockets.run_server_in_thread(on_connect=_two_agent_chat(llm_config, "ALWAYS"), port=0) as uri:
        with connect(uri) as websocket:
            websocket.send("Tell me the weather.")
            _read_until(websocket, "Which city?")
            prompt = _read_until(websocket, "Provide feedback")  # the human-input prompt comes over the socket
            assert "chatbot" in prompt
            websocket.send("Lyon")
            _read_until(websocket, "Lyon is rainy")
            _read_until(websocket, "Provide feedback")
            websocket.send("exit")
            _read_until(websocket, "CHAT DONE")
    assert llm_server.chat_requests()[1]["messages"][-1]["content"] == "Lyon"


def test_bytes_from_the_client_are_text_and_streams_are_per_connection() -> None:
    seen: list[str] = []

    def on_connect(iostream: IOWebsockets) -> None:
        text = iostream.input("name? ")
        seen.append(text)
        IOStream.get_default().print("hello", text, sep=", ", end="!")

    with IOWebsockets.run_server_in_thread(on_connect=on_connect, port=0) as uri:
        with connect(uri) as first, connect(uri) as second:
            assert first.recv(timeout=10) == "name? "
            assert second.recv(timeout=10) == "name? "
            first.send(b"Ada")
            second.send("Bob")
            assert first.recv(timeout=10) == "hello, Ada!"
            assert second.recv(timeout=10) == "hello, Bob!"
    assert sorted(seen) == ["Ada", "Bob"]


def test_on_connect_must_be_callable() -> None:
    with pytest.raises(TypeError, match="on_connect must be a function"):
        with IOWebsockets.run_server_in_thread(on_connect="nope", port=0):  # type: ignore[arg-type]
            pass


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)")
def test_chromium_page_chats_with_agents(llm_server: Any, llm_config: dict[str, Any]) -> None:
    playwright_sync = pytest.importorskip("playwright.sync_api")
    llm_server.script("Bonjour from the agents. TERMINATE")
    with IOWebsockets.run_server_in_thread(on_connect=_two_agent_chat(llm_config), port=0) as uri:
        with playwright_sync.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.set_default_timeout(20000)
                page.goto(f"{PAGE.as_uri()}?ws={uri}")
                playwright_sync.expect(page.locator("#status")).to_have_text("open")
                page.fill("#message", "Say hello in French.")
                page.click("#send")
                playwright_sync.expect(page.locator("#log")).to_contain_text("Bonjour from the agents.")
                playwright_sync.expect(page.locator("#log")).to_contain_text("CHAT DONE")
            finally:
                browser.close()
    assert llm_server.chat_requests()[0]["messages"][-1]["content"] == "Say hello in French."

"""IOWebsockets end to end: a real websocket server and client, agents chatting with the local LLM server."""

from __future__ import annotations

from typing import Any, List

from websockets.sync.client import connect

from autogen import ConversableAgent
from autogen.io import IOStream, IOWebsockets


def test_agents_print_to_and_read_from_the_websocket_client(llm_server: Any, llm_config: dict) -> None:
    llm_server.script("4", "TERMINATE")
    seen_default: List[Any] = []

    def on_connect(iostream: IOWebsockets) -> None:
        seen_default.append(IOStream.get_default() is iostream)
        question = iostream.input()  # the client's first message
        assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
        user = ConversableAgent("user", llm_config=False, human_input_mode="ALWAYS")
        user.initiate_chat(assistant, message=question)
        iostream.print("DONE")

    with IOWebsockets.run_server_in_thread(on_connect=on_connect, port=0) as uri:
        assert uri.startswith("ws://127.0.0.1:")
        received: List[str] = []
        with connect(uri) as websocket:
            websocket.send("2+2?")
            while True:
                message = str(websocket.recv(timeout=30))
                received.append(message)
                if message.startswith("Replying as user."):  # the human-input prompt came over the socket
                    websocket.send("")  # enter: auto-reply, which asks the assistant again
                if message == "DONE\n":
                    break
    text = "".join(received)
    assert seen_default == [True]
    assert "2+2?" in text and "4" in text and "TERMINATE" in text
    assert llm_server.chat_requests()[0]["messages"][-1]["content"] == "2+2?"


def test_on_connect_failure_does_not_stop_the_server(llm_server: Any) -> None:
    calls: List[str] = []

    def on_connect(iostream: IOWebsockets) -> None:
        message = iostream.input()
        calls.append(message)
        if message == "boom":
            raise RuntimeError("boom")
        iostream.print("ok", message)

    with IOWebsockets.run_server_in_thread(on_connect=on_connect, port=0) as uri:
        with connect(uri) as websocket:
            websocket.send("boom")
        with connect(uri) as websocket:
            websocket.send("again")
            assert websocket.recv(timeout=30) == "ok again\n"
    assert calls == ["boom", "again"]

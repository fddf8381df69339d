"""``timeout`` is a deadline for the whole request, not a limit per read.

A local server accepts the request, sends the status line and headers of a long answer, then trickles its
body one byte every 0.25 s (80 bytes: 20 s in all). Each byte arrives well within any per-read limit, so only
an overall deadline ends the call: with ``timeout=2`` the client gives up and hangs up long before the server
has sent the whole body, and the caller gets the SDK's timeout error. A streamed answer whose chunks trickle
the same way (one server-sent event every 0.25 s) ends at its deadline too.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import Any

import openai
import pytest

from autogen.oai.client import OpenAIWrapper

BYTES, INTERVAL = 80, 0.25


def _event(i: int) -> bytes:
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "gpt-4",
        "choices": [{"index": 0, "delta": {"content": f"{i} "}, "finish_reason": None}],
    }
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


class TricklingServer:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.sent: list[int] = []  # body bytes sent on each connection before it ended
        self.requests = 0
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            self.requests += 1
            streamed = b'"stream":true' in data.replace(b" ", b"")
            if streamed:
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
            else:
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (
                    BYTES + 100
                )
            conn.sendall(head)
            sent = 0
            try:
                for i in range(BYTES):
                    if self._stop.wait(INTERVAL):
                        break
                    conn.sendall(_event(i) if streamed else b" ")
                    sent += 1
            except OSError:  # the client hung up
                pass
            self.sent.append(sent)

    def close(self) -> None:
        self._stop.set()
        self.sock.close()


@pytest.fixture
def trickling() -> Any:
    server = TricklingServer()
    yield server
    server.close()


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_trickling_server_cannot_hold_a_call_past_its_timeout(
    trickling: TricklingServer, mode: str, stream: bool
) -> None:
    config = {"model": "gpt-4", "base_url": f"http://127.0.0.1:{trickling.port}/v1", "api_key": "test"}
    wrapper = OpenAIWrapper(config_list=[config], timeout=2, max_retries=0, cache_seed=None)
    messages = [{"role": "user", "content": "hi"}]
    with pytest.raises((openai.APITimeoutError, TimeoutError)) as caught:
        if mode == "sync":
            wrapper.create(messages=messages, stream=stream)
        else:
            asyncio.run(wrapper.a_create(messages=messages, stream=stream))
    assert "timed out" in str(caught.value).lower()
    assert trickling.requests == 1
    for _ in range(40):  # the server notices the hang-up at its next byte
        if trickling.sent:
            break
        time.sleep(INTERVAL)
    # the client hung up after about timeout / INTERVAL bytes (or events): far from the 80 a per-read limit allows
    [sent] = trickling.sent
    assert sent < BYTES // 2

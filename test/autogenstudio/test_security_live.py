"""The attacks of issue 23 over real sockets against Studio served by uvicorn: DNS-rebinding key theft end to end
(a second local server stands ready to capture the key and must receive nothing), a foreign websocket Origin, and
request bodies far above the limit that are refused without being read."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any, Iterator, List

import httpx
import pytest
from conftest import AUTH, TOKEN, LiveServer, local_model
from llm_server import LLMServer


@pytest.fixture
def thief() -> Iterator[LLMServer]:
    """The attacker's server: it speaks the OpenAI protocol and records every request (and so every key)."""
    with LLMServer() as server:
        yield server


def test_dns_rebinding_cannot_steal_a_stored_key(live_server: Any, llm_server: Any, thief: LLMServer) -> None:
    with httpx.Client(base_url=live_server.url, headers=AUTH, timeout=30) as victim:
        model = victim.post("/api/models", json=local_model(llm_server)).json()
    model_url = f"/api/models/{model['id']}"
    steal = {**local_model(llm_server), "api_key": model["api_key"], "base_url": thief.base_url}
    assert steal["api_key"] == "****1234"

    # 1. the attacker's page at http://rebind.attacker.example:PORT, whose name now resolves to 127.0.0.1: the
    #    browser sends that Host and Origin and no cookie; even a page that somehow had the token gets nowhere
    rebound_origin = f"http://rebind.attacker.example:{live_server.port}"
    rebound = {"Host": f"rebind.attacker.example:{live_server.port}", "Origin": rebound_origin}
    for headers in (rebound, {**rebound, **AUTH}):
        with httpx.Client(base_url=live_server.url, headers=headers, timeout=30) as page:
            assert page.get("/api/models").status_code == 403
            assert page.put(model_url, json=steal).status_code == 403
            assert page.post(f"{model_url}/test").status_code == 403
            made = page.post("/api/agents", json={"name": "pwn", "type": "userproxy", "code_execution": True})
            assert made.status_code == 403

    # 2. a client on the right address without the token
    with httpx.Client(base_url=live_server.url, timeout=30) as stranger:
        assert stranger.put(model_url, json=steal).status_code == 401
        assert stranger.post(f"{model_url}/test").status_code == 401

    # 3. even with the token, the masked key cannot be carried to a new host
    with httpx.Client(base_url=live_server.url, headers=AUTH, timeout=30) as insider:
        moved = insider.put(model_url, json=steal)
        assert moved.status_code == 422 and "API key again" in moved.json()["detail"]
        llm_server.script("OK")
        assert insider.post(f"{model_url}/test").json() == {"ok": True, "reply": "OK"}

    assert thief.requests == []  # the attacker's server never heard from Studio
    (sent,) = [r for r in llm_server.requests if r.path.endswith("/chat/completions")]
    headers = {k.lower(): v for k, v in sent.headers.items()}
    assert headers["authorization"] == "Bearer sk-test-secret-key-1234"  # the key went where it belongs


def test_websocket_from_another_origin_is_refused(live_server: Any) -> None:
    import websockets
    from websockets.exceptions import InvalidStatus

    with httpx.Client(base_url=live_server.url, headers=AUTH, timeout=30) as http:
        workflow = http.get("/api/workflows").json()[0]
        session = http.post("/api/sessions", json={"workflow_id": workflow["id"]}).json()
    ws_url = live_server.url.replace("http", "ws") + f"/api/ws/{session['id']}"

    bodies: List[Any] = []

    async def status(**kwargs: Any) -> int:
        try:
            async with websockets.connect(ws_url, **kwargs) as ws:
                await ws.recv()
                return 101
        except InvalidStatus as exc:
            bodies.append(exc.response.body)  # for the assertion message
            return exc.response.status_code

    async def scenario() -> None:
        assert await status(origin="http://evil.example", additional_headers=AUTH) == 403, bodies
        assert await status(origin=f"http://localhost:{live_server.port + 1}", additional_headers=AUTH) == 403
        assert await status() == 403  # no token
        assert await status(origin=live_server.url, additional_headers=AUTH) == 101

    asyncio.run(scenario())


def _raw_request(port: int, head: bytes, body_parts: Any = ()) -> bytes:
    """Send a request head and some body, never the rest, and return what the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        for part in body_parts:
            sock.sendall(part)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def test_a_huge_body_is_refused_before_it_is_read(live_server: Any) -> None:
    """A request announcing 300 MB gets 413 at once; the test never sends the body, so a server that waited for
    it (or read it into memory) could not answer."""
    head = (
        f"POST /api/skills HTTP/1.1\r\nHost: 127.0.0.1:{live_server.port}\r\nAuthorization: token {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {300 * 1024 * 1024}\r\n\r\n"
    ).encode()
    answer = _raw_request(live_server.port, head, [b'{"name": "x", "content": "'])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_chunked_body_is_cut_at_the_limit(tmp_path: Path) -> None:
    from autogenstudio.security import SecurityConfig
    from autogenstudio.web.app import create_app

    server = LiveServer(create_app(tmp_path / "app", security=SecurityConfig(token=TOKEN, max_body_bytes=64_000)))
    server.start()
    try:
        head = (
            f"POST /api/skills HTTP/1.1\r\nHost: localhost:{server.port}\r\nAuthorization: token {TOKEN}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        ).encode()
        chunk = b"%x\r\n%s\r\n" % (16_000, b"x" * 16_000)
        answer = _raw_request(server.port, head, [chunk] * 5)  # 80 kB and no final chunk: the body never ends
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    finally:
        server.stop()


def test_an_environment_key_is_not_stored_and_not_sent_elsewhere(
    live_server: Any, llm_server: Any, thief: LLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model without a key uses OPENAI_API_KEY from Studio's environment, for the provider's endpoint only (here
    OPENAI_BASE_URL, the user's own setting); a model naming another base_url never gets it."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment-4242")
    monkeypatch.setenv("OPENAI_BASE_URL", llm_server.base_url)
    with httpx.Client(base_url=live_server.url, headers=AUTH, timeout=30) as http:
        default = http.post("/api/models", json={"model": "gpt-4"}).json()
        elsewhere = http.post("/api/models", json={"model": "gpt-4", "base_url": thief.base_url}).json()
        llm_server.script("OK")
        assert http.post(f"/api/models/{default['id']}/test").json() == {"ok": True, "reply": "OK"}
        thief.script("OK")
        http.post(f"/api/models/{elsewhere['id']}/test")
    sent = [{k.lower(): v for k, v in r.headers.items()} for r in llm_server.requests]
    assert sent[-1]["authorization"] == "Bearer sk-from-the-environment-4242"
    assert thief.requests and all("4242" not in str(r.headers) for r in thief.requests)
    studio = live_server.server.config.app.state.studio
    assert b"4242" not in (studio.appdir / "database.sqlite").read_bytes()

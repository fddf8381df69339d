"""The direct request path (autogen/oai/direct.py): the same requests, retries, errors and results as the
openai SDK, moved by urllib3 (blocking) and aiohttp (asyncio).

Most tests run against ``RawServer``, a tiny HTTP/1.1 server in this file that answers with scripted raw
bytes (chunked bodies, gzip, retry-after headers, closed connections, redirects); the rest use the suite's
local OpenAI-compatible server.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

import openai
import pytest

from autogen.oai import client_pool, direct
from autogen.oai.client import OpenAIWrapper
from autogen.oai.errors import InvalidResponseError

USER = [{"role": "user", "content": "hi"}]

# ------------------------------------------------------------------------------------------ the raw server
Reply = Union[bytes, Callable[[dict[str, Any]], bytes], tuple[str, Any]]


def completion(content: str = "ok", **extra: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-4",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        **extra,
    }


def http_response(
    body: Union[bytes, dict[str, Any]],
    status: str = "200 OK",
    headers: Optional[dict[str, str]] = None,
    chunked: bool = False,
    gzipped: bool = False,
) -> bytes:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    head = {"Content-Type": "application/json", **(headers or {})}
    if gzipped:
        data = gzip.compress(data)
        head["Content-Encoding"] = "gzip"
    if chunked:
        head["Transfer-Encoding"] = "chunked"
        pieces = [data[i : i + 7] for i in range(0, len(data), 7)]
        data = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    else:
        head["Content-Length"] = str(len(data))
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in head.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


class RawServer:
    """Answers each request with the next scripted reply: raw bytes, a function of the request, or an
    action: ("close", bytes) answers then closes the connection, ("hang", seconds) answers nothing."""

    def __init__(self, tls: Optional[ssl.SSLContext] = None) -> None:
        self.tls = tls
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self.port = self._sock.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{'localhost' if self.tls else '127.0.0.1'}:{self.port}/v1"

    def config(self, **extra: Any) -> dict[str, Any]:
        return {"model": "gpt-4", "base_url": self.base_url, "api_key": "raw-key", **extra}

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def close(self) -> None:
        self._closed = True
        self._sock.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            stream = conn.makefile("rb")
            while True:
                request_line = stream.readline()
                if not request_line:
                    return
                headers: dict[str, str] = {}
                while True:
                    line = stream.readline().decode("latin-1").rstrip("\r\n")
                    if not line:
                        break
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = stream.read(int(headers.get("content-length", "0")))
                method, target, _ = request_line.decode().split(" ", 2)
                request = {"method": method, "target": target, "headers": headers, "body": json.loads(body or b"null")}
                with self._lock:
                    self.requests.append(request)
                    reply = self.replies.popleft() if self.replies else http_response(completion("default"))
                close = False
                if isinstance(reply, tuple):
                    action, arg = reply
                    if action == "hang":
                        time.sleep(arg)
                        return
                    close, reply = action == "close", arg
                data = reply(request) if callable(reply) else reply
                conn.sendall(data)
                if close:
                    return
        except (OSError, ValueError):
            return
        finally:
            conn.close()


@pytest.fixture
def raw() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


@pytest.fixture
def sdk_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every request through the SDK's own client (the path the direct one must match)."""
    monkeypatch.setenv("AUTOGEN_DIRECT_HTTP", "0")
    direct.clear_routes()
    yield
    direct.clear_routes()


def forbid_sdk_post(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the SDK's post must not send this request")

    monkeypatch.setattr(openai.OpenAI, "post", forbidden)
    monkeypatch.setattr(openai.AsyncOpenAI, "post", forbidden)


def count_sdk_posts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the SDK's own ``post`` is asked to send (sync and async), appended as they go."""
    seen: list[str] = []
    for cls in (openai.OpenAI, openai.AsyncOpenAI):
        original = cls.post

        def counting(self: Any, path: str, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            seen.append(path)
            return _original(self, path, *args, **kwargs)

        monkeypatch.setattr(cls, "post", counting)
    return seen


def create(wrapper: OpenAIWrapper, mode: str, **params: Any) -> Any:
    params.setdefault("messages", USER)
    if mode == "sync":
        return wrapper.create(**params)
    return asyncio.run(wrapper.a_create(**params))


MODES = ["sync", "async"]


# ------------------------------------------------------------------------------ the same request as the SDK
def _comparable(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() not in ("accept-encoding", "content-length")}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("azure", [False, True])
def test_sends_what_the_sdk_sends(llm_server: Any, monkeypatch: pytest.MonkeyPatch, mode: str, azure: bool) -> None:
    if azure:
        config = {
            "model": "gpt-3.5-turbo",
            "api_type": "azure",
            "api_version": "2024-02-01",
            "base_url": llm_server.url,
            "api_key": "azure-key",
        }
    else:
        config = {**llm_server.config_list()[0], "organization": "org-1", "default_headers": {"X-Custom": "yes"}}
    params = {"messages": USER, "temperature": 0.5, "max_tokens": 7}

    with monkeypatch.context() as patch:
        forbid_sdk_post(patch)
        direct_answer = create(OpenAIWrapper(config_list=[config], cache_seed=None), mode, **params)
    [ours] = llm_server.requests

    llm_server.reset()
    monkeypatch.setenv("AUTOGEN_DIRECT_HTTP", "0")
    direct.clear_routes()
    try:
        sdk_answer = create(OpenAIWrapper(config_list=[config], cache_seed=None), mode, **params)
    finally:
        direct.clear_routes()
    [theirs] = llm_server.requests

    assert (ours.method, ours.path, ours.query, ours.body) == (theirs.method, theirs.path, theirs.query, theirs.body)
    ours_headers, their_headers = _comparable(ours.headers), _comparable(theirs.headers)
    assert ours_headers == their_headers
    if azure:
        assert ours.path.endswith("/deployments/gpt-35-turbo/chat/completions")
        assert ours_headers["api-key"] == "azure-key"
    else:
        assert ours_headers["authorization"] == "Bearer test" and ours_headers["x-custom"] == "yes"
        assert ours_headers["openai-organization"] == "org-1"
    assert ours_headers["x-stainless-retry-count"] == "0"
    assert ours_headers["x-stainless-async"] == ("false" if mode == "sync" else "async:asyncio")
    assert direct_answer.__class__ is type(sdk_answer) and isinstance(direct_answer, type(sdk_answer))
    assert direct_answer.model_dump(exclude={"created", "id"}) == sdk_answer.model_dump(exclude={"created", "id"})


def test_long_histories_are_encoded_exactly(llm_server: Any) -> None:
    history = [{"role": "user" if i % 2 else "assistant", "content": f"message {i} ünï \u2028"} for i in range(50)]
    history.append({"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]})  # fmt: skip
    history.append({"role": "tool", "tool_call_id": "c1", "content": "3"})
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    for _ in range(2):  # the second time from the message cache
        wrapper.create(messages=history)
    first, second = llm_server.chat_requests()
    assert first == second == {"messages": history, "model": "gpt-4"}


# ---------------------------------------------------------------------------------------- response shapes
@pytest.mark.parametrize("mode", MODES)
def test_chunked_gzip_and_close_delimited_bodies(raw: RawServer, mode: str) -> None:
    raw.script(
        http_response(completion("chunked"), chunked=True),
        http_response(completion("gzipped"), gzipped=True),
        http_response(completion("both"), chunked=True, gzipped=True),
        (
            "close",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + json.dumps(completion("eof")).encode(),
        ),
    )
    wrapper = OpenAIWrapper(config_list=[raw.config()], cache_seed=None)
    answers = [create(wrapper, mode).choices[0].message.content for _ in range(4)]
    assert answers == ["chunked", "gzipped", "both", "eof"]
    assert raw.requests[0]["headers"]["accept-encoding"] == "gzip, deflate"


def test_results_are_chat_completions_even_when_not_quite_conforming(raw: RawServer) -> None:
    odd = completion("odd")
    odd["choices"][0]["finish_reason"] = "eos"  # some OpenAI-compatible servers say so
    del odd["object"]
    odd["provider_extra"] = {"x": 1}
    raw.script(http_response(odd, headers={"x-request-id": "req_123"}), http_response(completion("fine")))
    wrapper = OpenAIWrapper(config_list=[raw.config()], cache_seed=None)
    response = wrapper.create(messages=USER)
    assert response.__class__.__name__ == "ChatCompletion"
    assert response.choices[0].message.content == "odd" and response.choices[0].finish_reason == "eos"
    assert response._request_id == "req_123"
    assert response.model_dump()["provider_extra"] == {"x": 1}
    assert wrapper.create(messages=USER).choices[0].message.content == "fine"


def test_a_body_that_is_no_completion_is_a_clear_error(raw: RawServer) -> None:
    raw.script(http_response(b"<html>gateway</html>", headers={"Content-Type": "text/html"}))
    wrapper = OpenAIWrapper(config_list=[raw.config()], cache_seed=None)
    with pytest.raises(InvalidResponseError, match="not a chat completion"):
        wrapper.create(messages=USER)


# ----------------------------------------------------------------------------------- errors and retries
@pytest.mark.parametrize("mode", MODES)
def test_status_errors_are_the_sdks_exceptions(raw: RawServer, mode: str) -> None:
    error = {"error": {"message": "slow down", "type": "rate_limit", "code": "rate_limit_exceeded"}}
    raw.script(
        http_response(error, "429 Too Many Requests"),
        http_response({"error": {"message": "boom"}}, "500 Internal Server Error"),
        http_response({"error": {"message": "bad"}}, "400 Bad Request"),
        http_response({"error": {"message": "no key"}}, "401 Unauthorized"),
    )
    wrapper = OpenAIWrapper(config_list=[raw.config(max_retries=0)], cache_seed=None)
    expected = [openai.RateLimitError, openai.InternalServerError, openai.BadRequestError, openai.AuthenticationError]
    for error_type in expected:
        with pytest.raises(error_type) as info:
            create(wrapper, mode)
        assert info.value.status_code in (429, 500, 400, 401)
    raw.script(http_response(error, "429 Too Many Requests"))
    with pytest.raises(openai.RateLimitError, match="slow down") as rate_limited:
        create(wrapper, mode)
    assert rate_limited.value.code == "rate_limit_exceeded"
    assert rate_limited.value.response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("mode", MODES)
def test_retries_honour_retry_after_and_count_in_headers(raw: RawServer, mode: str) -> None:
    raw.script(
        http_response({"error": {"message": "busy"}}, "429 Too Many Requests", {"retry-after-ms": "50"}),
        http_response({"error": {"message": "oops"}}, "503 Service Unavailable", {"retry-after": "0.05"}),
        http_response(completion("third time lucky")),
    )
    wrapper = OpenAIWrapper(config_list=[raw.config(max_retries=2)], cache_seed=None)
    started = time.monotonic()
    assert create(wrapper, mode).choices[0].message.content == "third time lucky"
    assert time.monotonic() - started >= 0.1  # both waits were the server's, not the 0.5 s default back-off
    assert [r["headers"]["x-stainless-retry-count"] for r in raw.requests] == ["0", "1", "2"]


def test_no_retry_when_the_server_says_so_or_for_client_errors(raw: RawServer) -> None:
    raw.script(
        http_response({"error": {"message": "final"}}, "500 Internal Server Error", {"x-should-retry": "false"}),
        http_response({"error": {"message": "bad"}}, "400 Bad Request"),
    )
    wrapper = OpenAIWrapper(config_list=[raw.config(max_retries=3)], cache_seed=None)
    with pytest.raises(openai.InternalServerError):
        wrapper.create(messages=USER)
    with pytest.raises(openai.BadRequestError):
        wrapper.create(messages=USER)
    assert len(raw.requests) == 2


@pytest.mark.parametrize("mode", MODES)
def test_timeouts_are_api_timeout_errors_and_fall_back(raw: RawServer, mode: str) -> None:
    raw.script(("hang", 1.0))
    slow = raw.config(timeout=0.2, max_retries=0)
    wrapper = OpenAIWrapper(config_list=[slow, raw.config(model="gpt-3.5-turbo")], cache_seed=None)
    response = create(wrapper, mode)
    assert response.config_id == 1

    raw.script(("hang", 1.0))
    alone = OpenAIWrapper(config_list=[slow], cache_seed=None)
    with pytest.raises(TimeoutError) as info:
        create(alone, mode)
    assert isinstance(info.value.__cause__, openai.APITimeoutError)


@pytest.mark.parametrize("mode", MODES)
def test_refused_connections_are_api_connection_errors(mode: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = {"model": "gpt-4", "base_url": f"http://127.0.0.1:{port}/v1", "api_key": "x", "max_retries": 0}
    with pytest.raises(openai.APIConnectionError):
        create(OpenAIWrapper(config_list=[config], cache_seed=None), mode)


# ---------------------------------------------------------------------------------------- connections
@pytest.mark.parametrize("mode", MODES)
def test_keep_alive_reuses_one_connection(raw: RawServer, mode: str) -> None:
    wrapper = OpenAIWrapper(config_list=[raw.config()], cache_seed=None)

    async def several() -> None:
        for _ in range(5):
            await wrapper.a_create(messages=USER)

    if mode == "sync":
        for _ in range(5):
            wrapper.create(messages=USER)
    else:
        asyncio.run(several())
    assert len(raw.requests) == 5 and raw.connections == 1


@pytest.mark.parametrize("mode", MODES)
def test_server_closing_connections(raw: RawServer, mode: str) -> None:
    """Closed with notice (Connection: close), or silently after answering, as idle timeouts do."""
    answer = http_response(completion("fine"))
    raw.script(
        http_response(completion("fine"), headers={"Connection": "close"}),
        ("close", answer),
        ("close", answer),
        answer,
    )
    wrapper = OpenAIWrapper(config_list=[raw.config(max_retries=0)], cache_seed=None)

    async def several() -> list[str]:
        out = []
        for _ in range(4):
            out.append((await wrapper.a_create(messages=USER)).choices[0].message.content)
            await asyncio.sleep(0.05)
        return out

    if mode == "sync":
        answers = []
        for _ in range(4):
            answers.append(wrapper.create(messages=USER).choices[0].message.content)
            time.sleep(0.05)
    else:
        answers = asyncio.run(several())
    assert answers == ["fine"] * 4
    assert len(raw.requests) == 4 and raw.connections == 4  # nothing was sent twice


async def test_cancelled_call_does_not_leave_a_broken_connection(raw: RawServer) -> None:
    raw.script(("hang", 0.5), http_response(completion("after")))
    wrapper = OpenAIWrapper(config_list=[raw.config(max_retries=0)], cache_seed=None)
    task = asyncio.create_task(wrapper.a_create(messages=USER))
    while not raw.requests:  # cancel while the request is out, waiting for the answer
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await wrapper.a_create(messages=USER)).choices[0].message.content == "after"


async def test_many_concurrent_async_calls(llm_server: Any) -> None:
    llm_server.responder = lambda body: {"content": "re: " + body["messages"][-1]["content"], "delay": 0.05}
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    answers = await asyncio.gather(
        *(wrapper.a_create(messages=[{"role": "user", "content": str(i)}]) for i in range(60))
    )
    assert [a.choices[0].message.content for a in answers] == [f"re: {i}" for i in range(60)]


def test_threads_share_the_sync_pool(llm_server: Any) -> None:
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)

    def ask(i: int) -> str:
        return str(wrapper.create(messages=[{"role": "user", "content": str(i)}]).choices[0].message.content)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(80)))
    assert answers == [f"echo: {i}" for i in range(80)]


# ------------------------------------------------------------------------------------- the SDK's turn
def test_a_redirect_is_followed_by_the_sdk(raw: RawServer, monkeypatch: pytest.MonkeyPatch) -> None:
    moved = b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /v2/chat/completions\r\nContent-Length: 0\r\n\r\n"
    raw.script(moved, moved, http_response(completion("moved")))
    sdk_posts = count_sdk_posts(monkeypatch)
    wrapper = OpenAIWrapper(config_list=[raw.config()], cache_seed=None)
    assert wrapper.create(messages=USER).choices[0].message.content == "moved"
    assert [r["target"] for r in raw.requests] == ["/v1/chat/completions"] * 2 + ["/v2/chat/completions"]
    assert sdk_posts == ["/chat/completions"]
    # the endpoint stays with the SDK from now on
    assert wrapper.create(messages=USER).choices[0].message.content == "default"
    assert len(sdk_posts) == 2


def test_unusual_settings_keep_the_sdk(raw: RawServer, monkeypatch: pytest.MonkeyPatch) -> None:
    def route_of(config: dict[str, Any]) -> Any:
        wrapper = OpenAIWrapper(config_list=[config], cache_seed=None)
        client = wrapper._clients[0]
        return direct.route_for(client.endpoint, "/chat/completions", "gpt-4", lambda: client.client, is_async=False)

    assert route_of(raw.config()) is not None
    assert route_of(raw.config(http_client=openai.DefaultHttpxClient())) is None
    assert route_of(raw.config(api_key=lambda: "dynamic")) is None
    azure = {"api_type": "azure", "api_version": "2024-02-01", "api_key": None}
    assert route_of(raw.config(**azure, azure_ad_token="static")) is not None
    assert route_of(raw.config(**azure, azure_ad_token_provider=lambda: "t")) is None
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    direct.clear_routes()
    try:
        assert route_of(raw.config()) is None
    finally:
        direct.clear_routes()


def test_streaming_and_extra_options_go_through_the_sdk(llm_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sdk_posts = count_sdk_posts(monkeypatch)
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    assert wrapper.create(messages=USER, stream=True).choices[0].message.content == "echo: hi"
    assert wrapper.create(messages=USER, extra_headers={"X-Once": "1"}).choices[0].message.content == "echo: hi"
    assert len(sdk_posts) == 2
    assert wrapper.create(messages=USER).choices[0].message.content == "echo: hi"
    assert len(sdk_posts) == 2
    assert {k.lower(): v for k, v in llm_server.requests[1].headers.items()}["x-once"] == "1"


def test_sdk_only_switch(llm_server: Any, sdk_only: None, monkeypatch: pytest.MonkeyPatch) -> None:
    sdk_posts = count_sdk_posts(monkeypatch)
    wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    assert wrapper.create(messages=USER).choices[0].message.content == "echo: hi"
    assert sdk_posts == ["/chat/completions"]


# ------------------------------------------------------------------------------------------------ HTTPS
@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.parametrize("mode", MODES)
def test_https_with_the_trust_settings_httpx_uses(
    tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = RawServer(tls=context)
    try:
        client_pool.clear_client_pool()
        # not trusted: the certificate is refused
        with pytest.raises(openai.APIConnectionError):
            create(OpenAIWrapper(config_list=[server.config(max_retries=0)], cache_seed=None), mode)
        # trusted through SSL_CERT_FILE, as httpx does
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        client_pool.clear_client_pool()
        client_pool.clear_client_pool()
        forbid_sdk_post(monkeypatch)
        server.script(http_response(completion("secure")), http_response(completion("again")))
        wrapper = OpenAIWrapper(config_list=[server.config(max_retries=0)], cache_seed=None)
        assert create(wrapper, mode).choices[0].message.content == "secure"
        assert create(wrapper, mode).choices[0].message.content == "again"
    finally:
        server.close()
        client_pool.clear_client_pool()

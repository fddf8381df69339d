"""The blocking transport writes a request's head and body in one ``sendall`` (one segment, one wake-up of
the server), and falls back to two writes for bodies too large to copy behind the head."""

from __future__ import annotations

import json
from typing import Any

import pytest

from autogen.oai import transport


class RecordingSocket:
    """Delegates to a real socket and keeps what each ``sendall`` wrote."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self.writes: list[bytes] = []

    def sendall(self, data: bytes, *args: Any) -> None:
        self.writes.append(bytes(data))
        self._sock.sendall(data, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _post(url: str, payload: dict[str, Any]) -> transport.RawResponse:
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/json"), ("Authorization", "Bearer test")]
    return transport.send_sync(url, headers, body, deadline=None)


def _recording_connection(url: str) -> RecordingSocket:
    """Make one request so that the origin's pool holds an open connection, and wrap that connection's socket."""
    _post(url, {"model": "gpt-4", "messages": [{"role": "user", "content": "open"}]})
    pool, _ = transport._origin(url)
    conn = pool.pool.queue[-1]
    assert conn is not None and conn.sock is not None, "the keep-alive connection went back to the pool"
    conn.sock = RecordingSocket(conn.sock)
    return conn.sock


@pytest.fixture
def url(llm_server: Any) -> Any:
    transport.close_sync_pool()
    yield llm_server.base_url + "/chat/completions"
    transport.close_sync_pool()


def test_head_and_body_go_in_one_write(url: str, llm_server: Any) -> None:
    sock = _recording_connection(url)
    response = _post(url, {"model": "gpt-4", "messages": [{"role": "user", "content": "one write"}]})
    assert response.status == 200
    assert len(sock.writes) == 1
    (data,) = sock.writes
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"POST /v1/chat/completions HTTP/1.1") or head.startswith(b"POST ")
    assert b"content-length: %d" % len(body) in head.lower()
    assert json.loads(body)["messages"][0]["content"] == "one write"
    assert llm_server.chat_requests()[-1]["messages"][0]["content"] == "one write"


def test_a_body_past_the_limit_is_written_apart_and_arrives_whole(url: str, llm_server: Any) -> None:
    sock = _recording_connection(url)
    big = "x" * (transport.ONE_WRITE_LIMIT + 10)
    response = _post(url, {"model": "gpt-4", "messages": [{"role": "user", "content": big}]})
    assert response.status == 200
    assert len(sock.writes) == 2 and sock.writes[0].endswith(b"\r\n\r\n")
    assert llm_server.chat_requests()[-1]["messages"][0]["content"] == big


def test_a_request_without_a_body_sends_its_head_before_waiting(url: str) -> None:
    sock = _recording_connection(url)
    pool, _ = transport._origin(url)
    response = pool.urlopen("GET", "/v1/models", retries=False, preload_content=True)
    assert response.status == 200 and json.loads(response.data)["data"][0]["id"] == "gpt-4"
    assert len(sock.writes) == 1 and sock.writes[0].startswith(b"GET /v1/models ")


def test_header_lines_checked_once_are_sent_as_they_were_and_new_ones_are_still_checked(
    url: str, llm_server: Any
) -> None:
    sock = _recording_connection(url)
    first = [("Content-Type", "application/json"), ("Authorization", "Bearer one"), ("X-Stainless-Lang", "python")]
    second = [("Content-Type", "application/json"), ("Authorization", "Bearer two"), ("X-Stainless-Lang", "python")]
    for headers in (first, first, second):
        body = json.dumps({"model": "gpt-4", "messages": [{"role": "user", "content": "hi"}]}).encode()
        assert transport.send_sync(url, headers, body, deadline=None).status == 200
    heads = [w.partition(b"\r\n\r\n")[0].split(b"\r\n") for w in sock.writes]
    assert len(heads) == 3 and heads[0] == heads[1]  # the same request, the same bytes
    assert b"Authorization: Bearer one" in heads[1] and b"Authorization: Bearer two" in heads[2]
    received = [{k.lower(): v for k, v in r.headers.items()} for r in llm_server.requests[-3:]]
    assert [h["authorization"] for h in received] == [
        "Bearer one",
        "Bearer one",
        "Bearer two",
    ]
    with pytest.raises(ValueError, match="Invalid header value"):  # a value never seen is checked by http.client
        transport.send_sync(url, [("Authorization", "Bearer x\r\nInjected: 1")], b"{}", deadline=None)

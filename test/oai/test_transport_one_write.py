"""The blocking transport writes a request's head and body in one go (one segment, one wake-up of the server):
joined in one ``sendall`` when small, as they are in one ``sendmsg`` over plain TCP when large (nothing copied),
and in two writes over TLS for a whole body too large to copy behind the head."""

from __future__ import annotations

import json
from typing import Any

import pytest

from autogen.oai import transport


class RecordingSocket:
    """Delegates to a real socket and keeps what each ``sendall`` wrote and the pieces of each ``sendmsg``;
    ``take`` limits how many bytes one ``sendmsg`` takes (a socket whose buffer is full takes part)."""

    def __init__(self, sock: Any, take: int = 0) -> None:
        self._sock = sock
        self.take = take
        self.writes: list[bytes] = []
        self.scattered: list[list[bytes]] = []

    def sendall(self, data: bytes, *args: Any) -> None:
        self.writes.append(bytes(data))
        self._sock.sendall(data, *args)

    def sendmsg(self, pieces: list[Any], *args: Any) -> int:
        self.scattered.append([bytes(p) for p in pieces])
        if self.take:
            data = b"".join(bytes(p) for p in pieces)[: self.take]
            self._sock.sendall(data)
            return len(data)
        return int(self._sock.sendmsg(pieces, *args))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class TlsLikeSocket(RecordingSocket):
    """What the transport sees of a TLS socket: it has a cipher, so no scatter write is tried."""

    def cipher(self) -> Any:
        return None


def _post(url: str, payload: dict[str, Any]) -> transport.RawResponse:
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/json"), ("Authorization", "Bearer test")]
    return transport.send_sync(url, headers, body, deadline=None)


def _recording_connection(url: str, kind: type = RecordingSocket, **options: Any) -> Any:
    """Make one request so that the origin's pool holds an open connection, and wrap that connection's socket."""
    _post(url, {"model": "gpt-4", "messages": [{"role": "user", "content": "open"}]})
    pool, _ = transport._origin(url)
    conn = pool.pool.queue[-1]
    assert conn is not None and conn.sock is not None, "the keep-alive connection went back to the pool"
    conn.sock = kind(conn.sock, **options)
    return conn.sock


def _pieces(content: str) -> list[bytes]:
    """A chat body as pieces (as ``encode_body_parts`` gives a long history's)."""
    body = json.dumps({"model": "gpt-4", "messages": [{"role": "user", "content": content}]}).encode()
    return [body[i : i + 1000] for i in range(0, len(body), 1000)]


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


def test_a_large_body_goes_out_over_tcp_in_one_sendmsg_of_its_pieces(url: str, llm_server: Any) -> None:
    sock = _recording_connection(url)
    big = "x" * (transport.SCATTER_FROM + 10)
    pieces = _pieces(big)
    headers = [("Content-Type", "application/json"), ("Authorization", "Bearer test")]
    assert transport.send_sync(url, headers, pieces, deadline=None).status == 200
    assert sock.writes == [] and len(sock.scattered) == 1
    head, *sent = sock.scattered[0]
    assert head.endswith(b"\r\n\r\n") and sent == pieces  # the pieces as they were, not joined
    assert b"content-length: %d" % sum(map(len, pieces)) in head.lower()
    assert llm_server.chat_requests()[-1]["messages"][0]["content"] == big


def test_a_socket_that_takes_part_of_a_sendmsg_gets_the_rest(url: str, llm_server: Any) -> None:
    sock = _recording_connection(url, take=3000)
    big = "y" * (transport.SCATTER_FROM + 10)
    headers = [("Content-Type", "application/json"), ("Authorization", "Bearer test")]
    assert transport.send_sync(url, headers, _pieces(big), deadline=None).status == 200
    assert len(sock.scattered) > 2  # each call went on from where the socket stopped
    assert llm_server.chat_requests()[-1]["messages"][0]["content"] == big


def test_small_pieces_are_joined_into_one_write(url: str, llm_server: Any) -> None:
    sock = _recording_connection(url)
    pieces = _pieces("z" * 2500)
    assert len(pieces) > 1
    assert transport.send_sync(url, [("Content-Type", "application/json")], pieces, deadline=None).status == 200
    assert sock.scattered == [] and len(sock.writes) == 1 and sock.writes[0].endswith(b"".join(pieces))
    assert llm_server.chat_requests()[-1]["messages"][0]["content"] == "z" * 2500


def test_over_tls_a_whole_body_past_the_limit_is_written_after_the_head(url: str, llm_server: Any) -> None:
    sock = _recording_connection(url, TlsLikeSocket)
    big = "x" * (transport.ONE_WRITE_LIMIT + 10)
    response = _post(url, {"model": "gpt-4", "messages": [{"role": "user", "content": big}]})
    assert response.status == 200
    assert sock.scattered == []
    assert len(sock.writes) == 2 and sock.writes[0].endswith(b"\r\n\r\n")
    assert llm_server.chat_requests()[-1]["messages"][0]["content"] == big


def test_over_tls_pieces_are_joined(url: str, llm_server: Any) -> None:
    sock = _recording_connection(url, TlsLikeSocket)
    big = "w" * (transport.SCATTER_FROM + 10)
    pieces = _pieces(big)
    assert transport.send_sync(url, [("Content-Type", "application/json")], pieces, deadline=None).status == 200
    assert sock.scattered == [] and len(sock.writes) == 1 and sock.writes[0].endswith(b"".join(pieces))
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

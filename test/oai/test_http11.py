"""The sans-I/O HTTP/1.1 parser of the direct request path, fed bytes in every way a socket could deliver them."""

from __future__ import annotations

import gzip
import zlib

import pytest

from autogen.oai.http11 import ProtocolError, ResponseParser, Unsupported, encode_request


def feed_all(raw: bytes, step: int = 0) -> ResponseParser:
    """Feed ``raw`` whole (step 0) or in pieces of ``step`` bytes; assert it completes exactly at the end."""
    parser = ResponseParser()
    if step == 0:
        assert parser.feed(raw)
        return parser
    pieces = [raw[i : i + step] for i in range(0, len(raw), step)]
    for piece in pieces[:-1]:
        assert not parser.feed(piece)
    assert parser.feed(pieces[-1])
    return parser


CL = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a": true}'
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b'4;ext=1\r\n{"a"\r\n'
    b"7\r\n: true}\r\n"
    b"0\r\nX-Trailer: yes\r\n\r\n"
)


@pytest.mark.parametrize("step", [0, 1, 2, 3, 7, 64])
def test_content_length_body_in_any_pieces(step: int) -> None:
    parser = feed_all(CL, step)
    assert parser.status == 200 and parser.reason == "OK"
    assert parser.body == b'{"a": true}'
    assert parser.header("content-type") == "application/json"
    assert parser.keep_alive and parser.complete and parser.received


@pytest.mark.parametrize("step", [0, 1, 2, 5, 13])
def test_chunked_body_with_extensions_and_trailers(step: int) -> None:
    parser = feed_all(CHUNKED, step)
    assert parser.body == b'{"a": true}'
    assert parser.keep_alive


def test_body_until_close_and_truncation() -> None:
    parser = ResponseParser()
    assert not parser.feed(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello ")
    assert not parser.feed(b"world")
    assert parser.feed_eof()
    assert parser.body == b"hello world" and not parser.keep_alive

    truncated = ResponseParser()
    assert not truncated.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    with pytest.raises(ProtocolError, match="middle of the response"):
        truncated.feed_eof()

    silent = ResponseParser()
    with pytest.raises(ProtocolError, match="without answering"):
        silent.feed_eof()
    assert not silent.received


def test_interim_responses_are_skipped_and_204_has_no_body() -> None:
    parser = feed_all(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n" + CL)
    assert parser.status == 200 and parser.body == b'{"a": true}'
    assert feed_all(b"HTTP/1.1 204 No Content\r\n\r\n").body == b""


def test_keep_alive_rules() -> None:
    assert not feed_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keep_alive
    assert not feed_all(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive
    assert feed_all(b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").keep_alive
    # bytes after the response: the connection cannot be trusted with another request
    assert not feed_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxGARBAGE").keep_alive


def test_gzip_and_deflate_bodies_are_decoded() -> None:
    data = b'{"text": "' + b"x" * 1000 + b'"}'
    for encoding, encoded in (
        ("gzip", gzip.compress(data)),
        ("deflate", zlib.compress(data)),
        ("deflate", zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
    ):
        raw = f"HTTP/1.1 200 OK\r\nContent-Encoding: {encoding}\r\nContent-Length: {len(encoded)}\r\n\r\n".encode()
        assert feed_all(raw + encoded, 100).body == data
    broken = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc"
    with pytest.raises(ProtocolError, match="cannot decode"):
        feed_all(broken)


def test_what_it_does_not_handle_is_unsupported() -> None:
    with pytest.raises(Unsupported):
        feed_all(b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 1\r\n\r\nx")
    with pytest.raises(Unsupported):
        ResponseParser().feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")


@pytest.mark.parametrize(
    "raw",
    [
        b"SMTP 220 hello\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxyz",
    ],
)
def test_malformed_answers_are_protocol_errors(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        ResponseParser().feed(raw)


def test_lenient_about_bare_lf_and_folded_headers() -> None:
    parser = feed_all(b"HTTP/1.1 200 OK\nX-Long: a\n  b\nContent-Length: 2\n\nok")
    assert parser.body == b"ok"
    assert parser.header("x-long") == "a b"


def test_repeated_headers_are_joined() -> None:
    parser = feed_all(b"HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\n\r\n")
    assert parser.header("X-A") == "1, 2" and parser.header("missing") is None


def test_encode_request_refuses_header_injection() -> None:
    raw = encode_request("POST", "/v1/x?y=1", [("Host", "h"), ("Content-Length", "2")], b"{}")
    assert raw == b"POST /v1/x?y=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}"
    with pytest.raises(ValueError, match="line break"):
        encode_request("POST", "/", [("X-Evil", "a\r\nInjected: 1")], b"")

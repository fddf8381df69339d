"""A local OpenAI-compatible HTTP server for tests.

Tests talk to it with the real ``openai`` SDK over HTTP. It answers chat completions
(plain and streamed as server-sent events), can be scripted per test with a queue of
replies or a rule on the request, and can be told to fail (HTTP errors, delays that
trigger timeouts, malformed bodies). See docs/CONTRACTS.md for the reply format.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional, Union
from urllib.parse import parse_qs, urlsplit

from assistants_api import AssistantsAPI
from images_api import ImagesAPI

Reply = Union[str, dict[str, Any]]
Responder = Callable[[dict[str, Any]], Reply]

__all__ = ["LLMServer", "RecordedRequest", "last_user_content"]


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Optional[dict[str, Any]]
    received_at: float = field(default_factory=time.monotonic)
    raw: bytes = b""  # the request body as sent


def last_user_content(body: dict[str, Any]) -> str:
    """The text of the last message of a chat request ('' when it has none)."""
    messages = body.get("messages") or []
    if not messages:
        return ""
    content = messages[-1].get("content")
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


def echo_responder(body: dict[str, Any]) -> Reply:
    return "echo: " + last_user_content(body)


def _count_prompt_tokens(body: dict[str, Any]) -> int:
    # A deterministic stand-in for a tokenizer: about four characters a token.
    chars = 0
    for message in body.get("messages") or []:
        content = message.get("content")
        chars += len(content) if isinstance(content, str) else len(json.dumps(content))
    return max(1, chars // 4) + 3 * len(body.get("messages") or [])


class LLMServer:
    """Start with ``start()`` (or as a context manager); ``url``/``base_url`` say where it listens."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self.responder: Optional[Responder] = None
        self.requests: list[RecordedRequest] = []
        self._counter = 0
        self.assistants = AssistantsAPI(self._next_reply)  # /v1/assistants, /v1/threads, /v1/files
        self.images = ImagesAPI(self._next_reply)  # /v1/images/generations, LLaVA /worker_generate_stream
        self._httpd = _QuietHTTPServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: Optional[threading.Thread] = None

    # ----- lifecycle
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def start(self) -> LLMServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="llm-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()  # serve_forever polls every 0.5 s
        self._httpd.server_close()

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ----- scripting
    def script(self, *replies: Reply) -> None:
        """Queue replies; each chat-completion request takes the next one."""
        with self._lock:
            self._queue.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()
            self.responder = None
        self.assistants.reset()
        self.images.reset()

    @property
    def pending(self) -> int:
        """How many scripted replies are still queued."""
        with self._lock:
            return len(self._queue)

    def chat_requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.body for r in self.requests if r.path.endswith("/chat/completions") and r.body is not None]

    def config_list(self, model: str = "gpt-4", **extra: Any) -> list[dict[str, Any]]:
        return [{"model": model, "base_url": self.base_url, "api_key": "test", **extra}]

    def llm_config(self, **extra: Any) -> dict[str, Any]:
        return {"config_list": self.config_list(), "cache_seed": None, **extra}

    # ----- used by the handler
    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            responder = self.responder
        return (responder or echo_responder)(body)

    def _next_id(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter


class _QuietHTTPServer(ThreadingHTTPServer):
    """Clients that hang up early (timeouts under test) are expected: don't print their tracebacks."""

    # many concurrent chats connect at once; the default backlog of 5 drops connections
    request_queue_size = 1024

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def _normalise_reply(reply: Reply) -> dict[str, Any]:
    if isinstance(reply, str):
        return {"content": reply}
    if not isinstance(reply, dict):
        raise TypeError(f"a scripted reply must be a str or a dict, got {type(reply).__name__}")
    return reply


def _tool_calls(reply: dict[str, Any], serial: int) -> Optional[list[dict[str, Any]]]:
    calls = reply.get("tool_calls")
    if not calls:
        return None
    out = []
    for i, call in enumerate(calls):
        args = call.get("arguments", "{}")
        out.append(
            {
                "id": call.get("id", f"call_{serial}_{i}"),
                "type": "function",
                "function": {"name": call["name"], "arguments": args if isinstance(args, str) else json.dumps(args)},
            }
        )
    return out


def _function_call(reply: dict[str, Any]) -> Optional[dict[str, Any]]:
    call = reply.get("function_call")
    if not call:
        return None
    args = call.get("arguments", "{}")
    return {"name": call["name"], "arguments": args if isinstance(args, str) else json.dumps(args)}


def _usage(reply: dict[str, Any], body: dict[str, Any], message: dict[str, Any]) -> dict[str, int]:
    given = reply.get("usage") or {}
    prompt = given.get("prompt_tokens", _count_prompt_tokens(body))
    completion_text = (message.get("content") or "") + json.dumps(message.get("tool_calls") or "")
    completion = given.get("completion_tokens", max(1, len(completion_text) // 4))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(reply: dict[str, Any], body: dict[str, Any], serial: int) -> dict[str, Any]:
    if reply.get("choices"):  # several choices (a request with n > 1): each one a reply of its own
        parts = [_completion(_normalise_reply(choice), body, serial) for choice in reply["choices"]]
        first = parts[0]
        first["choices"] = [dict(part["choices"][0], index=i) for i, part in enumerate(parts)]
        given = reply.get("usage") or {}
        prompt = given.get("prompt_tokens", first["usage"]["prompt_tokens"])
        completion = given.get("completion_tokens", sum(part["usage"]["completion_tokens"] for part in parts))
        first["usage"] = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        return first
    message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
    tool_calls = _tool_calls(reply, serial)
    function_call = _function_call(reply)
    if tool_calls:
        message["tool_calls"] = tool_calls
    if function_call:
        message["function_call"] = function_call
    finish = reply.get("finish_reason") or (
        "tool_calls" if tool_calls else "function_call" if function_call else "stop"
    )
    return {
        "id": f"chatcmpl-{serial}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.get("model", body.get("model", "gpt-4")),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": _usage(reply, body, message),
    }


def _chunks(completion: dict[str, Any], include_usage: bool) -> list[dict[str, Any]]:
    """Split a completion into stream chunks: role, content pieces, tool-call pieces, finish, usage."""
    base = {k: completion[k] for k in ("id", "created", "model")}
    base["object"] = "chat.completion.chunk"
    message = completion["choices"][0]["message"]

    def chunk(delta: dict[str, Any], finish: Optional[str] = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return {**base, "choices": [choice]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    content = message.get("content") or ""
    step = 4
    for i in range(0, len(content), step):
        chunks.append(chunk({"content": content[i : i + step]}))
    for index, call in enumerate(message.get("tool_calls") or []):
        args = call["function"]["arguments"]
        head = {
            "index": index,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        chunks.append(chunk({"tool_calls": [head]}))
        half = len(args) // 2
        for piece in (args[:half], args[half:]):
            chunks.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
    if message.get("function_call"):
        call = message["function_call"]
        chunks.append(chunk({"function_call": {"name": call["name"], "arguments": call["arguments"]}}))
    chunks.append(chunk({}, completion["choices"][0]["finish_reason"]))
    if include_usage:
        chunks.append({**base, "choices": [], "usage": completion["usage"]})
    return chunks


def _make_handler(server: LLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in separate writes: without TCP_NODELAY, Nagle + delayed ACK adds ~40 ms
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _send(
            self, status: int, payload: Union[bytes, str, dict[str, Any]], content_type: str = "application/json"
        ) -> None:
            data = (
                payload
                if isinstance(payload, bytes)
                else (payload if isinstance(payload, str) else json.dumps(payload)).encode()
            )
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _read_body(self) -> tuple[bytes, Optional[dict[str, Any]]]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not raw:
                return raw, None
            try:
                return raw, json.loads(raw)
            except json.JSONDecodeError:
                return raw, None

        def _record(self) -> tuple[str, Optional[dict[str, Any]]]:
            parts = urlsplit(self.path)
            raw, body = self._read_body() if self.command == "POST" else (b"", None)
            headers = dict(self.headers)
            server._record(RecordedRequest(self.command, parts.path, parse_qs(parts.query), headers, body, raw=raw))
            return parts.path, body

        def _assistants_api(self, path: str, body: Optional[dict[str, Any]]) -> bool:
            if not server.assistants.owns(path):
                return False
            query = parse_qs(urlsplit(self.path).query)
            self._send(*server.assistants.handle(self.command, path, query, body))
            return True

        def _images_api(self, path: str, body: Optional[dict[str, Any]]) -> bool:
            if not server.images.owns(path):
                return False
            self._send(*server.images.handle(self.command, path, body, self.headers.get("Host", "")))
            return True

        def do_DELETE(self) -> None:
            path, _ = self._record()
            if not self._assistants_api(path, None):
                self._send(404, {"error": {"message": f"no route {path}", "type": "invalid_request_error"}})

        def do_GET(self) -> None:
            path, _ = self._record()
            if self._assistants_api(path, None) or self._images_api(path, None):
                return
            if path.endswith("/models"):
                self._send(
                    200,
                    {"object": "list", "data": [{"id": "gpt-4", "object": "model", "created": 0, "owned_by": "test"}]},
                )
            else:
                self._send(404, {"error": {"message": f"no route {path}", "type": "invalid_request_error"}})

        def do_POST(self) -> None:
            path, body = self._record()
            if self._assistants_api(path, body) or self._images_api(path, body):
                return
            if not path.endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {path}", "type": "invalid_request_error"}})
                return
            if body is None:
                self._send(400, {"error": {"message": "request body is not JSON", "type": "invalid_request_error"}})
                return
            reply = _normalise_reply(server._next_reply(body))
            if reply.get("delay"):
                time.sleep(float(reply["delay"]))
            if reply.get("status"):
                status = int(reply["status"])
                message = reply.get("content") or f"scripted failure {status}"
                self._send(status, {"error": {"message": message, "type": "server_error", "code": str(status)}})
                return
            if "raw" in reply:
                self._send(200, str(reply["raw"]))
                return
            completion = _completion(reply, body, server._next_id())
            if not body.get("stream"):
                self._send(200, completion)
                return
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            chunks = _chunks(completion, include_usage)
            if reply.get("cut_stream"):
                # a proxy or network cut mid-answer: the body ends cleanly after the first content pieces,
                # with no finish_reason, no usage chunk and no [DONE]
                chunks = chunks[: max(2, len(chunks) // 2)]
                chunks = [c for c in chunks if c["choices"] and not c["choices"][0]["finish_reason"]]
            events = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks)
            done = "" if reply.get("cut_stream") else "data: [DONE]\n\n"
            if reply.get("cut_stream") == "connection":
                self._send_cut(events.encode())
                return
            self._send(200, events + done, content_type="text/event-stream")

        def _send_cut(self, data: bytes) -> None:
            """Announce more body than is sent, then close the connection: a network failure mid-answer."""
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(data) + 1000))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            self.close_connection = True

    return Handler

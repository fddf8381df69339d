"""The Anthropic Messages API (``POST /v1/messages``), and Claude on Bedrock (``POST /model/{id}/invoke``), strictly.

Rejects what the real service rejects: a ``system`` role among the messages, two turns of one role in a row, a
conversation that does not start with the user, a ``tool_result`` whose ``tool_use`` is not in the assistant turn
just before it, a ``tool_use`` left without its ``tool_result``, unknown request fields, a missing ``max_tokens``,
requests without an API key (``x-api-key``) or without AWS SigV4 signature (Bedrock).

Replies are scripted as for every ``ProtocolServer`` (see protocol_server.py); ``fail(status)`` answers with the
Messages API's error body (``{"type": "error", "error": {"type": "rate_limit_error", ...}}``).
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional
from urllib.parse import unquote

from protocol_server import ProtocolError, ProtocolServer, Recorded, Response, count_tokens

__all__ = ["AnthropicServer", "check_messages_request"]

_TOP_LEVEL = {
    "model",
    "messages",
    "max_tokens",
    "system",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "stream",
    "tools",
    "tool_choice",
    "metadata",
}
_BEDROCK_TOP_LEVEL = (_TOP_LEVEL - {"model", "stream"}) | {"anthropic_version"}
_MEDIA_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def _bad(message: str) -> ProtocolError:
    return ProtocolError(400, message)


def _check_block(block: Any, role: str, where: str) -> None:
    if not isinstance(block, dict) or "type" not in block:
        raise _bad(f"{where}: each content block needs a 'type'")
    kind = block["type"]
    if kind == "text":
        if not isinstance(block.get("text"), str) or not block["text"]:
            raise _bad(f"{where}: text content blocks must be non-empty")
    elif kind == "image":
        if role != "user":
            raise _bad(f"{where}: image blocks are only allowed in user messages")
        source = block.get("source") or {}
        if source.get("type") == "base64":
            if source.get("media_type") not in _MEDIA_TYPES:
                raise _bad(f"{where}.source.media_type: Input should be one of {sorted(_MEDIA_TYPES)}")
            if not isinstance(source.get("data"), str) or not source["data"]:
                raise _bad(f"{where}.source.data: Field required")
        elif source.get("type") == "url":
            if not str(source.get("url", "")).startswith(("http://", "https://")):
                raise _bad(f"{where}.source.url: must be an http(s) URL")
        else:
            raise _bad(f"{where}.source.type: Input should be 'base64' or 'url'")
    elif kind == "tool_use":
        if role != "assistant":
            raise _bad(f"{where}: tool_use blocks are only allowed in assistant messages")
        if not block.get("id") or not block.get("name") or not isinstance(block.get("input"), dict):
            raise _bad(f"{where}: tool_use needs 'id', 'name' and an object 'input'")
    elif kind == "tool_result":
        if role != "user":
            raise _bad(f"{where}: tool_result blocks are only allowed in user messages")
        if not block.get("tool_use_id"):
            raise _bad(f"{where}.tool_use_id: Field required")
    else:
        raise _bad(f"{where}.type: unknown content block type {kind!r}")


def _blocks(content: Any) -> list[dict[str, Any]]:
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def _check_messages(messages: Any) -> None:
    if not isinstance(messages, list) or not messages:
        raise _bad("messages: at least one message is required")
    previous_role = None
    pending_tool_uses: set[str] = set()
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("user", "assistant"):
            raise _bad(
                f'messages.{i}.role: Unexpected role "{role}". The Messages API accepts a top-level `system` '
                'parameter, not "system" as an input message role.'
                if role == "system"
                else f"messages.{i}.role: Input should be 'user' or 'assistant'"
            )
        if i == 0 and role != "user":
            raise _bad('messages: first message must use the "user" role')
        if role == previous_role:
            raise _bad(
                f'messages: roles must alternate between "user" and "assistant", but found multiple "{role}" roles '
                "in a row"
            )
        content = message.get("content")
        if isinstance(content, str):
            if not content and i < len(messages) - 1:
                raise _bad(f"messages.{i}: text content blocks must be non-empty")
        elif not isinstance(content, list) or not content:
            raise _bad(f"messages.{i}.content: must be a non-empty string or list of content blocks")
        blocks = _blocks(content)
        extra = set(message) - {"role", "content"}
        if extra:
            raise _bad(f"messages.{i}.{sorted(extra)[0]}: Extra inputs are not permitted")
        for j, block in enumerate(blocks):
            _check_block(block, role, f"messages.{i}.content.{j}")
        results = {b["tool_use_id"] for b in blocks if b.get("type") == "tool_result"}
        unknown = results - pending_tool_uses
        if unknown:
            raise _bad(
                f"messages.{i}.content: unexpected `tool_use_id` found in `tool_result` blocks: {sorted(unknown)[0]}. "
                "Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
            )
        if pending_tool_uses - results:
            raise _bad(
                f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                f"{sorted(pending_tool_uses - results)[0]}. Each `tool_use` block must have a corresponding "
                "`tool_result` block in the next message."
            )
        pending_tool_uses = {b["id"] for b in blocks if b.get("type") == "tool_use"}
        previous_role = role


def _check_tools(tools: Any) -> None:
    if not isinstance(tools, list):
        raise _bad("tools: Input should be a valid list")
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or not re.fullmatch(r"[a-zA-Z0-9_-]{1,128}", str(tool.get("name", ""))):
            raise _bad(f"tools.{i}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'")
        schema = tool.get("input_schema")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise _bad(f"tools.{i}.input_schema: Input should be a JSON schema of type 'object'")
        extra = set(tool) - {"name", "description", "input_schema", "cache_control", "type"}
        if extra:
            raise _bad(f"tools.{i}.{sorted(extra)[0]}: Extra inputs are not permitted")


def check_messages_request(body: Optional[dict[str, Any]], bedrock: bool = False) -> None:
    """Raise ProtocolError(400) for a request body the Messages API would refuse."""
    if body is None:
        raise _bad("The request body is not valid JSON.")
    allowed = _BEDROCK_TOP_LEVEL if bedrock else _TOP_LEVEL
    for key in body:
        if key not in allowed:
            raise _bad(f"{key}: Extra inputs are not permitted")
    if bedrock:
        if not isinstance(body.get("anthropic_version"), str):
            raise _bad("anthropic_version: Field required on Bedrock (e.g. 'bedrock-2023-05-31')")
    elif not body.get("model"):
        raise _bad("model: Field required")
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        raise _bad("max_tokens: Field required (a positive integer)")
    if body.get("stream"):
        raise _bad("stream: this test server answers non-streamed requests only")
    system = body.get("system")
    if system is not None and not isinstance(system, str):
        if not isinstance(system, list) or any(not isinstance(b, dict) or b.get("type") != "text" for b in system):
            raise _bad("system: Input should be a string or a list of text blocks")
    temperature = body.get("temperature")
    if temperature is not None and not (isinstance(temperature, (int, float)) and 0 <= temperature <= 1):
        raise _bad("temperature: Input should be less than or equal to 1")
    _check_messages(body.get("messages"))
    kinds = {b.get("type") for m in body["messages"] for b in _blocks(m["content"])}
    if kinds & {"tool_use", "tool_result"} and not body.get("tools"):
        raise _bad("Requests which include `tool_use` or `tool_result` blocks must define tools.")
    if "tools" in body:
        _check_tools(body["tools"])
    if "tool_choice" in body and body["tool_choice"].get("type") not in ("auto", "any", "tool", "none"):
        raise _bad("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")


def last_text(body: dict[str, Any]) -> str:
    """The text of the last message (tool results included)."""
    texts = []
    for block in _blocks(body["messages"][-1]["content"]):
        if block.get("type") == "text":
            texts.append(block["text"])
        elif block.get("type") == "tool_result" and block.get("content"):
            texts.extend(b.get("text", "") for b in _blocks(block["content"]))
    return " ".join(texts)


def _message(reply: dict[str, Any], body: dict[str, Any], model: str, serial: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if reply.get("content"):
        content.append({"type": "text", "text": reply["content"]})
    for i, call in enumerate(reply["tool_calls"]):
        args = call.get("arguments", {})
        content.append(
            {
                "type": "tool_use",
                "id": call.get("id", f"toolu_{serial}_{i}"),
                "name": call["name"],
                "input": json.loads(args) if isinstance(args, str) else args,
            }
        )
    return {
        "id": f"msg_{serial}",
        "type": "message",
        "role": "assistant",
        "model": reply.get("model", model),
        "content": content,
        "stop_reason": reply.get("finish_reason") or ("tool_use" if reply["tool_calls"] else "end_turn"),
        "stop_sequence": None,
        "usage": {
            "input_tokens": reply.get("prompt_tokens", count_tokens([body.get("system"), body["messages"]])),
            "output_tokens": reply.get("completion_tokens", count_tokens(content)),
        },
    }


class AnthropicServer(ProtocolServer):
    """``server.url`` is what ``anthropic.Anthropic(base_url=...)`` takes (the SDK adds ``/v1/messages``)."""

    name = "anthropic"

    def handle(self, request: Recorded) -> Response:
        path, headers, body = request.path, request.headers, request.body
        bedrock = re.fullmatch(r"/model/([^/]+)/invoke", path)
        if request.method != "POST" or not (path == "/v1/messages" or bedrock):
            raise ProtocolError(404, f"Not found: {request.method} {path}")
        if bedrock:
            if not headers.get("authorization", "").startswith("AWS4-HMAC-SHA256 Credential="):
                raise ProtocolError(403, "Missing Authentication Token (requests to Bedrock must be SigV4-signed)")
        else:
            if not headers.get("x-api-key") and not headers.get("authorization"):
                raise ProtocolError(401, "x-api-key header is required")
            if not headers.get("anthropic-version"):
                raise _bad("anthropic-version: header is required")
        check_messages_request(body, bedrock=bool(bedrock))
        reply = self.next_reply(request)
        model = unquote(bedrock.group(1)) if bedrock else body["model"]
        return Response(200, _message(reply, body, model, self.next_id()))

    def last_user_text(self, request: Recorded) -> str:
        return last_text(request.body)

    def error_body(self, error: ProtocolError) -> Any:
        kind = _ERROR_TYPES.get(error.status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": error.message}}

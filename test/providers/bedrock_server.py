"""Amazon Bedrock's Converse API (``POST /model/{modelId}/converse``), strictly.

Requests must be SigV4-signed for the ``bedrock`` service (the region of the signature is recorded). Rejects what the
real service rejects: unknown fields, a conversation that does not start with the user, turns of one role in a row,
a ``toolResult`` without its ``toolUse`` in the assistant turn before it, a ``toolUse`` left unanswered, tool blocks
without a ``toolConfig``, images in formats other than png/jpeg/gif/webp, empty text.

Replies are scripted as for every ``ProtocolServer``; ``fail(status)`` answers as Bedrock does (``{"message"}``
with the error code in ``x-amzn-ErrorType``: 429 is a ThrottlingException, 400 a ValidationException, ...).
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from protocol_server import ProtocolError, ProtocolServer, Recorded, Response, count_tokens

__all__ = ["BedrockServer"]

_TOP_LEVEL = {
    "messages",
    "system",
    "inferenceConfig",
    "toolConfig",
    "additionalModelRequestFields",
    "additionalModelResponseFieldPaths",
    "guardrailConfig",
    "performanceConfig",
}
_INFERENCE = {"maxTokens", "temperature", "topP", "stopSequences"}
_BLOCKS = {"text", "image", "toolUse", "toolResult", "document"}
_ERROR_TYPES = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}
_CREDENTIAL = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/\d{8}/([^/]+)/bedrock/aws4_request")


def _bad(message: str) -> ProtocolError:
    return ProtocolError(400, message)


def _check_block(block: Any, role: str, where: str) -> str:
    if not isinstance(block, dict) or len(block) != 1 or next(iter(block)) not in _BLOCKS:
        raise _bad(f"{where}: a content block must hold exactly one of {sorted(_BLOCKS)}")
    kind = next(iter(block))
    value = block[kind]
    if kind == "text" and (not isinstance(value, str) or not value.strip()):
        raise _bad(f"{where}: The text field in the ContentBlock object is blank. Add text and try again.")
    if kind == "image":
        if role != "user":
            raise _bad(f"{where}: images are only allowed in user turns")
        if value.get("format") not in ("png", "jpeg", "gif", "webp") or not value.get("source", {}).get("bytes"):
            raise _bad(f"{where}.image: needs format (png|jpeg|gif|webp) and source.bytes")
    if kind == "toolUse":
        if role != "assistant" or not value.get("toolUseId") or not value.get("name"):
            raise _bad(f"{where}.toolUse: needs toolUseId and name, in an assistant turn")
        if not isinstance(value.get("input"), dict):
            raise _bad(f"{where}.toolUse.input: must be a JSON object")
    if kind == "toolResult":
        if role != "user" or not value.get("toolUseId"):
            raise _bad(f"{where}.toolResult: needs toolUseId, in a user turn")
        for item in value.get("content") or []:
            if not isinstance(item, dict) or not set(item) <= {"text", "json", "image"}:
                raise _bad(f"{where}.toolResult.content: items hold text, json or image")
        if value.get("status", "success") not in ("success", "error"):
            raise _bad(f"{where}.toolResult.status: must be success or error")
    return kind


def _check_messages(messages: Any, has_tool_config: bool) -> None:
    if not isinstance(messages, list) or not messages:
        raise _bad(
            "A conversation must start with a user message. Try again with a conversation that starts with a user message."
        )
    previous: Optional[str] = None
    pending: set[str] = set()
    for i, message in enumerate(messages):
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise _bad(f"messages.{i}.role: Member must satisfy enum value set: [user, assistant]")
        if i == 0 and role != "user":
            raise _bad(
                "A conversation must start with a user message. Try again with a conversation that starts with a user message."
            )
        if role == previous:
            raise _bad(
                "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again."
            )
        content = message.get("content")
        if not isinstance(content, list) or not content:
            raise _bad(f"messages.{i}.content: must be a non-empty list of content blocks")
        kinds = [_check_block(b, role, f"messages.{i}.content.{j}") for j, b in enumerate(content)]
        if ("toolUse" in kinds or "toolResult" in kinds) and not has_tool_config:
            raise _bad("The toolConfig field must be defined when using toolUse and toolResult content blocks.")
        results = {b["toolResult"]["toolUseId"] for b in content if "toolResult" in b}
        if results - pending or pending - results:
            raise _bad(
                "The number of toolResult blocks at messages."
                f"{i}.content exceeds or falls short of the number of toolUse blocks of previous turn."
            )
        pending = {b["toolUse"]["toolUseId"] for b in content if "toolUse" in b}
        previous = role


def check_converse_request(body: Optional[dict[str, Any]]) -> None:
    if body is None:
        raise _bad("The request body is not valid JSON.")
    for key in body:
        if key not in _TOP_LEVEL:
            raise _bad(f'Unknown parameter in input: "{key}", must be one of: {", ".join(sorted(_TOP_LEVEL))}')
    tool_config = body.get("toolConfig")
    if tool_config is not None:
        tools = tool_config.get("tools")
        if not tools:
            raise _bad("toolConfig.tools: at least one tool is required")
        for i, tool in enumerate(tools):
            spec = tool.get("toolSpec") or {}
            if not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", str(spec.get("name", ""))):
                raise _bad(f"toolConfig.tools.{i}.toolSpec.name: must match [a-zA-Z0-9_-]{{1,64}}")
            if not isinstance((spec.get("inputSchema") or {}).get("json"), dict):
                raise _bad(f"toolConfig.tools.{i}.toolSpec.inputSchema.json: required")
    _check_messages(body.get("messages"), tool_config is not None)
    for i, block in enumerate(body.get("system") or []):
        if set(block) - {"text", "guardContent", "cachePoint"}:
            raise _bad(f"system.{i}: system blocks hold text")
    inference = body.get("inferenceConfig") or {}
    for key in inference:
        if key not in _INFERENCE:
            raise _bad(
                f'Unknown parameter in inferenceConfig: "{key}", must be one of: {", ".join(sorted(_INFERENCE))}'
            )


def last_text(body: dict[str, Any]) -> str:
    texts = []
    for block in body["messages"][-1]["content"]:
        if "text" in block:
            texts.append(block["text"])
        elif "toolResult" in block:
            for item in block["toolResult"].get("content") or []:
                texts.append(item["text"] if "text" in item else json.dumps(item.get("json")))
    return " ".join(texts)


class BedrockServer(ProtocolServer):
    """``server.url`` is the ``endpoint_url`` for ``boto3.client("bedrock-runtime", ...)``.

    ``signature(request)`` gives the (access key, region) a request was signed with.
    """

    name = "bedrock"

    @staticmethod
    def signature(request: Recorded) -> tuple[str, str]:
        match = _CREDENTIAL.match(request.headers.get("authorization", ""))
        if not match:
            raise ProtocolError(403, "Missing Authentication Token")
        return match.group(1), match.group(2)

    def handle(self, request: Recorded) -> Response:
        match = re.fullmatch(r"/model/([^/]+)/converse", request.path)
        if request.method != "POST" or not match:
            raise ProtocolError(404, f"Not found: {request.method} {request.path}")
        self.signature(request)
        body = request.body
        check_converse_request(body)
        reply = self.next_reply(request)
        serial = self.next_id()
        content: list[dict[str, Any]] = []
        if reply.get("content"):
            content.append({"text": reply["content"]})
        for i, call in enumerate(reply["tool_calls"]):
            args = call.get("arguments", {})
            use = {
                "toolUseId": call.get("id", f"tooluse_{serial}_{i}"),
                "name": call["name"],
                "input": json.loads(args) if isinstance(args, str) else args,
            }
            content.append({"toolUse": use})
        prompt = reply.get("prompt_tokens", count_tokens([body.get("system"), body["messages"]]))
        completion = reply.get("completion_tokens", count_tokens(content))
        answer = {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": reply.get("finish_reason") or ("tool_use" if reply["tool_calls"] else "end_turn"),
            "usage": {"inputTokens": prompt, "outputTokens": completion, "totalTokens": prompt + completion},
            "metrics": {"latencyMs": 1},
        }
        return Response(200, answer)

    def last_user_text(self, request: Recorded) -> str:
        return last_text(request.body)

    def error_body(self, error: ProtocolError) -> Any:
        return {"message": error.message, "__type": _ERROR_TYPES.get(error.status, "InternalServerException")}

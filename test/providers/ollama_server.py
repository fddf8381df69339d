"""A local server speaking Ollama's chat API (``POST /api/chat``, non-streamed), as strictly as Ollama.

What it rejects, as Ollama does: a missing model (400) or one not pulled (404); a message whose
``content`` is not a string, an unknown role, ``images`` that are not base64, tool-call ``arguments``
that are not a JSON object (Go cannot unmarshal them, 400); ``tools`` for a model without tool support.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

from protocol_server import ProtocolServer, Recorded, Response, count_tokens

__all__ = ["OllamaServer"]

ROLES = {"system", "user", "assistant", "tool"}


class OllamaServer(ProtocolServer):
    name = "ollama"
    #: models that are "pulled"; those in ``no_tools`` refuse ``tools``
    models = {"llama3.1", "llava", "qwen2.5", "phi3", "gemma2"}
    no_tools = {"phi3", "gemma2"}

    def error_body(self, error: Any) -> Any:
        return {"error": error.message}

    def last_user_text(self, request: Recorded) -> str:
        for message in reversed((request.body or {}).get("messages") or []):
            if message.get("role") == "user":
                return str(message.get("content") or "")
        return ""

    def handle(self, request: Recorded) -> Response:
        if request.method == "GET" and request.path == "/api/tags":
            return Response(body={"models": [{"name": m + ":latest", "model": m + ":latest"} for m in self.models]})
        if request.path != "/api/chat" or request.method != "POST":
            raise self.reject(404, "404 page not found")
        body = request.body
        if not isinstance(body, dict):
            raise self.reject(400, "missing request body")
        model = body.get("model")
        if not model:
            raise self.reject(400, "model is required")
        base = str(model).split(":")[0]
        if base not in self.models:
            raise self.reject(404, f'model "{model}" not found, try pulling it first')
        if body.get("stream", True) is not False:
            raise self.reject(400, "this test server answers only stream=false requests")
        self._check_messages(body.get("messages") or [])
        if body.get("tools"):
            if base in self.no_tools:
                raise self.reject(400, f"registry.ollama.ai/library/{base}:latest does not support tools")
            for tool in body["tools"]:
                if tool.get("type") != "function" or not isinstance(tool.get("function"), dict):
                    raise self.reject(400, "json: cannot unmarshal tool: want {type: function, function: {...}}")
        if "options" in body and not isinstance(body["options"], dict):
            raise self.reject(400, "json: cannot unmarshal options into Go struct field of type map[string]any")
        reply = self.next_reply(request)
        message: dict[str, Any] = {"role": "assistant", "content": reply["content"] or ""}
        if reply["tool_calls"]:
            message["tool_calls"] = [
                {"function": {"name": c["name"], "arguments": c.get("arguments", {})}} for c in reply["tool_calls"]
            ]
        prompt = reply.get("prompt_tokens", count_tokens(body.get("messages")))
        completion = reply.get("completion_tokens", count_tokens(message))
        return Response(
            body={
                "model": model,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "message": message,
                "done": True,
                "done_reason": reply.get("finish_reason", "stop"),
                "total_duration": 1000,
                "prompt_eval_count": prompt,
                "eval_count": completion,
            }
        )

    def _check_messages(self, messages: list[Any]) -> None:
        for i, message in enumerate(messages):
            role = message.get("role")
            if role not in ROLES:
                raise self.reject(400, f"invalid role {role!r} in message {i}")
            content = message.get("content", "")
            if not isinstance(content, str):
                raise self.reject(
                    400,
                    f"json: cannot unmarshal {type(content).__name__} into Go struct field "
                    "ChatRequest.messages.content of type string",
                )
            for image in message.get("images") or []:
                try:
                    base64.b64decode(image, validate=True)
                except (binascii.Error, ValueError, TypeError):
                    raise self.reject(400, "illegal base64 data in images") from None
            for call in message.get("tool_calls") or []:
                arguments = (call.get("function") or {}).get("arguments")
                if not isinstance(arguments, dict):
                    raise self.reject(
                        400,
                        "json: cannot unmarshal string into Go struct field "
                        "ToolCallFunction.messages.tool_calls.function.arguments of type api.ToolCallFunctionArguments",
                    )

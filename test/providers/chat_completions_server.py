"""Local servers for providers whose chat API has OpenAI's shape: Groq, Together AI, Cerebras, Mistral AI.

Each is as strict as its service about what matters for a client: an API key (401), a known model (404),
known roles and only the fields each role takes, a ``tool`` message only right after the assistant
message that made the call (same id), every call answered before the conversation goes on, images only
for vision models, well-formed tools. Provider rules on top: Mistral's 9-character tool-call ids and its
"last message must be user or tool", Cerebras' text-only models. Errors come in each provider's format.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from protocol_server import ProtocolError, ProtocolServer, Recorded, Response, count_tokens

__all__ = ["CerebrasServer", "ChatCompletionsServer", "CohereServer", "GroqServer", "MistralServer", "TogetherServer"]

FIELDS = {
    "system": {"role", "content", "name"},
    "user": {"role", "content", "name"},
    "assistant": {"role", "content", "name", "tool_calls"},
    "tool": {"role", "content", "tool_call_id"},
}


class ChatCompletionsServer(ProtocolServer):
    path = "/v1/chat/completions"
    models: set[str] = set()
    vision_models: set[str] = set()
    fields = FIELDS

    def error_body(self, error: ProtocolError) -> Any:
        return {"error": {"message": error.message, "type": "invalid_request_error", "code": None}}

    def last_user_text(self, request: Recorded) -> str:
        for message in reversed((request.body or {}).get("messages") or []):
            if message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, list):
                    return " ".join(p.get("text", "") for p in content if p.get("type") == "text")
                return str(content or "")
        return ""

    def handle(self, request: Recorded) -> Response:
        if request.method != "POST" or request.path != self.path:
            raise self.reject(404, f"Unknown request URL: {request.method} {request.path}")
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            raise self.reject(401, "Invalid API Key")
        body = request.body
        if not isinstance(body, dict):
            raise self.reject(400, "request body must be a JSON object")
        model = body.get("model")
        if model not in self.models:
            raise self.reject(404, f"The model `{model}` does not exist or you do not have access to it.")
        if body.get("stream"):
            raise self.reject(400, "this test server answers only non-streamed requests")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise self.reject(400, "'messages' must be a non-empty array")
        self.check_messages(model, messages)
        self.check_tools(body.get("tools"))
        reply = self.next_reply(request)
        return Response(body=self.completion(model, body, reply))

    # ----- rules
    def check_messages(self, model: str, messages: list[Any]) -> None:
        open_calls: list[str] = []  # ids of the last assistant's tool calls not answered yet
        for i, message in enumerate(messages):
            role = message.get("role") if isinstance(message, dict) else None
            if role not in self.fields:
                raise self.reject(400, f"messages.{i}: unknown role {role!r}")
            extra = set(message) - self.fields[role]
            if extra:
                raise self.reject(400, f"messages.{i}: property {sorted(extra)[0]!r} is unsupported for role {role}")
            if role == "tool":
                call_id = message.get("tool_call_id")
                if call_id not in open_calls:
                    raise self.reject(
                        400,
                        f"messages.{i}: tool message with tool_call_id {call_id!r} does not answer a tool call "
                        "of the preceding assistant message",
                    )
                open_calls.remove(call_id)
                if not isinstance(message.get("content"), str):
                    raise self.reject(400, f"messages.{i}: tool message content must be a string")
                continue
            if open_calls:
                raise self.reject(
                    400,
                    f"messages.{i}: the assistant's tool calls {open_calls} must be answered by tool messages first",
                )
            self.check_content(model, i, role, message.get("content"))
            if role == "assistant" and message.get("tool_calls"):
                for call in message["tool_calls"]:
                    self.check_tool_call(i, call)
                    open_calls.append(call["id"])
        if open_calls:
            raise self.reject(400, f"the assistant's tool calls {open_calls} have no tool results")

    def check_content(self, model: str, i: int, role: str, content: Any) -> None:
        if content is None and role == "assistant":
            return
        if isinstance(content, str):
            return
        if not isinstance(content, list) or role != "user":
            raise self.reject(400, f"messages.{i}: content must be a string")
        for part in content:
            kind = part.get("type")
            if kind == "image_url":
                if model not in self.vision_models:
                    raise self.reject(400, f"messages.{i}: model {model} does not support image input")
                image = part.get("image_url")
                url = image.get("url") if isinstance(image, dict) else image
                if not isinstance(url, str) or not url.startswith(("data:image/", "http")):
                    raise self.reject(400, f"messages.{i}: invalid image_url")
            elif kind != "text" or not isinstance(part.get("text"), str):
                raise self.reject(400, f"messages.{i}: invalid content part {part!r}")

    def check_tool_call(self, i: int, call: Any) -> None:
        function = call.get("function") or {}
        if call.get("type", "function") != "function" or not call.get("id") or not function.get("name"):
            raise self.reject(400, f"messages.{i}: malformed tool call {call!r}")
        try:
            json.loads(function.get("arguments"))
        except (TypeError, json.JSONDecodeError):
            raise self.reject(400, f"messages.{i}: tool call arguments must be a JSON string") from None

    def check_tools(self, tools: Any) -> None:
        for tool in tools or []:
            function = tool.get("function") if isinstance(tool, dict) else None
            if tool.get("type") != "function" or not isinstance(function, dict) or not function.get("name"):
                raise self.reject(400, f"invalid tool {tool!r}")
            if function.get("parameters", {}).get("type", "object") != "object":
                raise self.reject(400, "tool parameters must be a JSON schema of type object")

    # ----- answer
    def tool_call_id(self) -> str:
        return self.next_id("call_")

    def completion(self, model: str, body: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": reply["content"]}
        if reply["tool_calls"]:
            message["tool_calls"] = [
                {
                    "id": call.get("id") or self.tool_call_id(),
                    "type": "function",
                    "function": {"name": call["name"], "arguments": json.dumps(call.get("arguments", {}))},
                }
                for call in reply["tool_calls"]
            ]
        prompt = reply.get("prompt_tokens", count_tokens(body["messages"]))
        completion = reply.get("completion_tokens", count_tokens(message))
        return {
            "id": self.next_id("chatcmpl-"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": reply.get("finish_reason", "tool_calls" if reply["tool_calls"] else "stop"),
                }
            ],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }


class GroqServer(ChatCompletionsServer):
    name = "groq"
    path = "/openai/v1/chat/completions"
    models = {"llama-3.3-70b-versatile", "llama-3.1-8b-instant", "llama-3.2-11b-vision-preview"}
    vision_models = {"llama-3.2-11b-vision-preview"}


class TogetherServer(ChatCompletionsServer):
    name = "together"
    models = {"meta-llama/Llama-3.3-70B-Instruct-Turbo", "meta-llama/Llama-3.2-11B-Vision-Instruct-Turbo"}
    vision_models = {"meta-llama/Llama-3.2-11B-Vision-Instruct-Turbo"}

    def error_body(self, error: ProtocolError) -> Any:
        return {"error": {"message": error.message, "type": "invalid_request_error", "param": None, "code": None}}


class CerebrasServer(ChatCompletionsServer):
    name = "cerebras"
    models = {"llama-3.3-70b", "llama3.1-8b"}
    vision_models: set[str] = set()

    def error_body(self, error: ProtocolError) -> Any:
        return {"message": error.message, "type": "invalid_request_error", "param": "", "code": "wrong_api_format"}


_MISTRAL_ID = re.compile(r"^[a-zA-Z0-9]{9}$")


class MistralServer(ChatCompletionsServer):
    name = "mistral"
    models = {"mistral-large-latest", "mistral-small-latest", "pixtral-12b-2409", "open-mistral-nemo"}
    vision_models = {"pixtral-12b-2409"}
    fields = {
        "system": {"role", "content"},
        "user": {"role", "content"},
        "assistant": {"role", "content", "tool_calls", "prefix"},
        "tool": {"role", "content", "tool_call_id", "name"},
    }

    def error_body(self, error: ProtocolError) -> Any:
        return {
            "object": "error",
            "message": error.message,
            "type": "invalid_request_message_order",
            "param": None,
            "code": None,
        }

    def tool_call_id(self) -> str:
        return self.next_id("a").rjust(9, "0")[-9:]

    def check_tool_call(self, i: int, call: Any) -> None:
        if not _MISTRAL_ID.match(str(call.get("id"))):
            raise self.reject(422, f"Tool call id was {call.get('id')} but must be a-z, A-Z, 0-9, with a length of 9.")
        function = call.get("function") or {}
        if not isinstance(function.get("arguments"), (str, dict)) or not function.get("name"):
            raise self.reject(422, f"messages.{i}: malformed tool call {call!r}")

    def check_messages(self, model: str, messages: list[Any]) -> None:
        super().check_messages(model, messages)
        last = messages[-1]
        if last.get("role") not in ("user", "tool") and not (last.get("role") == "assistant" and last.get("prefix")):
            raise self.reject(
                400,
                f"Expected last role User or Tool (or Assistant with prefix True) for serving but got {last.get('role')}",
            )


class CohereServer(ChatCompletionsServer):
    """Cohere's v2 chat (``POST /v2/chat``): OpenAI-like messages, its own answer and error formats."""

    name = "cohere"
    path = "/v2/chat"
    models = {"command-r-plus", "command-r", "command-a-vision-07-2025"}
    vision_models = {"command-a-vision-07-2025"}
    fields = {
        "system": {"role", "content"},
        "user": {"role", "content"},
        "assistant": {"role", "content", "tool_calls", "tool_plan", "citations"},
        "tool": {"role", "content", "tool_call_id"},
    }

    def error_body(self, error: ProtocolError) -> Any:
        return {"id": self.next_id("err-"), "message": error.message}

    def check_content(self, model: str, i: int, role: str, content: Any) -> None:
        if role == "assistant" and isinstance(content, list):
            if not all(p.get("type") == "text" and isinstance(p.get("text"), str) for p in content):
                raise self.reject(400, f"invalid request: messages[{i}]: assistant content items must be text")
            return
        super().check_content(model, i, role, content)

    def check_messages(self, model: str, messages: list[Any]) -> None:
        super().check_messages(model, messages)
        for i, message in enumerate(messages):
            if message["role"] == "assistant" and not message.get("content") and not message.get("tool_calls"):
                raise self.reject(400, f"invalid request: messages[{i}]: assistant message needs content or tool calls")

    def completion(self, model: str, body: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant"}
        if reply["tool_calls"]:
            message["tool_plan"] = reply["content"] or "I will use the tools."
            message["tool_calls"] = [
                {
                    "id": call.get("id") or self.next_id("add_") + "_tool",
                    "type": "function",
                    "function": {"name": call["name"], "arguments": json.dumps(call.get("arguments", {}))},
                }
                for call in reply["tool_calls"]
            ]
        else:
            message["content"] = [{"type": "text", "text": reply["content"] or ""}]
        prompt = reply.get("prompt_tokens", count_tokens(body["messages"]))
        completion = reply.get("completion_tokens", count_tokens(message))
        finish = "TOOL_CALL" if reply["tool_calls"] else reply.get("finish_reason", "COMPLETE")
        return {
            "id": self.next_id("resp-"),
            "finish_reason": finish,
            "message": message,
            "usage": {
                "billed_units": {"input_tokens": prompt, "output_tokens": completion},
                "tokens": {"input_tokens": prompt + 200, "output_tokens": completion + 2},
            },
        }

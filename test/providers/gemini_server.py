"""The Gemini API ``generateContent`` (Google AI and Vertex AI paths), strictly.

Serves ``POST /{v1,v1beta}/models/{model}:generateContent`` (API key in ``x-goog-api-key``) and
``POST /{v1,v1beta1}/projects/{p}/locations/{l}/publishers/google/models/{model}:generateContent`` (Vertex AI,
``Authorization: Bearer``). Rejects what the real service rejects: unknown fields, roles other than ``user`` and
``model``, empty parts, a part with no data or two kinds of data, a function response turn whose parts do not match
the function calls of the model turn before it, a function call turn that follows neither a user turn nor a function
response turn, unknown safety categories and thresholds, bad function names.

Replies are scripted as for every ``ProtocolServer``; ``fail(status)`` answers with Google's error body
(``{"error": {"code", "message", "status"}}``).
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from protocol_server import ProtocolError, ProtocolServer, Recorded, Response, count_tokens

__all__ = ["GeminiServer"]

_TOP_LEVEL = {"contents", "systemInstruction", "tools", "toolConfig", "safetySettings", "generationConfig"}
_GENERATION = {
    "temperature",
    "topP",
    "topK",
    "maxOutputTokens",
    "candidateCount",
    "stopSequences",
    "seed",
    "responseMimeType",
    "responseSchema",
    "presencePenalty",
    "frequencyPenalty",
}
_PART_DATA = {"text", "inlineData", "fileData", "functionCall", "functionResponse"}
_CATEGORIES = {
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_CIVIC_INTEGRITY",
}
_THRESHOLDS = {
    "BLOCK_LOW_AND_ABOVE",
    "BLOCK_MEDIUM_AND_ABOVE",
    "BLOCK_ONLY_HIGH",
    "BLOCK_NONE",
    "OFF",
    "HARM_BLOCK_THRESHOLD_UNSPECIFIED",
}
_STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED"}
_GEMINI_PATH = re.compile(r"/(?:v1|v1beta)/models/([^/:]+):generateContent")
_VERTEX_PATH = re.compile(
    r"/(?:v1|v1beta1)/projects/([^/]+)/locations/([^/]+)/publishers/google/models/([^/:]+):generateContent"
)


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word.title() for word in rest)


def _keys(value: Any) -> Any:
    """Proto JSON takes field names in lowerCamelCase or snake_case: the same object with camelCase keys."""
    return {_camel(k): v for k, v in value.items()} if isinstance(value, dict) else value


def normalise(body: dict[str, Any]) -> dict[str, Any]:
    """The request with camelCase field names everywhere but inside free-form values (args, schemas, responses)."""
    body = _keys(body)
    for name in ("generationConfig", "systemInstruction", "toolConfig"):
        if name in body:
            body[name] = _keys(body[name])
    if "toolConfig" in body and "functionCallingConfig" in body["toolConfig"]:
        body["toolConfig"]["functionCallingConfig"] = _keys(body["toolConfig"]["functionCallingConfig"])
    body["safetySettings"] = [_keys(x) for x in body.get("safetySettings") or []] or body.get("safetySettings")
    tools = []
    for tool in body.get("tools") or []:
        tool = _keys(tool)
        if isinstance(tool, dict) and "functionDeclarations" in tool:
            tool["functionDeclarations"] = [_keys(d) for d in tool["functionDeclarations"] or []]
        tools.append(tool)
    if "tools" in body:
        body["tools"] = tools
    contents = []
    for content in body.get("contents") or []:
        content = _keys(content)
        if isinstance(content, dict) and isinstance(content.get("parts"), list):
            parts = []
            for part in content["parts"]:
                part = _keys(part)
                if isinstance(part, dict):
                    for kind in ("inlineData", "fileData", "functionCall", "functionResponse"):
                        if kind in part:
                            part[kind] = _keys(part[kind])
                parts.append(part)
            content["parts"] = parts
        contents.append(content)
    if "contents" in body:
        body["contents"] = contents
    if body.get("safetySettings") is None:
        body.pop("safetySettings", None)
    return body


def _bad(message: str) -> ProtocolError:
    return ProtocolError(400, message)


def _unknown(where: str, given: dict[str, Any], allowed: set[str]) -> None:
    for key in given:
        if key not in allowed:
            raise _bad(f"Invalid JSON payload received. Unknown name \"{key}\" at '{where}': Cannot find field.")


def _check_part(part: Any, where: str) -> str:
    if not isinstance(part, dict):
        raise _bad(f"{where}: a part must be an object")
    kinds = [k for k in part if k in _PART_DATA]
    _unknown(where, part, _PART_DATA | {"thought", "thoughtSignature"})
    if len(kinds) != 1:
        raise _bad(f"{where}: a part must hold exactly one of {sorted(_PART_DATA)}; found {kinds}")
    kind = kinds[0]
    if kind == "inlineData":
        data = part["inlineData"]
        if not str(data.get("mimeType", "")).startswith(("image/", "application/pdf")) or not data.get("data"):
            raise _bad(f"{where}.inline_data: needs mime_type and base64 data")
    elif kind == "functionCall" and not part["functionCall"].get("name"):
        raise _bad(f"{where}.function_call.name: Name cannot be empty.")
    elif kind == "functionResponse":
        response = part["functionResponse"]
        if not response.get("name") or not isinstance(response.get("response"), dict):
            raise _bad(f"{where}.function_response: needs a name and an object response")
    return str(kind)


def _check_contents(contents: Any) -> None:
    if not isinstance(contents, list) or not contents:
        raise _bad("* GenerateContentRequest.contents: contents is not specified")
    previous_role: Optional[str] = None
    previous_calls: list[str] = []
    for i, content in enumerate(contents):
        where = f"contents[{i}]"
        _unknown(where, content, {"role", "parts"})
        role = content.get("role", "user")
        if role not in ("user", "model"):
            raise _bad(f"{where}.role: Please use a valid role: user, model.")
        parts = content.get("parts")
        if not isinstance(parts, list) or not parts:
            raise _bad(f"* GenerateContentRequest.{where}.parts: contents.parts must not be empty.")
        kinds = [_check_part(p, f"{where}.parts[{j}]") for j, p in enumerate(parts)]
        calls = [p["functionCall"]["name"] for p, k in zip(parts, kinds) if k == "functionCall"]
        responses = [p["functionResponse"]["name"] for p, k in zip(parts, kinds) if k == "functionResponse"]
        if responses:
            if role != "user" or sorted(responses) != sorted(previous_calls):
                raise _bad(
                    "Please ensure that the number of function response parts is equal to the number of function "
                    "call parts of the function call turn."
                )
        if calls and previous_role != "user":
            raise _bad(
                "Please ensure that function call turn comes immediately after a user turn or after a function "
                "response turn."
            )
        previous_role, previous_calls = role, calls


def _check_tools(tools: Any) -> None:
    for i, tool in enumerate(tools if isinstance(tools, list) else [None]):
        if not isinstance(tool, dict):
            raise _bad(f"tools[{i}]: a tool must be an object")
        _unknown(f"tools[{i}]", tool, {"functionDeclarations", "googleSearch", "codeExecution"})
        for j, decl in enumerate(tool.get("functionDeclarations") or []):
            where = f"tools[{i}].function_declarations[{j}]"
            _unknown(where, decl, {"name", "description", "parameters", "parametersJsonSchema", "response"})
            if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_.\-]{0,63}", str(decl.get("name", ""))):
                raise _bad(f"* GenerateContentRequest.{where}.name: Invalid function name.")


def _check_safety(settings: Any) -> None:
    for i, setting in enumerate(settings if isinstance(settings, list) else [None]):
        if not isinstance(setting, dict):
            raise _bad(f"safety_settings[{i}]: must be an object")
        if setting.get("category") not in _CATEGORIES:
            raise _bad(f"Invalid value at 'safety_settings[{i}].category' ({setting.get('category')!r})")
        if setting.get("threshold") not in _THRESHOLDS:
            raise _bad(f"Invalid value at 'safety_settings[{i}].threshold' ({setting.get('threshold')!r})")


def check_generate_request(body: Optional[dict[str, Any]]) -> None:
    if body is None:
        raise _bad("Invalid JSON payload received.")
    _unknown("", body, _TOP_LEVEL)
    _check_contents(body.get("contents"))
    system = body.get("systemInstruction")
    if system is not None:
        _unknown("system_instruction", system, {"role", "parts"})
        if not system.get("parts") or any("text" not in p for p in system["parts"]):
            raise _bad("system_instruction: must hold text parts")
    if "tools" in body:
        _check_tools(body["tools"])
    if "safetySettings" in body:
        _check_safety(body["safetySettings"])
    generation = body.get("generationConfig") or {}
    _unknown("generation_config", generation, _GENERATION)
    temperature = generation.get("temperature")
    if temperature is not None and not 0 <= temperature <= 2:
        raise _bad("generation_config.temperature: must be in [0.0, 2.0]")


def last_text(body: dict[str, Any]) -> str:
    texts = []
    for part in body["contents"][-1]["parts"]:
        if "text" in part:
            texts.append(part["text"])
        elif "functionResponse" in part:
            texts.append(json.dumps(part["functionResponse"]["response"]))
    return " ".join(texts)


class GeminiServer(ProtocolServer):
    """``server.url`` is what ``HttpOptions(base_url=...)`` (or ``GOOGLE_GEMINI_BASE_URL``) takes."""

    name = "gemini"

    def handle(self, request: Recorded) -> Response:
        path, headers, body = request.path, request.headers, request.body
        gemini = _GEMINI_PATH.fullmatch(path)
        vertex = _VERTEX_PATH.fullmatch(path)
        if request.method != "POST" or not (gemini or vertex):
            raise ProtocolError(404, f"Method not found: {request.method} {path}")
        if gemini and not headers.get("x-goog-api-key"):
            raise ProtocolError(403, "Method doesn't allow unregistered callers. Please use an API key.")
        if vertex and not headers.get("authorization", "").startswith("Bearer "):
            raise ProtocolError(401, "Request is missing required authentication credential.")
        body = normalise(body) if isinstance(body, dict) else body
        check_generate_request(body)
        request.body = body  # what tests and responders read: the canonical camelCase form
        reply = self.next_reply(request)
        model = gemini.group(1) if gemini else vertex.group(3)  # type: ignore[union-attr]
        parts: list[dict[str, Any]] = []
        if reply.get("content"):
            parts.append({"text": reply["content"]})
        for call in reply["tool_calls"]:
            args = call.get("arguments", {})
            call_part = {"name": call["name"], "args": json.loads(args) if isinstance(args, str) else args}
            parts.append({"functionCall": call_part})
        prompt = reply.get("prompt_tokens", count_tokens([body.get("systemInstruction"), body["contents"]]))
        candidates = reply.get("completion_tokens", count_tokens(parts))
        answer = {
            "candidates": [
                {
                    "content": {"role": "model", "parts": parts},
                    "finishReason": reply.get("finish_reason") or "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": prompt,
                "candidatesTokenCount": candidates,
                "totalTokenCount": prompt + candidates,
            },
            "modelVersion": reply.get("model", model),
            "responseId": self.next_id("resp-"),
        }
        return Response(200, answer)

    def last_user_text(self, request: Recorded) -> str:
        return last_text(request.body)

    def error_body(self, error: ProtocolError) -> Any:
        return {
            "error": {"code": error.status, "message": error.message, "status": _STATUS.get(error.status, "INTERNAL")}
        }

"""The OpenAI Assistants API (v2) for the local test server: assistants, threads, messages, runs, files.

``LLMServer`` delegates every path whose first API segment is ``assistants``, ``threads`` or ``files``
(``/v1/...`` and Azure's ``/openai/...``) to :class:`AssistantsAPI`, which keeps the state in memory.

A run's outcome is scripted exactly like a chat completion: when a run starts (and again after its
tool outputs are submitted) the server builds a chat-completion-like request from the thread
(``{"model", "messages": [system instructions, thread messages, tool round trips], "tools",
"assistant_id", "thread_id", "run_id"}``) and takes the next reply from ``server.script(...)`` or
``server.responder`` (default: echo). The reply means:

* a str, or a dict with ``content``: the run completes with that text as an assistant message
  (``annotations``: ``[{"text", "file_id", "kind": "file_citation"|"file_path"}]`` to add to it);
* a dict with ``tool_calls`` (``[{"name", "arguments", "id"?}]``): the run ``requires_action``;
* a dict with ``status`` (an HTTP error code, as for chat completions): the run ``failed`` with
  ``last_error`` ``rate_limit_exceeded`` (429) or ``server_error``;
* a dict with ``run_status`` (``failed``, ``expired``, ``cancelled``, ``incomplete``) and optional
  ``last_error`` / ``content``: that terminal status;
* ``polls`` (int, in any dict reply): how many retrievals the run stays ``in_progress`` first
  (default :attr:`AssistantsAPI.polls`, 0: the create/submit response already has the outcome).

``api.model_requests`` records the chat-like bodies built for runs; ``server.requests`` records the
HTTP requests themselves (tool outputs, run parameters, ...).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any, Callable, Optional, Union

Reply = Union[str, dict[str, Any]]
Result = tuple[int, dict[str, Any]]

__all__ = ["AssistantsAPI"]

ROOTS = ("assistants", "threads", "files")
ACTIVE = ("queued", "in_progress", "requires_action", "cancelling")
MAX_INLINE_MESSAGES = 32
ASSISTANT_FIELDS = (
    "name",
    "description",
    "instructions",
    "metadata",
    "tools",
    "tool_resources",
    "temperature",
    "top_p",
    "response_format",
    "model",
)


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _text_of(content: Any) -> str:
    """The text of a message's content (a str or a list of content parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _content_blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, list):
        return [
            {"type": "text", "text": {"value": p.get("text", ""), "annotations": []}} if p.get("type") == "text" else p
            for p in content
            if isinstance(p, dict)
        ]
    return [{"type": "text", "text": {"value": str(content), "annotations": []}}]


def _param(query: dict[str, list[str]], name: str) -> Optional[str]:
    values = query.get(name)
    return values[0] if values else None


def _page(items: list[dict[str, Any]], query: dict[str, list[str]], default_order: str = "desc") -> dict[str, Any]:
    """A cursor page: ``order``, ``limit``, ``after``, ``before`` as the API takes them."""
    order = _param(query, "order") or default_order
    limit = int(_param(query, "limit") or 20)
    ordered = list(items) if order == "asc" else list(reversed(items))
    ids = [item["id"] for item in ordered]
    after = _param(query, "after")
    before = _param(query, "before")
    if after in ids:
        ordered = ordered[ids.index(after) + 1 :]
    if before is not None:
        remaining = [item["id"] for item in ordered]
        if before in remaining:
            ordered = ordered[: remaining.index(before)]
    data = ordered[:limit]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": len(ordered) > limit,
    }


class AssistantsAPI:
    """In-memory Assistants API state and routing. ``next_reply(body)`` scripts the runs' outcomes."""

    def __init__(self, next_reply: Callable[[dict[str, Any]], Reply]) -> None:
        self._next_reply = next_reply
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self.polls = 0
        self.assistants: dict[str, dict[str, Any]] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.runs: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.model_requests: list[dict[str, Any]] = []
        self._pending: dict[str, dict[str, Any]] = {}  # run id -> {"left": polls, "outcome": reply}
        self._transcripts: dict[str, list[dict[str, Any]]] = {}  # run id -> tool round trips

    # ------------------------------------------------------------------------------ test helpers --
    def reset(self) -> None:
        with self._lock:
            self.polls = 0
            for store in (self.assistants, self.threads, self.messages, self.runs, self.files):
                store.clear()
            self.model_requests.clear()
            self._pending.clear()
            self._transcripts.clear()

    def add_file(self, filename: str, purpose: str = "assistants", size: int = 0) -> str:
        """Register an uploaded file (the server does not take multipart uploads); returns its id."""
        with self._lock:
            file_id = self._new_id("file-")
            self.files[file_id] = {
                "id": file_id,
                "object": "file",
                "bytes": size,
                "created_at": int(time.time()),
                "filename": filename,
                "purpose": purpose,
                "status": "processed",
            }
            return file_id

    def thread_messages(self, thread_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages.get(thread_id, []))

    # ----------------------------------------------------------------------------------- routing --
    @staticmethod
    def owns(path: str) -> bool:
        return AssistantsAPI._route(path) is not None

    @staticmethod
    def _route(path: str) -> Optional[list[str]]:
        parts = [p for p in path.split("/") if p]
        for i, part in enumerate(parts[:3]):
            if part in ROOTS and i > 0 and parts[i - 1] in ("v1", "openai"):
                return parts[i:]
        return None

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Optional[dict[str, Any]]) -> Result:
        route = self._route(path) or []
        try:
            with self._lock:
                return 200, self._dispatch(method, route, query, body or {})
        except ApiError as e:
            return e.status, {
                "error": {"message": e.message, "type": "invalid_request_error", "param": None, "code": None}
            }

    def _dispatch(self, method: str, r: list[str], query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
        n = len(r)
        root = r[0]
        if root == "files" and n == 2 and method == "GET":
            return self._get(self.files, r[1], "file")
        if root == "assistants":
            if n == 1 and method == "POST":
                return self._create_assistant(body)
            if n == 1 and method == "GET":
                return _page(list(self.assistants.values()), query)
            if n == 2:
                if method == "GET":
                    return self._get(self.assistants, r[1], "assistant")
                if method == "POST":
                    return self._update_assistant(r[1], body)
                if method == "DELETE":
                    self._get(self.assistants, r[1], "assistant")
                    del self.assistants[r[1]]
                    return {"id": r[1], "object": "assistant.deleted", "deleted": True}
        if root == "threads":
            if n == 1 and method == "POST":
                return self._create_thread(body)
            thread = self._get(self.threads, r[1], "thread") if n >= 2 else None
            if thread is not None and n == 2:
                if method == "GET":
                    return thread
                if method == "DELETE":
                    del self.threads[thread["id"]]
                    self.messages.pop(thread["id"], None)
                    return {"id": thread["id"], "object": "thread.deleted", "deleted": True}
            if thread is not None and n == 3 and r[2] == "messages":
                if method == "POST":
                    self._check_idle(thread["id"], "add messages to")
                    return self._add_message(thread["id"], body)
                if method == "GET":
                    items = self.messages[thread["id"]]
                    run_id = _param(query, "run_id")
                    if run_id is not None:
                        items = [m for m in items if m["run_id"] == run_id]
                    return _page(items, query)
            if thread is not None and n >= 3 and r[2] == "runs":
                return self._runs(method, thread, r[3:], query, body)
        raise ApiError(404, f"no route {method} /{'/'.join(r)}")

    # ----------------------------------------------------------------------------------- objects --
    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    @staticmethod
    def _get(store: dict[str, dict[str, Any]], key: str, kind: str) -> dict[str, Any]:
        if key not in store:
            raise ApiError(404, f"No {kind} found with id '{key}'.")
        return store[key]

    def _create_assistant(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("model"):
            raise ApiError(400, "Missing required parameter: 'model'.")
        assistant_id = self._new_id("asst_")
        assistant: dict[str, Any] = {
            "id": assistant_id,
            "object": "assistant",
            "created_at": int(time.time()),
            "name": None,
            "description": None,
            "instructions": None,
            "metadata": {},
            "tools": [],
            "tool_resources": {},
            "temperature": 1.0,
            "top_p": 1.0,
            "response_format": "auto",
        }
        assistant.update({k: body[k] for k in ASSISTANT_FIELDS if k in body})
        self.assistants[assistant_id] = assistant
        return assistant

    def _update_assistant(self, assistant_id: str, body: dict[str, Any]) -> dict[str, Any]:
        assistant = self._get(self.assistants, assistant_id, "assistant")
        assistant.update({k: body[k] for k in ASSISTANT_FIELDS if k in body})
        return assistant

    def _create_thread(self, body: dict[str, Any]) -> dict[str, Any]:
        thread_id = self._new_id("thread_")
        thread = {
            "id": thread_id,
            "object": "thread",
            "created_at": int(time.time()),
            "metadata": body.get("metadata") or {},
            "tool_resources": body.get("tool_resources") or {},
        }
        self.threads[thread_id] = thread
        self.messages[thread_id] = []
        for message in body.get("messages") or []:
            self._add_message(thread_id, message)
        return thread

    def _add_message(
        self, thread_id: str, body: dict[str, Any], run: Optional[dict[str, Any]] = None
    ) -> dict[str, Any]:
        role = body.get("role")
        if role not in ("user", "assistant"):
            raise ApiError(400, f"Invalid 'role': {role!r}. Supported values are: 'user' and 'assistant'.")
        content = body.get("content")
        if content is None or content == "" or content == []:
            raise ApiError(400, "Invalid 'content': the message content must be a non-empty string or list of parts.")
        blocks = content if run is not None else _content_blocks(content)
        message = {
            "id": self._new_id("msg_"),
            "object": "thread.message",
            "created_at": int(time.time()),
            "thread_id": thread_id,
            "status": "completed",
            "incomplete_details": None,
            "completed_at": int(time.time()),
            "incomplete_at": None,
            "role": role,
            "content": blocks,
            "assistant_id": run["assistant_id"] if run else None,
            "run_id": run["id"] if run else None,
            "attachments": body.get("attachments") or [],
            "metadata": body.get("metadata") or {},
        }
        self.messages[thread_id].append(message)
        return message

    def _check_idle(self, thread_id: str, action: str) -> None:
        for run in self.runs.values():
            if run["thread_id"] == thread_id and run["status"] in ACTIVE:
                raise ApiError(400, f"Can't {action} {thread_id} while a run {run['id']} is active.")

    # -------------------------------------------------------------------------------------- runs --
    def _runs(
        self,
        method: str,
        thread: dict[str, Any],
        r: list[str],
        query: dict[str, list[str]],
        body: dict[str, Any],
    ) -> dict[str, Any]:
        thread_id = thread["id"]
        if not r and method == "POST":
            return self._create_run(thread_id, body)
        if not r and method == "GET":
            return _page([x for x in self.runs.values() if x["thread_id"] == thread_id], query)
        run = self._get(self.runs, r[0], "run")
        if run["thread_id"] != thread_id:
            raise ApiError(404, f"No run found with id '{r[0]}'.")
        if len(r) == 1 and method == "GET":
            self._advance(run)
            return run
        if len(r) == 2 and method == "POST" and r[1] == "cancel":
            if run["status"] not in ACTIVE:
                raise ApiError(400, f"Cannot cancel run with status '{run['status']}'.")
            run["status"] = "cancelling"
            self._pending[run["id"]] = {"left": 0, "outcome": {"run_status": "cancelled"}}
            return run
        if len(r) == 2 and method == "POST" and r[1] == "submit_tool_outputs":
            return self._submit(run, body)
        if len(r) == 2 and method == "GET" and r[1] == "steps":
            return _page([], query)
        raise ApiError(404, f"no route {method} runs/{'/'.join(r)}")

    def _create_run(self, thread_id: str, body: dict[str, Any]) -> dict[str, Any]:
        assistant = self._get(self.assistants, body.get("assistant_id") or "", "assistant")
        self._check_idle(thread_id, "create a run on")
        extra = body.get("additional_messages") or []
        if len(extra) > MAX_INLINE_MESSAGES:
            raise ApiError(400, f"'additional_messages' has more than {MAX_INLINE_MESSAGES} items.")
        for message in extra:
            self._add_message(thread_id, message)
        instructions = body.get("instructions")
        if instructions is None:
            instructions = assistant.get("instructions")
        if body.get("additional_instructions"):
            instructions = f"{instructions or ''}\n{body['additional_instructions']}".strip()
        now = int(time.time())
        run: dict[str, Any] = {
            "id": self._new_id("run_"),
            "object": "thread.run",
            "created_at": now,
            "thread_id": thread_id,
            "assistant_id": assistant["id"],
            "status": "queued",
            "required_action": None,
            "last_error": None,
            "expires_at": now + 600,
            "started_at": None,
            "cancelled_at": None,
            "failed_at": None,
            "completed_at": None,
            "incomplete_details": None,
            "model": body.get("model") or assistant["model"],
            "instructions": instructions,
            "tools": body.get("tools") if body.get("tools") is not None else assistant["tools"],
            "metadata": body.get("metadata") or {},
            "usage": None,
            "temperature": body.get("temperature", assistant.get("temperature")),
            "top_p": body.get("top_p", assistant.get("top_p")),
            "max_prompt_tokens": body.get("max_prompt_tokens"),
            "max_completion_tokens": body.get("max_completion_tokens"),
            "truncation_strategy": {"type": "auto", "last_messages": None},
            "response_format": "auto",
            "tool_choice": body.get("tool_choice", "auto"),
            "parallel_tool_calls": body.get("parallel_tool_calls", True),
        }
        self.runs[run["id"]] = run
        self._transcripts[run["id"]] = []
        self._start_step(run)
        return run

    def _model_request(self, run: dict[str, Any]) -> dict[str, Any]:
        messages: list[dict[str, Any]] = []
        if run["instructions"]:
            messages.append({"role": "system", "content": run["instructions"]})
        for message in self.messages[run["thread_id"]]:
            text = "\n".join(b["text"]["value"] for b in message["content"] if b.get("type") == "text")
            messages.append({"role": message["role"], "content": text})
        messages.extend(self._transcripts[run["id"]])
        body = {"model": run["model"], "messages": messages, "tools": run["tools"]}
        body.update(assistant_id=run["assistant_id"], thread_id=run["thread_id"], run_id=run["id"])
        return body

    def _start_step(self, run: dict[str, Any]) -> None:
        """Ask the script for this step's outcome; reveal it now or after the configured polls."""
        body = self._model_request(run)
        self.model_requests.append(body)
        reply = self._next_reply(body)
        outcome: dict[str, Any] = {"content": reply} if isinstance(reply, str) else dict(reply)
        left = int(outcome.get("polls", self.polls))
        run["status"] = "queued" if left else run["status"]
        self._pending[run["id"]] = {"left": left, "outcome": outcome}
        run["usage"] = None
        self._advance(run, polled=False)

    def _advance(self, run: dict[str, Any], polled: bool = True) -> None:
        pending = self._pending.get(run["id"])
        if pending is None:
            return
        if pending["left"] > 0:
            if polled:
                pending["left"] -= 1
                run["status"] = "in_progress"
                run["started_at"] = run["started_at"] or int(time.time())
            return
        del self._pending[run["id"]]
        self._finish(run, pending["outcome"])

    def _finish(self, run: dict[str, Any], outcome: dict[str, Any]) -> None:
        now = int(time.time())
        run["started_at"] = run["started_at"] or now
        run["required_action"] = None
        if outcome.get("tool_calls"):
            calls = []
            for i, call in enumerate(outcome["tool_calls"]):
                args = call.get("arguments", "{}")
                calls.append(
                    {
                        "id": call.get("id", f"call_{run['id']}_{len(self._transcripts[run['id']])}_{i}"),
                        "type": "function",
                        "function": {
                            "name": call["name"],
                            "arguments": args if isinstance(args, str) else json.dumps(args),
                        },
                    }
                )
            run["status"] = "requires_action"
            run["required_action"] = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": calls}}
            return
        status = outcome.get("run_status")
        if outcome.get("status"):
            code = int(outcome["status"])
            status = "failed"
            outcome.setdefault(
                "last_error",
                {
                    "code": "rate_limit_exceeded" if code == 429 else "server_error",
                    "message": outcome.get("content") or f"scripted failure {code}",
                },
            )
            outcome.pop("content", None)
        status = status or "completed"
        if outcome.get("content") and status in ("completed", "incomplete"):
            self._add_message(run["thread_id"], self._assistant_message(outcome), run)
        run["status"] = status
        if status == "completed":
            run["completed_at"] = now
            prompt = sum(len(str(m.get("content") or "")) for m in self._model_request(run)["messages"]) // 4 + 1
            completion = len(str(outcome.get("content") or "")) // 4 + 1
            run["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            }
        elif status == "failed":
            run["failed_at"] = now
            run["last_error"] = outcome.get("last_error") or {"code": "server_error", "message": "scripted failure"}
        elif status == "cancelled":
            run["cancelled_at"] = now
        elif status == "incomplete":
            run["incomplete_details"] = {"reason": outcome.get("reason", "max_completion_tokens")}

    def _assistant_message(self, outcome: dict[str, Any]) -> dict[str, Any]:
        text = str(outcome["content"])
        annotations = []
        for note in outcome.get("annotations") or []:
            start = text.find(note["text"])
            kind = note.get("kind", "file_citation")
            annotations.append(
                {
                    "type": kind,
                    "text": note["text"],
                    "start_index": max(start, 0),
                    "end_index": max(start, 0) + len(note["text"]),
                    kind: {"file_id": note["file_id"]},
                }
            )
        return {"role": "assistant", "content": [{"type": "text", "text": {"value": text, "annotations": annotations}}]}

    def _submit(self, run: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        if run["status"] != "requires_action":
            raise ApiError(400, f'Runs in status "{run["status"]}" do not accept tool outputs.')
        calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
        outputs = {o.get("tool_call_id"): o.get("output") for o in body.get("tool_outputs") or []}
        missing = [c["id"] for c in calls if c["id"] not in outputs]
        if missing:
            raise ApiError(400, f"Expected tool outputs for call_ids {missing}, got {sorted(map(str, outputs))}.")
        transcript = self._transcripts[run["id"]]
        transcript.append({"role": "assistant", "content": None, "tool_calls": calls})
        for call in calls:
            transcript.append({"role": "tool", "tool_call_id": call["id"], "content": outputs[call["id"]]})
        run["status"] = "queued"
        run["required_action"] = None
        self._start_step(run)
        return run

"""Reassemble a streamed chat completion from its chunks, printing content as it arrives.

The collector is fed by the sync and the async transport alike; it only sees chunk objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ["StreamCollector"]


@dataclass
class _Call:
    id: Optional[str] = None
    type: str = "function"
    name: str = ""
    arguments: list[str] = field(default_factory=list)

    def add(self, id: Optional[str], type: Optional[str], name: Optional[str], arguments: Optional[str]) -> None:
        if id:
            self.id = id
        if type:
            self.type = type
        # OpenAI sends the name once; some compatible servers repeat it in every chunk
        if name and name != self.name:
            self.name += name
        if arguments:
            self.arguments.append(arguments)

    def as_function(self) -> dict[str, Any]:
        return {"name": self.name, "arguments": "".join(self.arguments)}


@dataclass
class _Choice:
    role: str = "assistant"
    content: list[str] = field(default_factory=list)
    refusal: list[str] = field(default_factory=list)
    tool_calls: dict[int, _Call] = field(default_factory=dict)
    function_call: Optional[_Call] = None
    finish_reason: Optional[str] = None


# streamed text is printed in green, as classic AutoGen printed it
_GREEN = "\033[32m"
_RESET = "\033[0m"


class StreamCollector:
    """Feed it chunks with ``add``; ``completion_dict()`` is the chat completion they make up.

    Check ``incomplete_choices()`` first: a cut stream must not pass for a complete answer.
    """

    def __init__(self, output: Any = None):
        self._output = output  # an OutputStream, or None to stay silent
        self._printed = False
        self._choices: dict[int, _Choice] = {}
        self.id = ""
        self.model = ""
        self.created = 0
        self.system_fingerprint: Optional[str] = None
        self.usage: Optional[dict[str, Any]] = None

    def add(self, chunk: Any) -> None:
        self.id = chunk.id or self.id
        self.model = chunk.model or self.model
        self.created = chunk.created or self.created
        self.system_fingerprint = getattr(chunk, "system_fingerprint", None) or self.system_fingerprint
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            self.usage = usage.model_dump() if hasattr(usage, "model_dump") else dict(usage)
        for choice in chunk.choices or []:
            self._add_choice(choice)

    def _add_choice(self, choice: Any) -> None:
        state = self._choices.setdefault(choice.index, _Choice())
        delta = choice.delta
        if delta is not None:
            if getattr(delta, "role", None):
                state.role = delta.role
            if delta.content:
                state.content.append(delta.content)
                if self._output is not None:
                    if not self._printed:
                        self._output.print(_GREEN, end="")
                        self._printed = True
                    self._output.print(delta.content, end="", flush=True)
            if getattr(delta, "refusal", None):
                state.refusal.append(delta.refusal)
            for call in getattr(delta, "tool_calls", None) or []:
                function = call.function
                state.tool_calls.setdefault(call.index, _Call()).add(
                    call.id,
                    call.type,
                    function.name if function else None,
                    function.arguments if function else None,
                )
            function_call = getattr(delta, "function_call", None)
            if function_call is not None:
                if state.function_call is None:
                    state.function_call = _Call()
                state.function_call.add(None, None, function_call.name, function_call.arguments)
        if choice.finish_reason:
            state.finish_reason = choice.finish_reason

    def incomplete_choices(self) -> list[int]:
        """Indexes of the choices the stream never finished (no ``finish_reason`` arrived for them).

        The SDK's stream consumes the ``[DONE]`` line itself, so the finish reason is the evidence that an
        answer ended: a stream that stops without one was cut (by a proxy, a network failure, a crashed server).
        """
        return [index for index, state in sorted(self._choices.items()) if not state.finish_reason]

    def finish(self) -> None:
        """End the printed answer as classic did: the colour reset, a line end and an empty line (an answer without
        text, e.g. only tool calls, prints just that frame)."""
        if self._output is None:
            return
        if not self._printed:
            self._output.print(_GREEN, end="")
            self._printed = True
        self._output.print(_RESET + "\n", flush=True)

    def completion_text(self) -> str:
        return "".join("".join(c.content) for c in self._choices.values())

    def completion_dict(self) -> dict[str, Any]:
        """The streamed answer as a ``chat.completion`` object (``usage`` as received, or None)."""
        choices = []
        for index in sorted(self._choices):
            state = self._choices[index]
            message: dict[str, Any] = {
                "role": state.role,
                "content": "".join(state.content)
                if state.content or not (state.tool_calls or state.function_call)
                else None,
            }
            if state.refusal:
                message["refusal"] = "".join(state.refusal)
            if state.tool_calls:
                message["tool_calls"] = [
                    {"id": call.id or f"call_{index}_{i}", "type": call.type, "function": call.as_function()}
                    for i, call in sorted(state.tool_calls.items())
                ]
            if state.function_call is not None:
                message["function_call"] = state.function_call.as_function()
            choices.append({"index": index, "message": message, "finish_reason": state.finish_reason, "logprobs": None})
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": choices,
            "system_fingerprint": self.system_fingerprint,
            "usage": self.usage,
        }

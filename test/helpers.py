"""Small test helpers shared by several test modules."""

from __future__ import annotations

from collections import deque
from typing import Any, Iterable

from autogen.io.base import IOStream


class ScriptedIO(IOStream):
    """An IOStream that answers input prompts from a script and records everything printed.

    Running out of scripted input is a test failure, not a hang.
    """

    def __init__(self, inputs: Iterable[str] = ()) -> None:
        self.inputs: deque[str] = deque(inputs)
        self.prompts: list[str] = []
        self.printed: list[str] = []

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        self.printed.append(sep.join(str(o) for o in objects) + end)

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        self.prompts.append(prompt)
        if not self.inputs:
            raise AssertionError(f"ScriptedIO ran out of input at prompt {prompt!r}")
        return self.inputs.popleft()

    @property
    def output(self) -> str:
        return "".join(self.printed)


def ends_with_terminate(message: dict) -> bool:
    """A termination test that accepts a reply ending with TERMINATE ("Done. TERMINATE").

    The classic default (also ours) ends a chat only on a message that is exactly "TERMINATE"; tests whose
    scripted replies end with the word pass this explicitly, as 0.2-era user code does.
    """
    content = message.get("content")
    return isinstance(content, str) and content.rstrip().endswith("TERMINATE")

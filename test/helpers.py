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

from __future__ import annotations

import asyncio

from helpers import ScriptedIO

from autogen.io import IOConsole, IOStream


def test_default_is_console_and_context_default_overrides() -> None:
    assert isinstance(IOStream.get_default(), IOConsole)
    scripted = ScriptedIO(["hi"])
    with IOStream.set_default(scripted):
        IOStream.get_default().print("a", "b", sep="-")
        assert IOStream.get_default().input("> ") == "hi"
    assert isinstance(IOStream.get_default(), IOConsole)
    assert scripted.output == "a-b\n"
    assert scripted.prompts == ["> "]


def test_global_default_is_used_outside_contexts() -> None:
    previous = IOStream.get_global_default()
    scripted = ScriptedIO()
    try:
        IOStream.set_global_default(scripted)
        IOStream.get_default().print("x")
        assert scripted.output == "x\n"
    finally:
        IOStream.set_global_default(previous)


async def test_concurrent_tasks_keep_their_own_stream() -> None:
    first, second = ScriptedIO(), ScriptedIO()

    async def speak(stream: ScriptedIO, word: str) -> None:
        with IOStream.set_default(stream):
            for _ in range(3):
                IOStream.get_default().print(word)
                await asyncio.sleep(0)

    await asyncio.gather(speak(first, "one"), speak(second, "two"))
    assert first.output == "one\n" * 3
    assert second.output == "two\n" * 3


def test_console_reads_stdin(monkeypatch) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt="": "typed:" + prompt)
    assert IOConsole().input("q? ") == "typed:q? "

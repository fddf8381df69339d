"""samples/simple_chat.py: a terminal chat, driven by scripted human input, against the local LLM server."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from helpers import ScriptedIO
from llm_server import LLMServer
from samples_support import REPO_ROOT, SAMPLES, run_script

from autogen.io import IOStream

SCRIPT = SAMPLES / "simple_chat.py"


@pytest.fixture(scope="module")
def simple_chat() -> ModuleType:
    if str(SAMPLES) not in sys.path:  # as when run as a script: the shared config loader sits beside it
        sys.path.insert(0, str(SAMPLES))
    spec = importlib.util.spec_from_file_location("simple_chat_sample", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dialogue(body: dict) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in body["messages"] if m["role"] != "system"]


def test_chat_until_exit(simple_chat: ModuleType, llm_server: LLMServer) -> None:
    llm_server.script("Hello! What shall we talk about?", "Paris.")
    io = ScriptedIO(["Hi there", "   ", "What is the capital of France?", "exit"])
    with IOStream.set_default(io):
        result = simple_chat.chat(llm_server.config_list())

    assert io.prompts == ["You: "] * 4  # the blank line was asked again
    bodies = llm_server.chat_requests()
    assert len(bodies) == 2 and llm_server.pending == 0
    assert bodies[0]["messages"][0]["content"] == simple_chat.SYSTEM_MESSAGE
    assert _dialogue(bodies[1]) == [
        ("user", "Hi there"),
        ("assistant", "Hello! What shall we talk about?"),
        ("user", "What is the capital of France?"),
    ]
    assert "assistant: Hello! What shall we talk about?\n" in io.output
    assert "assistant: Paris.\n" in io.output
    assert "(to assistant)" not in io.output  # the person's own words are not echoed back
    assert result is not None and [m["content"] for m in result.chat_history][-1] == "Paris."


def test_exit_at_once_asks_no_model(simple_chat: ModuleType, llm_server: LLMServer) -> None:
    io = ScriptedIO(["EXIT"])
    with IOStream.set_default(io):
        assert simple_chat.chat(llm_server.config_list()) is None
    assert llm_server.chat_requests() == []


def test_streamed_answers_are_printed_once(simple_chat: ModuleType, llm_server: LLMServer) -> None:
    llm_server.script("A streamed answer.")
    io = ScriptedIO(["quit"])
    with IOStream.set_default(io):
        simple_chat.chat(llm_server.config_list(), stream=True, first_message="Stream please")
    (body,) = llm_server.chat_requests()
    assert body["stream"] is True
    assert io.output.count("A streamed answer.") == 1
    assert "assistant: \033[32mA streamed answer.\033[0m\n" in io.output  # in green, as classic printed streams


def test_the_script_in_a_terminal(llm_server: LLMServer, tmp_path: Path) -> None:
    done = run_script(
        SCRIPT, [], {"OAI_CONFIG_LIST": json.dumps(llm_server.config_list())}, tmp_path, stdin="Hello\nexit\n"
    )
    assert done.returncode == 0, done.stderr
    assert "assistant: echo: Hello\n" in done.stdout  # the server's default answer
    assert done.stdout.rstrip().endswith("Bye! (answers: 1)")


def test_end_of_input_ends_the_chat(llm_server: LLMServer, tmp_path: Path) -> None:
    done = run_script(
        SCRIPT, ["--message", "One question"], {"OAI_CONFIG_LIST": json.dumps(llm_server.config_list())}, tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "assistant: echo: One question\n" in done.stdout


def test_without_config_says_what_to_set(tmp_path: Path) -> None:
    if (REPO_ROOT / "OAI_CONFIG_LIST").exists():
        pytest.skip("a developer's own OAI_CONFIG_LIST in the repository would be used")
    done = run_script(SCRIPT, [], {}, tmp_path, stdin="hello\n")
    assert done.returncode == 2
    assert "OAI_CONFIG_LIST" in done.stderr

"""Interrupt a chat (an exception no reply catches, or SIGKILL), continue it in a fresh process, and compare with an
uninterrupted run: the same messages, the same speakers, the same result, and the server sees the same requests
(so nothing already answered is asked again; the LLM cache is off)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from llm_server import LLMServer

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


def run_scenario(name: str, server: LLMServer, interrupt: str, at: int, workdir: Path) -> int:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, str(HERE / "scenarios.py"), name, server.base_url, interrupt, str(at), str(workdir)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode not in (0, 3, -signal.SIGKILL):
        raise AssertionError(f"scenario failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.returncode


def uninterrupted(name: str, server: LLMServer, tmp_path: Path) -> tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """The same scenario run through without interruption (here: the code is the same in any process)."""
    import scenarios

    workdir = tmp_path / "uninterrupted"
    workdir.mkdir()
    out = scenarios.SCENARIOS[name](server.base_url, None, 0, workdir)
    requests = server.chat_requests()
    server.requests.clear()
    return json.loads(json.dumps(out)), requests


@pytest.mark.parametrize("interrupt", ["exception", "kill"])
@pytest.mark.parametrize("name", ["two_agent", "group"])
def test_interrupted_chat_continues_in_a_new_process(
    llm_server: LLMServer, tmp_path: Path, name: str, interrupt: str
) -> None:
    import scenarios

    llm_server.responder = scenarios.responder
    expected, expected_requests = uninterrupted(name, llm_server, tmp_path)

    workdir = tmp_path / "interrupted"
    workdir.mkdir()
    code = run_scenario(name, llm_server, interrupt, 2, workdir)
    assert code == (3 if interrupt == "exception" else -signal.SIGKILL)
    assert not (workdir / "out.json").exists()
    checkpoint = json.loads((workdir / "chat.json").read_text())
    assert checkpoint["kind"] == "autogen.chat" and checkpoint["status"] == "running"
    # the executor was about to answer the second tool call: the state says so
    assert checkpoint["next"]["speaker"] == "user"
    assert checkpoint["next"]["open_tool_calls"] == [{"id": "call_2", "name": "step"}]
    before = len(llm_server.chat_requests())

    assert run_scenario(name, llm_server, interrupt, 2, workdir) == 0  # same command, fresh process: it continues
    resumed = json.loads((workdir / "out.json").read_text())
    assert resumed == expected
    assert llm_server.chat_requests() == expected_requests
    assert before < len(expected_requests)  # the first process did part of the work
    assert json.loads((workdir / "chat.json").read_text())["status"] == "finished"
    if name == "group":
        assert resumed["speakers"] == ["user", "coder", "user", "reviewer", "coder", "user", "reviewer"]

    if interrupt == "exception":
        return
    # once finished, running it again returns the saved result and asks the server nothing
    llm_server.requests.clear()
    assert run_scenario(name, llm_server, interrupt, 2, workdir) == 0
    assert json.loads((workdir / "out.json").read_text())["result"] == expected["result"]
    assert llm_server.chat_requests() == []

"""samples/state_resume.py, run as a user would: crash it half-way, run it again, it finishes; then it is done."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

from llm_server import LLMServer

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "samples" / "state_resume.py"


def answer(body: Dict[str, Any]) -> Any:
    results = [m for m in body["messages"] if m.get("role") == "tool"]
    if not results:
        return {"tool_calls": [{"name": "multiply", "arguments": {"a": 12, "b": 34}}]}
    if len(results) == 1:
        return {"tool_calls": [{"name": "multiply", "arguments": {"a": float(results[0]["content"]), "b": 56}}]}
    return f"The answer is {results[1]['content']}. TERMINATE"


def run(server: LLMServer, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OAI_CONFIG_LIST": json.dumps(server.config_list()), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_crash_then_resume_then_done(llm_server: LLMServer, tmp_path: Path) -> None:
    llm_server.responder = answer
    crashed = run(llm_server, tmp_path, "--crash-at", "2")
    assert crashed.returncode == 17, crashed.stderr
    assert "simulated crash" in crashed.stdout
    assert len(llm_server.chat_requests()) == 2

    resumed = run(llm_server, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming the chat saved in chat.json: user replies to assistant." in resumed.stdout
    assert "Summary: The answer is 22848.0." in resumed.stdout
    assert len(llm_server.chat_requests()) == 3  # only the last answer was asked for

    again = run(llm_server, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "is finished" in again.stdout and "Summary: The answer is 22848.0." in again.stdout
    assert len(llm_server.chat_requests()) == 3


def test_without_a_model_config_it_says_what_to_set(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OAI_CONFIG_LIST"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "OAI_CONFIG_LIST" in done.stderr

"""Runs samples/groupchat.py as a user would, against the local OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest
from llm_server import LLMServer

from autogen.agentchat.groupchat import DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "samples" / "groupchat.py"
SELECTION_MARK = DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE.split("{")[0].strip()
NEXT = {"user_proxy": "planner", "planner": "engineer", "engineer": "reviewer"}
REPLIES = {
    "planner": "1. Normalise the string. 2. Compare it with its reverse.",
    "engineer": "```python\ndef is_palindrome(s):\n    t = s.lower()\n    return t == t[::-1]\n```",
    "reviewer": "The code is right. TERMINATE",
}


def _responder(body: Dict[str, Any]) -> Any:
    system = body["messages"][0]["content"]
    if SELECTION_MARK in system:
        last_speaker = body["messages"][-2].get("name")
        return f"The {NEXT[last_speaker]} should speak now."
    for name in REPLIES:
        if system.startswith(f"You are a {name}") or system.startswith(f"You are an {name}"):
            return REPLIES[name]
    raise AssertionError(f"unexpected request: {system[:80]!r}")


def _run(args: list[str], env: Dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, str(SAMPLE), *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_sample_runs_against_the_server(llm_server: LLMServer, tmp_path: Path) -> None:
    llm_server.responder = _responder
    config_file = tmp_path / "OAI_CONFIG_LIST"
    config_file.write_text(json.dumps(llm_server.config_list()))
    done = _run(["--max-round", "10"], {"OAI_CONFIG_LIST": str(config_file)}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "user_proxy -> planner -> engineer -> reviewer\n" in done.stdout
    assert "Next speaker: engineer" in done.stdout
    bodies = llm_server.chat_requests()
    selections = [b for b in bodies if SELECTION_MARK in b["messages"][0]["content"]]
    assert len(selections) == 3 and len(bodies) == 6
    # allow_repeat_speaker=False: after the planner, the planner is not offered
    offered = re.search(r"from (\[[^\]]*\])", selections[1]["messages"][0]["content"])
    assert offered is not None and offered.group(1) == "['user_proxy', 'engineer', 'reviewer']"


def test_sample_without_config_says_what_to_set(tmp_path: Path) -> None:
    if (REPO_ROOT / "OAI_CONFIG_LIST").exists():
        pytest.skip("a developer's own OAI_CONFIG_LIST in the repository would be used")
    done = _run(["--max-round", "2"], {"OAI_CONFIG_LIST": ""}, tmp_path)
    assert done.returncode == 2
    assert "OAI_CONFIG_LIST" in done.stderr

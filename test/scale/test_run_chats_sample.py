"""samples/run_chats.py, run as a user would, against the local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from llm_server import LLMServer, last_user_content

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "samples" / "run_chats.py"


def test_one_chat_per_topic(llm_server: LLMServer, tmp_path: Path) -> None:
    llm_server.responder = lambda body: "haiku on " + last_user_content(body).removeprefix("Topic: ")
    env = {**os.environ, "OAI_CONFIG_LIST": json.dumps(llm_server.config_list()), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--topics", "rain, coffee ,trains", "--max-concurrency", "2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for topic in ("rain", "coffee", "trains"):
        assert f"--- {topic}\nhaiku on {topic}" in done.stdout
    assert "3 of 3 chats done" in done.stdout
    assert len(llm_server.chat_requests()) == 3

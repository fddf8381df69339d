"""samples/teachability.py: teach in one process, ask in another, against the local LLM server."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List

import pytest

pytest.importorskip("chromadb")
pytest.importorskip("sentence_transformers")
pytestmark = pytest.mark.usefixtures("collect_cycles")  # each test's agents close their chromadb folder after it

from autogen.agentchat.contrib.capabilities import teachability as t  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[3]
SCRIPT = REPO_ROOT / "samples" / "teachability.py"


def load_sample() -> ModuleType:
    if str(SCRIPT.parent) not in sys.path:  # as when run as a script: the shared config loader sits beside it
        sys.path.insert(0, str(SCRIPT.parent))
    spec = importlib.util.spec_from_file_location("teachability_sample", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def respond(body: Dict[str, Any], prompts: List[str]) -> str:
    last = body["messages"][-1]["content"]
    if last.startswith("# TEXT\n"):
        text, instructions = last[len("# TEXT\n") :].split("\n\n# INSTRUCTIONS\n")
        teaches = "teal" in text
        return {
            t.HAS_INFORMATION: "yes" if teaches else "no",
            t.QUESTION_FOR_INFORMATION: "What is my favorite color?",
            t.EXTRACT_INFORMATION: "The user's favorite color is teal.",
        }.get(instructions, "no")
    prompts.append(last)
    return "Teal!" if "favorite color is teal" in last and "What color" in last else "Noted."


@pytest.mark.timeout(300)  # a second process loads torch and the embedding model again
def test_taught_in_one_process_recalled_in_another(llm_server: Any, tmp_path: Path) -> None:
    prompts: List[str] = []
    llm_server.responder = lambda body: respond(body, prompts)
    db_dir = str(tmp_path / "memory")

    answers = load_sample().converse(["My favorite color is teal."], llm_server.config_list(), db_dir, reset=True)
    assert answers == ["Noted."]

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OAI_", "OPENAI_"))}
    env.update(OAI_CONFIG_LIST=json.dumps(llm_server.config_list()), PYTHONPATH=str(REPO_ROOT), HF_HUB_OFFLINE="1")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--db-dir", db_dir, "--message", "What color do I like best?"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "teachable_agent: Teal!" in done.stdout
    assert prompts[-1].startswith("What color do I like best?") and "teal" in prompts[-1]

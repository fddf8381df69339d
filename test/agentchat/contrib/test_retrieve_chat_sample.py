"""samples/retrieve_chat.py run as a user would, against the local LLM server."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("chromadb")
pytest.importorskip("sentence_transformers")
pytestmark = pytest.mark.usefixtures("collect_cycles")  # each test's agents close their chromadb folder after it

REPO_ROOT = Path(__file__).resolve().parents[3]
SCRIPT = REPO_ROOT / "samples" / "retrieve_chat.py"


def run_sample(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OAI_", "OPENAI_"))}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=cwd,
        env={**base, "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def load_sample() -> ModuleType:
    if str(SCRIPT.parent) not in sys.path:  # as when run as a script: the shared config loader sits beside it
        sys.path.insert(0, str(SCRIPT.parent))
    spec = importlib.util.spec_from_file_location("retrieve_chat_sample", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sample_answers_from_a_document(
    llm_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "handbook.md").write_text(
        "# Office handbook\n\nThe office coffee machine is descaled every Friday by Priya.\n\n"
        "## Parking\n\nVisitors park on level -2.\n",
        encoding="utf-8",
    )
    llm_server.script("Priya descales it every Friday.")
    monkeypatch.setenv("OAI_CONFIG_LIST", json.dumps(llm_server.config_list()))
    code = load_sample().main(["--docs", "handbook.md", "--question", "Who descales the coffee machine?"])
    assert code == 0
    assert capsys.readouterr().out.rstrip().endswith("=== answer\nPriya descales it every Friday.")
    (body,) = llm_server.chat_requests()
    assert "descaled every Friday by Priya" in body["messages"][-1]["content"]
    assert (tmp_path / "tmp" / "chromadb.db").is_dir()


def test_the_sample_without_a_model(tmp_path: Path) -> None:
    done = run_sample(["--docs", "x.md"], {}, tmp_path)
    assert done.returncode == 2
    assert "OAI_CONFIG_LIST" in done.stderr

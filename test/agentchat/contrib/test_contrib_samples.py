"""The samples of samples/contrib (multimodal, LLaVA, images, web surfing, society of mind, MathChat, text
analysis, compression, transforms) run against the local LLM server, with OAI_CONFIG_LIST pointing at it."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest
from helpers import ScriptedIO
from kitchen_site import write_site
from site_server import SiteServer

from autogen.agentchat.contrib.text_analyzer_agent import TextAnalyzerAgent
from autogen.io.base import IOStream

REPO_ROOT = Path(__file__).resolve().parents[3]
SAMPLES = REPO_ROOT / "samples" / "contrib"


@pytest.fixture(autouse=True)
def _env(llm_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedIO]:
    monkeypatch.setenv("OAI_CONFIG_LIST", json.dumps(llm_server.config_list(max_retries=0)))
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "False")
    monkeypatch.syspath_prepend(str(SAMPLES))
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def sample(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"contrib_sample_{name}", SAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_multimodal_sample_as_a_program(llm_server: Any) -> None:
    llm_server.script("A red square.")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, str(SAMPLES / "multimodal.py")], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("A red square.")
    content = llm_server.chat_requests()[0]["messages"][-1]["content"]
    assert content[-1] == {"type": "text", "text": ""}  # classic: the parts end with text
    assert content[-2]["type"] == "image_url" and content[-2]["image_url"]["url"].startswith("data:image/png;base64,")


def test_llava_sample(llm_server: Any, capsys: Any) -> None:
    llm_server.script("A red square.", "Red.")
    assert sample("llava").main([]) == 0
    out = capsys.readouterr().out
    assert "llava_call: A red square." in out and "LLaVAAgent: Red." in out


def test_image_generation_sample(llm_server: Any, tmp_path: Path, capsys: Any) -> None:
    llm_server.script("yes", "A lighthouse at night.")
    out_file = tmp_path / "picture.png"
    assert (
        sample("image_generation").main(["--size", "32x32", "--out", str(out_file), "--cache-dir", str(tmp_path)]) == 0
    )
    assert out_file.read_bytes().startswith(b"\x89PNG")
    assert llm_server.images.generations[0]["model"] == "dall-e-3"
    assert "Saved to" in capsys.readouterr().out


def test_web_surfer_sample(llm_server: Any, tmp_path: Path, capsys: Any) -> None:
    with SiteServer(write_site(tmp_path / "site")) as site:
        llm_server.script(
            {"tool_calls": [{"name": "visit_page", "arguments": {"url": site.url + "/about.html"}}]},
            "A test kitchen since 1999.",
        )
        assert sample("web_surfer").main(["--url", site.url + "/index.html"]) == 0
    assert capsys.readouterr().out.strip() == "A test kitchen since 1999."


def test_society_of_mind_sample(llm_server: Any, capsys: Any) -> None:
    llm_server.script("draft", "critique", "Rain on the roof.")
    assert sample("society_of_mind").main(["--rounds", "3"]) == 0
    assert capsys.readouterr().out.strip() == "Rain on the roof."


def test_mathchat_sample(llm_server: Any, tmp_path: Path, capsys: Any) -> None:
    llm_server.script("```python\nprint(2 + 3)\n```", "The sum is \\boxed{5}.")
    assert sample("mathchat").main(["--work-dir", str(tmp_path / "math")]) == 0
    assert capsys.readouterr().out.strip().endswith("Answer: 5")


def test_text_analyzer_sample(llm_server: Any, capsys: Any) -> None:
    llm_server.script("Ada, Grace", "yes")
    assert sample("text_analyzer").main([]) == 0
    out = capsys.readouterr().out
    assert "analyze_text: Ada, Grace" in out and "in a chat: yes" in out
    first = llm_server.chat_requests()[0]["messages"][-1]["content"]
    assert "Ada met Grace" in first and "List the people named" in first


def test_text_analyzer_async(llm_server: Any, llm_config: dict) -> None:
    llm_server.script("positive")
    analyzer = TextAnalyzerAgent(llm_config=llm_config)
    assert asyncio.run(analyzer.a_analyze_text("I love it.", "Is the sentiment positive or negative?")) == "positive"


def test_compressible_agent_sample(llm_server: Any, capsys: Any) -> None:
    llm_server.script("step 1", "step 2", "SUMMARY", "step 3")
    assert sample("compressible_agent").main(["--turns", "2", "--trigger", "100"]) == 0
    requests = llm_server.chat_requests()
    assert len(requests) == 4 and requests[2]["messages"][1]["content"].startswith("To be compressed:")
    assert "last: step 3" in capsys.readouterr().out


def test_transform_messages_sample(llm_server: Any, capsys: Any) -> None:
    llm_server.script("Items 28 and 29.")
    assert sample("transform_messages").main([]) == 0
    sent = llm_server.chat_requests()[0]["messages"]
    assert sent[0]["role"] == "system" and len(sent) <= 5
    assert sent[-1]["content"] == "Which items did we talk about last?"
    assert "Items 28 and 29." in capsys.readouterr().out

"""The first LLM calls of an async program do not stall its event loop.

Loading the openai SDK (and pydantic, httpx under it) and building its client take most of a second (several on a
busy machine). A plainly configured endpoint does not need it for a successful answer; when it is needed (an error
to raise or retry, an endpoint the SDK must route, a tool call read as the SDK's message object) that work must
happen off the event loop. A fresh process runs two concurrent one-turn chats and records, through a finder on
``sys.meta_path``, the thread on which each of those packages is first imported: never the loop's thread.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("openai", "pydantic", "pydantic_core", "httpx")

PROGRAM = textwrap.dedent(
    """
    import asyncio, json, sys, threading

    import autogen

    autogen.ConversableAgent  # the program's own imports, before its loop runs

    HEAVY = set(sys.argv[2].split(","))
    first_imports = {}  # package -> "loop" or "other", the thread that imported it first


    class Watch:
        loop_thread = None

        def find_spec(self, name, path=None, target=None):
            if name in HEAVY and name not in first_imports and name not in sys.modules:
                on_loop = threading.get_ident() == self.loop_thread
                first_imports[name] = "loop" if on_loop else "other"
            return None  # the usual finders import it


    watch = Watch()
    sys.meta_path.insert(0, watch)


    async def main():
        watch.loop_thread = threading.get_ident()
        config = {"config_list": [json.loads(sys.argv[1])], "cache_seed": None}
        pairs = [
            (
                autogen.ConversableAgent("assistant", llm_config=config, human_input_mode="NEVER"),
                autogen.ConversableAgent("user", llm_config=False, human_input_mode="NEVER", code_execution_config=False),
            )
            for _ in range(2)
        ]
        results = await asyncio.gather(*(u.a_initiate_chat(a, message="hi", max_turns=1, silent=True) for a, u in pairs))
        return {
            "first_imports": first_imports,
            "openai_loaded": "openai" in sys.modules,
            "answers": [r.chat_history[-1].get("content") or r.chat_history[-1].get("tool_calls") for r in results],
        }


    print(json.dumps(asyncio.run(main())))
    """
)


@pytest.mark.parametrize("case", ["plain", "failing_first", "azure", "tool_call"])
def test_first_concurrent_chats_do_not_stall_the_loop(llm_server: Any, tmp_path: Path, case: str) -> None:
    """plain: the SDK is never loaded; failing_first: the first answers are errors, so the SDK is loaded for its
    retry rules; azure: the route needs the SDK's client from the start; tool_call: the first answers call a
    tool, and the agent reads the SDK's message object for those."""
    if case == "tool_call":
        call = {"name": "lookup", "arguments": {"q": "x"}}
        llm_server.responder = lambda body: {"content": None, "tool_calls": [call], "delay": 0.3}
    else:
        llm_server.responder = lambda body: {"content": "fine", "delay": 0.3}
    config: dict[str, Any] = {"model": "gpt-4", "base_url": llm_server.base_url, "api_key": "test"}
    if case == "failing_first":
        llm_server.script({"status": 500}, {"status": 500})
    if case == "azure":
        config = {**config, "base_url": llm_server.url, "api_type": "azure", "api_version": "2024-02-01"}
    script = tmp_path / "program.py"
    script.write_text(PROGRAM)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env = {k: v for k, v in env.items() if not k.startswith("OPENAI_")}  # other OPENAI_* settings need the SDK
    done = subprocess.run(
        [sys.executable, str(script), json.dumps(config), ",".join(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if case == "tool_call":
        assert [[c["function"]["name"] for c in answer] for answer in result["answers"]] == [["lookup"], ["lookup"]]
    else:
        assert result["answers"] == ["fine", "fine"]
    # whether the SDK was loaded during the chats, in this fresh process
    assert result["openai_loaded"] is (case != "plain")  # a tool call's message is the SDK's object
    assert len(llm_server.chat_requests()) == (4 if case == "failing_first" else 2)
    on_loop = sorted(name for name, thread in result["first_imports"].items() if thread == "loop")
    assert on_loop == [], f"imported on the event loop's thread during the first LLM calls: {on_loop}"
    if case != "plain":
        assert result["first_imports"].get("openai") == "other"  # the watch saw the import happen

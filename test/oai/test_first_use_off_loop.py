"""The first LLM calls of an async program do not stall its event loop.

Loading the openai SDK and building its client take most of a second (several on a busy machine). That work
must happen off the event loop: a fresh process runs two concurrent one-turn chats while a ticker task on the
same loop wakes every 5 ms and records the longest gap between its wake-ups. Done on the loop, the gap is the
whole import (about 1 s on a quiet machine, 3 s on a loaded one); done in a worker thread, the loop only
shares the interpreter with it (tens of ms). The limit sits well between the two.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STALL_LIMIT = 0.5  # seconds

PROGRAM = textwrap.dedent(
    """
    import asyncio, json, sys, time

    import autogen

    autogen.ConversableAgent  # the program's own imports, before its loop runs


    async def main():
        gaps = []
        done = asyncio.Event()

        async def ticker():
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                gaps.append(now - last - 0.005)
                last = now

        tick = asyncio.create_task(ticker())
        await asyncio.sleep(0.05)
        config = {"config_list": [{"model": "gpt-4", "base_url": sys.argv[1], "api_key": "test"}], "cache_seed": None}
        pairs = [
            (
                autogen.ConversableAgent("assistant", llm_config=config, human_input_mode="NEVER"),
                autogen.ConversableAgent("user", llm_config=False, human_input_mode="NEVER", code_execution_config=False),
            )
            for _ in range(2)
        ]
        results = await asyncio.gather(*(u.a_initiate_chat(a, message="hi", max_turns=1, silent=True) for a, u in pairs))
        done.set()
        await tick
        return {
            "longest_stall": max(gaps),
            "openai_loaded": "openai" in sys.modules,
            "answers": [r.chat_history[-1]["content"] for r in results],
        }


    print(json.dumps(asyncio.run(main())))
    """
)


def test_first_concurrent_chats_do_not_stall_the_loop(llm_server: Any, tmp_path: Path) -> None:
    llm_server.responder = lambda body: {"content": "fine", "delay": 0.3}
    script = tmp_path / "program.py"
    script.write_text(PROGRAM)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, str(script), llm_server.base_url], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["answers"] == ["fine", "fine"]
    assert result["openai_loaded"]  # the SDK was loaded during the chats, in this fresh process
    assert len(llm_server.chat_requests()) == 2
    assert result["longest_stall"] < STALL_LIMIT, (
        f"the event loop was blocked for {result['longest_stall']:.2f} s during the first LLM calls"
    )

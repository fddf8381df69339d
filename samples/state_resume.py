#!/usr/bin/env python
"""A chat that survives a crash: run it, kill it half-way, run the same command again, and it goes on.

    python samples/state_resume.py --crash-at 2     # the tool "crashes" the process on its 2nd call
    python samples/state_resume.py                  # the same chat continues from chat.json, and finishes
    python samples/state_resume.py                  # finished: prints the saved result, asks the model nothing

The assistant answers a question with a ``multiply`` tool that the user proxy runs. ``autogen.state.run_chat``
writes a checkpoint (``--checkpoint``, default ``chat.json``) each time an agent starts a reply, so a killed process
loses at most the reply in progress. Delete the checkpoint to start over.

The model configuration comes from ``OAI_CONFIG_LIST``, as in the other samples: an environment variable holding a
JSON list of model configs or the path of a JSON file with one, else a file named ``OAI_CONFIG_LIST`` in the current
directory or in the repository root (copy ``OAI_CONFIG_LIST_sample`` to start one).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Optional

from config_loader import EXIT_NO_CONFIG, load_config_list

DEFAULT_MESSAGE = "What is 12 x 34, then that times 56? Use the multiply tool for each step, then say TERMINATE."
EXIT_CRASHED = 17


def build_agents(config_list: list[dict[str, Any]], crash_at: Optional[int] = None) -> tuple[Any, Any]:
    """The user proxy (runs the tool) and the assistant (calls it). Built the same way on every run."""
    import autogen

    assistant = autogen.AssistantAgent("assistant", llm_config={"config_list": config_list, "cache_seed": None})
    user = autogen.UserProxyAgent(
        "user",
        human_input_mode="NEVER",
        code_execution_config=False,
        max_consecutive_auto_reply=10,
        # the classic default ends only on a reply that is exactly "TERMINATE"; this model ends with the word
        is_termination_msg=lambda m: (m.get("content") or "").rstrip().endswith("TERMINATE"),
    )
    calls = {"n": 0}

    def multiply(a: float, b: float) -> float:
        calls["n"] += 1
        if crash_at is not None and calls["n"] == crash_at:
            print(f"\n*** simulated crash in the tool's call #{calls['n']}: the process dies now ***", flush=True)
            os._exit(EXIT_CRASHED)  # like a kill: no cleanup, no exception handlers
        return a * b

    autogen.register_function(multiply, caller=assistant, executor=user, description="Multiply two numbers.")
    return user, assistant


def run(config_list: list[dict[str, Any]], checkpoint: Path, message: str, crash_at: Optional[int] = None) -> Any:
    from autogen import state

    user, assistant = build_agents(config_list, crash_at)
    if checkpoint.exists():
        saved = state.load(checkpoint)
        if saved.get("status") == "finished":
            print(f"The chat in {checkpoint} is finished; its saved result follows (delete the file to run again).")
        else:
            step = saved.get("next") or {}
            print(f"Resuming the chat saved in {checkpoint}: {step.get('speaker')} replies to {step.get('reply_to')}.")
    result = state.run_chat(user, assistant, checkpoint, message=message, summary_method="last_msg")
    print(f"\nSummary: {result.summary.strip()}")
    return result


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default="chat.json", help="where the chat is saved (default: chat.json)")
    parser.add_argument("--message", default=DEFAULT_MESSAGE)
    parser.add_argument("--crash-at", type=int, help="kill the process in the tool's n-th call (a demonstration)")
    args = parser.parse_args(argv)
    try:
        config_list = load_config_list()
    except FileNotFoundError as err:
        print(err, file=sys.stderr)
        return EXIT_NO_CONFIG
    run(config_list, Path(args.checkpoint), args.message, args.crash_at)
    return 0


if __name__ == "__main__":
    sys.exit(main())

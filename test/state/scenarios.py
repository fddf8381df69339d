"""Chats used by the state tests, in this process or in a fresh one (``python scenarios.py ...``).

Each scenario builds its agents from scratch, as a new process would, and runs through ``autogen.state.run_chat``
with a checkpoint file. The LLM is the test server, answering by rule (``responder``), so that an interrupted and an
uninterrupted run can be compared request by request. The tool ``step`` can interrupt the chat once, at a chosen
step: by raising ``Crash`` (a BaseException, which tools do not catch) or by killing its own process (SIGKILL).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from autogen import ConversableAgent, GroupChat, GroupChatManager, register_function
from autogen.agentchat.groupchat import DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE
from autogen.io.base import IOStream
from autogen.state import run_chat

SELECTION_MARK = DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE.split("{")[0].strip()
STEPS = 3


class Crash(BaseException):
    """An interruption no reply function catches."""


class Silent(IOStream):
    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        pass

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        raise AssertionError("no human in these chats")


def _tool_results(body: Dict[str, Any]) -> int:
    return sum(1 for m in body["messages"] if m.get("role") == "tool")


def responder(body: Dict[str, Any]) -> Any:
    """Two-agent and group chat rules: the coder calls ``step`` until STEPS results are in; the reviewer approves."""
    messages = body["messages"]
    system = messages[0].get("content") or ""
    if SELECTION_MARK in system:
        last = messages[-2] if messages[-1].get("role") == "system" else messages[-1]
        text = last.get("content") or ""
        if text.startswith("[tool result]") or last.get("name") == "coder":
            return "reviewer"
        return "coder"
    done = _tool_results(body)
    if system.startswith("You are the reviewer"):
        return "APPROVED. TERMINATE" if done >= 2 else f"review after {done} steps: go on"
    if done < STEPS:
        return {"tool_calls": [{"name": "step", "arguments": {"n": done + 1}, "id": f"call_{done + 1}"}]}
    return "All steps done. TERMINATE"


def ends_with_terminate(message: Dict[str, Any]) -> bool:
    """The scripted model ends with "... TERMINATE"; the classic default needs the content to be exactly that."""
    return (message.get("content") or "").rstrip().endswith("TERMINATE")


def make_step(interrupt: Optional[str], at: int, marker: Path) -> Any:
    def step(n: int) -> str:
        if interrupt and n == at and not marker.exists():
            marker.write_text("interrupted")
            if interrupt == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise Crash(f"interrupted at step {n}")
        return f"step {n} done"

    return step


def two_agent(base_url: str, interrupt: Optional[str], at: int, workdir: Path) -> Dict[str, Any]:
    llm_config = {"config_list": [{"model": "gpt-4", "base_url": base_url, "api_key": "test"}], "cache_seed": None}
    coder = ConversableAgent(
        "coder", system_message="You are the coder.", llm_config=llm_config, human_input_mode="NEVER"
    )
    user = ConversableAgent(
        "user",
        llm_config=False,
        human_input_mode="NEVER",
        code_execution_config=False,
        is_termination_msg=ends_with_terminate,
    )
    register_function(
        make_step(interrupt, at, workdir / "interrupted"),
        caller=coder,
        executor=user,
        name="step",
        description="Do a step.",
    )
    result = run_chat(user, coder, workdir / "chat.json", message="Do the steps.", summary_method="last_msg")
    return {
        "result": result.to_dict(),
        "agents": {agent.name: agent.save_state() for agent in (user, coder)},
    }


def group(base_url: str, interrupt: Optional[str], at: int, workdir: Path) -> Dict[str, Any]:
    llm_config = {"config_list": [{"model": "gpt-4", "base_url": base_url, "api_key": "test"}], "cache_seed": None}
    user = ConversableAgent(
        "user", llm_config=False, human_input_mode="NEVER", code_execution_config=False, description="Runs the tools."
    )
    coder = ConversableAgent(
        "coder", system_message="You are the coder.", llm_config=llm_config, human_input_mode="NEVER",
        description="Writes code.",
    )  # fmt: skip
    reviewer = ConversableAgent(
        "reviewer", system_message="You are the reviewer.", llm_config=llm_config, human_input_mode="NEVER",
        description="Reviews the work.",
    )  # fmt: skip
    register_function(
        make_step(interrupt, at, workdir / "interrupted"),
        caller=coder,
        executor=user,
        name="step",
        description="Do a step.",
    )
    groupchat = GroupChat([user, coder, reviewer], messages=[], max_round=20, speaker_selection_method="auto")
    manager = GroupChatManager(groupchat, llm_config=llm_config, is_termination_msg=ends_with_terminate)
    result = run_chat(user, manager, workdir / "chat.json", message="Build it.", summary_method="last_msg")
    return {
        "result": result.to_dict(),
        "speakers": [m.get("name") for m in groupchat.messages],
        "group": manager.save_state(),
    }


SCENARIOS = {"two_agent": two_agent, "group": group}


def main(argv: List[str]) -> int:
    name, base_url, interrupt, at, workdir = argv
    with IOStream.set_default(Silent()):
        try:
            out = SCENARIOS[name](base_url, interrupt if interrupt != "none" else None, int(at), Path(workdir))
        except Crash:
            return 3
    Path(workdir, "out.json").write_text(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

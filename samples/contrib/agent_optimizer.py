#!/usr/bin/env python
"""AgentOptimizer: train an assistant's functions over a few epochs of a small problem set.

Run it, with the package installed, as ``python samples/contrib/agent_optimizer.py``. Each epoch the assistant
solves every problem (calling the functions it has, which a user proxy runs), each conversation is recorded
with whether its answer was right, and one optimizer step adds, revises or removes functions.

The model configs come from ``OAI_CONFIG_LIST`` (see ``sample_config.py``); ``--optimizer-model`` defaults to the
model of the first config. The functions the optimizer writes run as separate Python processes: in Docker
by default, here with ``AUTOGEN_USE_DOCKER=False``.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, Dict, List, Optional

from sample_config import load_config_list

PROGRAM = "agent_optimizer"
PROBLEMS = [
    {"question": "What is 1234 * 5678?", "answer": "7006652"},
    {"question": "What is 987 * 654?", "answer": "645498"},
    {"question": "What is 4321 * 8765?", "answer": "37873565"},
]
SYSTEM_MESSAGE = """You solve arithmetic problems. Use the functions you have whenever they help; never guess a \
result you could compute with them. End your reply with "ANSWER: <the number>" and then "TERMINATE"."""


def is_termination_msg(message: Dict[str, Any]) -> bool:
    return "TERMINATE" in (message.get("content") or "")


def answer_of(history: List[Dict[str, Any]]) -> Optional[str]:
    """The number after the last "ANSWER:" in the conversation."""
    for message in reversed(history):
        found = re.findall(r"ANSWER:\s*(-?[\d,]+)", message.get("content") or "")
        if found:
            return found[-1].replace(",", "")
    return None


def train(config_list: List[Dict[str, Any]], optimizer_model: str, epochs: int, max_actions: int) -> List[float]:
    """Run the epochs; returns the satisfaction rate of each."""
    import autogen
    from autogen.agentchat.contrib.agent_optimizer import AgentOptimizer

    llm_config = {"config_list": config_list, "cache_seed": None}
    assistant = autogen.AssistantAgent("assistant", system_message=SYSTEM_MESSAGE, llm_config=dict(llm_config))
    user_proxy = autogen.UserProxyAgent(
        "user_proxy",
        human_input_mode="NEVER",
        code_execution_config=False,
        max_consecutive_auto_reply=4,
        is_termination_msg=is_termination_msg,
        default_auto_reply="Go on, and end with ANSWER: <the number> and TERMINATE.",
    )
    optimizer = AgentOptimizer(max_actions_per_step=max_actions, llm_config=llm_config, optimizer_model=optimizer_model)
    rates = []
    for epoch in range(1, epochs + 1):
        satisfied = 0
        for problem in PROBLEMS:
            user_proxy.initiate_chat(assistant, message=problem["question"], silent=True)
            history = assistant.chat_messages_for_summary(user_proxy)
            ok = answer_of(history) == problem["answer"]
            satisfied += ok
            optimizer.record_one_conversation(history, is_satisfied=ok)
        rates.append(satisfied / len(PROBLEMS))
        print(f"epoch {epoch}: {satisfied}/{len(PROBLEMS)} answers right")
        register_for_llm, register_for_executor = optimizer.step()
        for item in register_for_llm:
            assistant.update_function_signature(**item)
        if register_for_executor:
            user_proxy.register_function(function_map=register_for_executor)
        names = [f["name"] for f in optimizer.functions]
        print(f"functions after epoch {epoch}: {', '.join(names) or '(none)'}")
    return rates


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Train an assistant's functions with AgentOptimizer.")
    parser.add_argument("--optimizer-model", help="the optimizer's model (default: the first config's)")
    parser.add_argument("--epochs", type=int, default=2, help="training epochs (default: %(default)s)")
    parser.add_argument("--max-actions", type=int, default=3, help="most changes per step (default: %(default)s)")
    args = parser.parse_args(argv)
    config_list = load_config_list(PROGRAM)
    rates = train(config_list, args.optimizer_model or config_list[0]["model"], args.epochs, args.max_actions)
    print("satisfaction per epoch: " + ", ".join(f"{rate:.2f}" for rate in rates))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""A group chat: a planner, an engineer and a reviewer work on a task; an LLM chooses who speaks next.

Run it, with the package installed, as ``python samples/groupchat.py --message "..."``.

The model configuration comes from ``OAI_CONFIG_LIST``, as in the other samples: an environment variable holding a
JSON list of model configs or the path of a JSON file with one, else a file named ``OAI_CONFIG_LIST`` in the current
directory or in the repository root (copy ``OAI_CONFIG_LIST_sample`` to start one).

The chat runs unattended: the user proxy never asks for input and runs no code; the chat stops after
``--max-round`` messages, or earlier when a message ends with TERMINATE.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Optional

from config_loader import EXIT_NO_CONFIG, load_config_list

DEFAULT_MESSAGE = "Plan, write and review a Python function that tells whether a string is a palindrome."


def is_termination_msg(message: dict[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, str) and content.rstrip().endswith("TERMINATE")


def build(config_list: list[dict[str, Any]], max_round: int) -> tuple[Any, Any]:
    """The user proxy and the group chat manager (with its group chat)."""
    import autogen

    llm_config = {"config_list": config_list, "cache_seed": None}
    user_proxy = autogen.UserProxyAgent(
        "user_proxy",
        human_input_mode="NEVER",
        code_execution_config=False,
        description="The person who asked for the work. Speaks only to give the task.",
        default_auto_reply="Please go on.",
    )
    planner = autogen.AssistantAgent(
        "planner",
        system_message="You are a planner. Break the task into short numbered steps. Do not write code.",
        description="Plans the work: breaks a task into steps before anyone writes code.",
        llm_config=llm_config,
    )
    engineer = autogen.AssistantAgent(
        "engineer",
        system_message="You are an engineer. Write the Python code for the plan, in one code block.",
        description="Writes Python code that follows the plan.",
        llm_config=llm_config,
    )
    reviewer = autogen.AssistantAgent(
        "reviewer",
        system_message=(
            "You are a reviewer. Check the engineer's code for bugs and missing cases. When the code is right, "
            "say so and end your message with TERMINATE."
        ),
        description="Reviews the engineer's code, finds bugs, and ends the chat when the code is right.",
        llm_config=llm_config,
    )
    groupchat = autogen.GroupChat(
        agents=[user_proxy, planner, engineer, reviewer],
        messages=[],
        max_round=max_round,
        speaker_selection_method="auto",
        allow_repeat_speaker=False,
    )
    manager = autogen.GroupChatManager(groupchat, llm_config=llm_config, is_termination_msg=is_termination_msg)
    return user_proxy, manager


def run(message: str, config_list: list[dict[str, Any]], max_round: int = 8) -> Any:
    """Hold the group chat; return the group chat's messages."""
    user_proxy, manager = build(config_list, max_round)
    user_proxy.initiate_chat(manager, message=message)
    return manager.groupchat.messages


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run the AutoGen group chat sample.")
    parser.add_argument("--message", default=DEFAULT_MESSAGE, help="the task (default: %(default)s)")
    parser.add_argument("--max-round", type=int, default=8, help="most messages in the chat (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        config_list = load_config_list()
    except (OSError, ValueError) as exc:
        print(f"groupchat: {exc}", file=sys.stderr)
        return EXIT_NO_CONFIG
    messages = run(args.message, config_list, max_round=args.max_round)
    print("\n=== speakers")
    print(" -> ".join(str(m.get("name")) for m in messages))
    return 0


if __name__ == "__main__":
    sys.exit(main())

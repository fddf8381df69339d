#!/usr/bin/env python
"""An agent that remembers what you teach it, across conversations and restarts (the Teachability capability).

Run it, with ``pip install -e ".[teachable]"``, as::

    python samples/teachability.py --message "My favorite color is teal."
    python samples/teachability.py --message "What color do I like best?"     # a new process: it still knows

or without ``--message`` to chat in the terminal (type "exit" to end). Each ``--message`` is a conversation of
its own. What the agent learns is kept in ``--db-dir`` (default ``tmp/teachable_agent_db``); ``--reset`` forgets
it. An analyzer LLM (the same model) decides what to remember and what to recall; recalled notes are added to
your message before the agent answers.

The model configuration comes from ``OAI_CONFIG_LIST``, as in the other samples: an environment variable holding a
JSON list of model configs or the path of a JSON file with one, else a file named ``OAI_CONFIG_LIST`` in the current
directory or in the repository root (copy ``OAI_CONFIG_LIST_sample`` to start one).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, List, Optional, Tuple

from config_loader import EXIT_NO_CONFIG, load_config_list


def build_agents(
    config_list: List[dict], db_dir: str, *, reset: bool = False, interactive: bool = False, verbosity: int = 0
) -> Tuple[Any, Any, Any]:
    """The teachable agent, its Teachability, and the user's proxy."""
    from autogen import ConversableAgent, UserProxyAgent
    from autogen.agentchat.contrib.capabilities.teachability import Teachability

    agent = ConversableAgent(
        "teachable_agent",
        system_message="You are a helpful assistant. Answer briefly.",
        llm_config={"config_list": config_list, "cache_seed": None},
        human_input_mode="NEVER",
    )
    teachability = Teachability(path_to_db_dir=db_dir, reset_db=reset, verbosity=verbosity)
    teachability.add_to_agent(agent)
    user = UserProxyAgent(
        "user",
        human_input_mode="ALWAYS" if interactive else "NEVER",  # in a terminal, you answer every turn
        code_execution_config=False,
        is_termination_msg=lambda message: False,
    )
    return agent, teachability, user


def converse(messages: List[str], config_list: List[dict], db_dir: str, *, reset: bool = False) -> List[str]:
    """One single-turn conversation per message; the agent's answers."""
    agent, _teachability, user = build_agents(config_list, db_dir, reset=reset)
    answers = []
    for message in messages:
        result = user.initiate_chat(agent, message=message, max_turns=1, summary_method="last_msg")
        answers.append(str(result.summary))
    return answers


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with an agent that remembers what you teach it.")
    parser.add_argument("--message", action="append", help="a message to send (repeatable); default: chat here")
    parser.add_argument("--db-dir", default="tmp/teachable_agent_db", help="where memories are kept")
    parser.add_argument("--reset", action="store_true", help="forget everything learned before")
    parser.add_argument("--verbosity", type=int, default=0, help="0 quiet, 1 memory operations, 2 analyzer too")
    args = parser.parse_args(argv)
    try:
        config_list = load_config_list()
    except (OSError, ValueError) as exc:
        print(f"teachability: {exc}", file=sys.stderr)
        return EXIT_NO_CONFIG
    if args.message:
        for answer in converse(args.message, config_list, args.db_dir, reset=args.reset):
            print(f"teachable_agent: {answer}")
        return 0
    agent, _teachability, user = build_agents(
        config_list, args.db_dir, reset=args.reset, interactive=True, verbosity=args.verbosity
    )
    first = input("You (type 'exit' to end): ").strip()
    if first and first.lower() != "exit":
        user.initiate_chat(agent, message=first)
    return 0


if __name__ == "__main__":
    sys.exit(main())

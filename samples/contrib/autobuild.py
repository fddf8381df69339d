#!/usr/bin/env python
"""AutoBuild: a builder model assembles a team of experts for a task, the team solves it in a group chat.

Run it, with the package installed, as ``python samples/contrib/autobuild.py --task "..."``. The team is saved
to a JSON file (``--save``); ``--load FILE`` runs a saved team again without asking the builder model.
``--library FILE`` picks the experts from a library of agent profiles instead of inventing them.

The model configs come from ``OAI_CONFIG_LIST`` (see ``sample_config.py``); ``--builder-model`` and
``--agent-model`` default to the model of the first config. When the team needs to run code, a
``Computer_terminal`` runs it: in Docker by default, here with ``AUTOGEN_USE_DOCKER=False``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, List, Optional

from sample_config import config_location, load_config_list

DEFAULT_TASK = "Find the 10th Fibonacci number and check the result with a short Python program."
PROGRAM = "autobuild"


def is_termination_msg(message: dict) -> bool:
    return "TERMINATE" in (message.get("content") or "")


def run_team(agents: List[Any], task: str, config_list: List[dict], max_round: int, manager_system_message: str) -> Any:
    """Run the team in a group chat where an LLM chooses who speaks; the first agent gives the task."""
    import autogen

    groupchat = autogen.GroupChat(agents=agents, messages=[], max_round=max_round)
    manager = autogen.GroupChatManager(
        groupchat,
        llm_config={"config_list": config_list, "cache_seed": None},
        is_termination_msg=is_termination_msg,
        system_message=manager_system_message,
    )
    return agents[0].initiate_chat(manager, message=task)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Build a team of expert agents for a task, then run it.")
    parser.add_argument("--task", help=f"the task (default: a saved team's task, else {DEFAULT_TASK!r})")
    parser.add_argument("--builder-model", help="the model that builds the team (default: the first config's)")
    parser.add_argument("--agent-model", help="the model of the experts (default: the first config's)")
    parser.add_argument("--max-agents", type=int, default=3, help="most experts in the team (default: %(default)s)")
    parser.add_argument("--max-round", type=int, default=12, help="most messages in the chat (default: %(default)s)")
    parser.add_argument("--library", help="a JSON library of agent profiles to choose the experts from")
    parser.add_argument("--save", help="where to save the team (default: save_config_<md5 of the task>.json)")
    parser.add_argument("--load", help="run a saved team instead of building one")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from autogen.agentchat.contrib.agent_builder import AgentBuilder

    config_list = load_config_list(PROGRAM)
    env_or_file, location = config_location(PROGRAM)
    first_model = config_list[0].get("model")
    builder = AgentBuilder(
        config_file_or_env=env_or_file,
        config_file_location=location,
        builder_model=args.builder_model or first_model,
        agent_model=args.agent_model or first_model,
        max_agents=args.max_agents,
    )
    if args.load:
        agents, configs = builder.load(args.load)
        print(f"{PROGRAM}: loaded the team from {args.load}", file=sys.stderr)
    elif args.library:
        agents, configs = builder.build_from_library(args.task or DEFAULT_TASK, args.library, {"cache_seed": None})
    else:
        agents, configs = builder.build(args.task or DEFAULT_TASK, {"cache_seed": None})
    print("team: " + ", ".join(agent.name for agent in agents))
    if not args.load:
        print(f"saved: {builder.save(args.save)}")
    task = args.task or configs.get("building_task") or DEFAULT_TASK
    result = run_team(agents, task, config_list, args.max_round, configs["manager_system_message"])
    print("\n=== summary", file=sys.stderr)
    print(result.summary or "(no summary)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""A SocietyOfMindAgent: a writer and a critic work in an inner group chat; the outside sees one answer.

    python samples/contrib/society_of_mind.py --message "Write a haiku about rain."

The models come from OAI_CONFIG_LIST (the first config).
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional

from sample_config import load_config_list

PROGRAM = "society_of_mind"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--message", default="Write a haiku about rain.")
    parser.add_argument("--rounds", type=int, default=4, help="messages in the inner chat")
    args = parser.parse_args(argv)

    import autogen
    from autogen.agentchat.contrib.society_of_mind_agent import SocietyOfMindAgent

    config = {"config_list": load_config_list(PROGRAM), "cache_seed": None}
    writer = autogen.AssistantAgent(
        "writer", system_message="You write short poems. Revise them when criticised.", llm_config=config
    )
    critic = autogen.AssistantAgent(
        "critic", system_message="You criticise poems briefly and suggest one improvement.", llm_config=config
    )
    groupchat = autogen.GroupChat(
        [writer, critic], messages=[], max_round=args.rounds, speaker_selection_method="round_robin"
    )
    manager = autogen.GroupChatManager(groupchat, llm_config=False)
    poet = SocietyOfMindAgent("poet", chat_manager=manager, llm_config=config, silent_inner_chat=True)
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0
    )
    result = user.initiate_chat(poet, message=args.message)
    print(result.summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""CompressibleAgent: a long conversation is compressed by the LLM when it nears the token limit.

    python samples/contrib/compressible_agent.py --trigger 1500

The model is the first config of OAI_CONFIG_LIST. A user proxy keeps asking for more details; once the history
passes --trigger tokens, the assistant summarizes it and goes on from the summary.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional

from sample_config import load_config_list

PROGRAM = "compressible_agent"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trigger", type=int, default=1500, help="tokens of history that trigger compression")
    parser.add_argument("--turns", type=int, default=4)
    args = parser.parse_args(argv)

    import autogen
    from autogen.agentchat.contrib.compressible_agent import CompressibleAgent

    assistant = CompressibleAgent(
        "assistant",
        llm_config={"config_list": load_config_list(PROGRAM), "cache_seed": None},
        compress_config={"mode": "COMPRESS", "trigger_count": args.trigger, "leave_last_n": 2, "verbose": True},
    )
    user = autogen.UserProxyAgent(
        "user",
        human_input_mode="NEVER",
        code_execution_config=False,
        max_consecutive_auto_reply=args.turns,
        default_auto_reply="Go on: explain the next step in more detail.",
    )
    result = user.initiate_chat(
        assistant, message="Explain, step by step, how a compiler turns source code into a program."
    )
    print(f"{len(assistant.chat_messages[user])} messages kept after {args.turns} turns; last: {result.summary[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

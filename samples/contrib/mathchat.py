#!/usr/bin/env python
"""MathChat: an assistant solves a math problem; the MathUserProxyAgent runs its Python and reads the \\boxed{} answer.

    python samples/contrib/mathchat.py --problem "Find all x such that x^2 - 5x + 6 = 0."

The model is the first config of OAI_CONFIG_LIST. The assistant's code runs in Docker unless AUTOGEN_USE_DOCKER=False
(then directly on this machine: only where running model-written code is acceptable).
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional

from sample_config import load_config_list

PROGRAM = "mathchat"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default="Find the sum of all x such that x^2 - 5x + 6 = 0.")
    parser.add_argument("--prompt-type", default="default", choices=["default", "python", "two_tools"])
    parser.add_argument("--work-dir", default="mathchat")
    args = parser.parse_args(argv)

    import autogen
    from autogen.agentchat.contrib.math_user_proxy_agent import MathUserProxyAgent
    from autogen.math_utils import get_answer

    assistant = autogen.AssistantAgent(
        "assistant",
        system_message="You are a helpful math assistant.",
        llm_config={"config_list": load_config_list(PROGRAM), "cache_seed": None},
    )
    proxy = MathUserProxyAgent("mathproxyagent", code_execution_config={"work_dir": args.work_dir})
    result = proxy.initiate_chat(
        assistant, message=proxy.message_generator, problem=args.problem, prompt_type=args.prompt_type
    )
    print("Answer:", get_answer(str(result.chat_history[-1].get("content"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

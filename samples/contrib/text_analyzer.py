#!/usr/bin/env python
"""TextAnalyzerAgent: an LLM that analyzes a text as instructed, directly or in a chat.

    python samples/contrib/text_analyzer.py --text "..." --instructions "List the people named."

The model is the first config of OAI_CONFIG_LIST.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional

from sample_config import load_config_list

TEXT = "Ada met Grace in London in 1843; they talked about engines that could compute anything."


PROGRAM = "text_analyzer"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", default=TEXT)
    parser.add_argument("--instructions", default="List the people named in the TEXT, comma-separated.")
    args = parser.parse_args(argv)

    import autogen
    from autogen.agentchat.contrib.text_analyzer_agent import TextAnalyzerAgent

    analyzer = TextAnalyzerAgent(llm_config={"config_list": load_config_list(PROGRAM), "cache_seed": None})
    print("analyze_text:", analyzer.analyze_text(args.text, args.instructions))
    # the same in a chat: the text, then the instructions, as two messages
    user = autogen.ConversableAgent("user", llm_config=False, human_input_mode="NEVER")
    user.send(args.text, analyzer, request_reply=False)
    user.send("In one word: is the TEXT about computing? yes or no.", analyzer, request_reply=True)
    print("in a chat:", user.last_message(analyzer)["content"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

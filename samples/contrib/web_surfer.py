#!/usr/bin/env python
"""A WebSurferAgent answers a question by browsing: it opens pages, pages through them and finds text on them.

    python samples/contrib/web_surfer.py --url https://example.com --question "What is this page for?"

The model (which must support tool calls) is the first config of OAI_CONFIG_LIST. With BING_API_KEY set the agent
can also search the web. Needs ``pip install "pyautogen[websurfer]"``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Optional

from sample_config import load_config_list

PROGRAM = "web_surfer"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a page to start from")
    parser.add_argument("--question", default="Summarize what the page says in two sentences.")
    parser.add_argument("--viewport-size", type=int, default=4096)
    args = parser.parse_args(argv)

    import autogen
    from autogen.agentchat.contrib.web_surfer import WebSurferAgent

    browser_config: dict[str, Any] = {"viewport_size": args.viewport_size}
    if os.environ.get("BING_API_KEY"):
        browser_config["bing_api_key"] = os.environ["BING_API_KEY"]
    if os.environ.get("BING_BASE_URL"):
        browser_config["bing_base_url"] = os.environ["BING_BASE_URL"]
    surfer = WebSurferAgent(
        "web_surfer",
        llm_config={"config_list": load_config_list(PROGRAM), "cache_seed": None},
        summarizer_llm_config=False,
        browser_config=browser_config,
        max_consecutive_auto_reply=1,
    )
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0
    )
    question = f"{args.question} Start at {args.url}." if args.url else args.question
    result = user.initiate_chat(surfer, message=question)
    print(result.summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())

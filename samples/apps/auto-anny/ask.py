#!/usr/bin/env python
"""Ask Anny one command in the terminal, without Discord: ``python ask.py /heyanny ghstatus 7``.

Uses the same environment as bot.py, less the Discord variables: ANNY_GH_REPO, GITHUB_TOKEN, GITHUB_API_URL,
OAI_CONFIG_LIST. ``--verbose`` also shows the agents' conversation.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional

from anny import Anny, AnnySettings, GitHubError


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Ask Auto-Anny a /heyanny command in the terminal.")
    parser.add_argument("command", nargs="*", help="the command, e.g. /heyanny ghgrowth 30 (default: help)")
    parser.add_argument("--verbose", action="store_true", help="show the agents' conversation")
    args = parser.parse_args(argv)
    try:
        settings = AnnySettings.from_env()
    except (OSError, ValueError) as exc:
        print(f"ask: {exc}", file=sys.stderr)
        return 2
    try:
        print(Anny(settings, silent=not args.verbose).answer(" ".join(args.command)))
    except GitHubError as exc:
        print(f"ask: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

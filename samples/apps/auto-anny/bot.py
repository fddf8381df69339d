#!/usr/bin/env python
"""Run Auto-Anny, the Discord bot: ``python bot.py`` (see README.md for the setup).

Environment: DISCORD_TOKEN (the bot's token), ANNY_GH_REPO (owner/name), GITHUB_TOKEN (optional but advised),
GITHUB_API_URL (optional), DISCORD_GUILD_ID (optional: register the commands in one server, at once),
OAI_CONFIG_LIST (the models).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Optional

from anny import Anny, AnnySettings


def main(argv: Optional[list[str]] = None) -> int:
    token = os.environ.get("DISCORD_TOKEN")
    if not token:
        print("bot: set DISCORD_TOKEN to your Discord bot's token (see README.md).", file=sys.stderr)
        return 2
    try:
        settings = AnnySettings.from_env()
    except (OSError, ValueError) as exc:
        print(f"bot: {exc}", file=sys.stderr)
        return 2
    guild = os.environ.get("DISCORD_GUILD_ID")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from anny.discord_bot import run_bot  # discord.py is needed from here on only

    run_bot(Anny(settings), token, guild_id=int(guild) if guild else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())

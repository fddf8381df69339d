"""The Discord wiring of Anny: the ``/heyanny`` slash-command group and the client that serves it.

This is the only module that imports discord.py. Each command hands its text to ``Anny.answer`` (in a worker
thread, as the agents and the GitHub requests block) and posts the answer, split into Discord-sized messages.

No annotations are postponed here (no ``from __future__ import annotations``): discord.py reads the parameter
annotations of the command callbacks to build the slash commands' options.
"""

import asyncio
import logging
from typing import Awaitable, Callable, List, Optional

import discord
from discord import app_commands

from .commands import COMMANDS, Anny, split_message

__all__ = ["AnnyBot", "make_command_group", "run_bot"]

log = logging.getLogger("auto-anny")
Days = Optional[app_commands.Range[int, 1, 365]]
Ask = Callable[[str], Awaitable[List[str]]]


def make_command_group(ask: Ask) -> app_commands.Group:
    """The ``/heyanny`` group: one subcommand per entry of ``COMMANDS``; ``ask(text)`` gives the messages to post."""
    group = app_commands.Group(name="heyanny", description="Ask Anny about the GitHub repository")

    async def reply(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.defer(thinking=True)  # answers take longer than Discord's 3 seconds
        for piece in await ask(text):
            await interaction.followup.send(piece)

    def describe(name: str) -> str:
        return COMMANDS[name][1].split(" (default")[0][:100]

    @group.command(name="help", description=describe("help"))
    async def help_command(interaction: discord.Interaction) -> None:
        await reply(interaction, "help")

    @group.command(name="ghstatus", description=describe("ghstatus"))
    @app_commands.describe(days="how many days back to look")
    async def ghstatus(interaction: discord.Interaction, days: Days = None) -> None:
        await reply(interaction, f"ghstatus {days or ''}")

    @group.command(name="ghgrowth", description=describe("ghgrowth"))
    @app_commands.describe(days="the length of the period, in days")
    async def ghgrowth(interaction: discord.Interaction, days: Days = None) -> None:
        await reply(interaction, f"ghgrowth {days or ''}")

    @group.command(name="ghunattended", description=describe("ghunattended"))
    @app_commands.describe(days="how many days without a maintainer's response")
    async def ghunattended(interaction: discord.Interaction, days: Days = None) -> None:
        await reply(interaction, f"ghunattended {days or ''}")

    return group


class AnnyBot(discord.Client):
    """A Discord client serving the ``/heyanny`` commands with ``anny``.

    ``guild_id``: register the commands in that server only, where they show up at once (global commands can take
    up to an hour to appear everywhere).
    """

    def __init__(self, anny: Anny, guild_id: Optional[int] = None) -> None:
        super().__init__(intents=discord.Intents.default())
        self.anny = anny
        self.guild = discord.Object(id=guild_id) if guild_id else None
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(make_command_group(self.ask))

    async def ask(self, text: str) -> List[str]:
        """Anny's answer to ``text``, as messages to post; failures become an apology rather than silence."""
        try:
            answer = await asyncio.to_thread(self.anny.answer, text)
        except Exception as exc:
            log.exception("answering %r failed", text)
            answer = f"Sorry, I could not answer that: {exc}"
        return split_message(answer)

    async def setup_hook(self) -> None:
        if self.guild is not None:
            self.tree.copy_global_to(guild=self.guild)
            await self.tree.sync(guild=self.guild)
        else:
            await self.tree.sync()

    async def on_ready(self) -> None:
        log.info("Anny is online as %s, watching %s", self.user, self.anny.settings.repo)


def run_bot(anny: Anny, token: str, guild_id: Optional[int] = None) -> None:
    """Connect to Discord and serve the commands until interrupted."""
    AnnyBot(anny, guild_id).run(token)

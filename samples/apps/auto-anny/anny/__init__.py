"""Auto-Anny: a Discord bot that answers questions about a GitHub repository with AutoGen agents.

The command logic (``anny.commands``) and the GitHub client (``anny.github``) need no Discord; only
``anny.discord_bot`` imports discord.py.
"""

from .commands import COMMANDS, Anny, AnnySettings, Command, CommandError, help_text, parse_command, split_message
from .github import GitHubClient, GitHubError

__all__ = [
    "COMMANDS",
    "Anny",
    "AnnySettings",
    "Command",
    "CommandError",
    "GitHubClient",
    "GitHubError",
    "help_text",
    "parse_command",
    "split_message",
]

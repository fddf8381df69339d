"""What Anny answers to the ``/heyanny`` commands, with no Discord in sight (the wiring is ``discord_bot.py``).

``Anny(settings).answer("/heyanny ghgrowth 30")`` parses the command, reads the facts from the GitHub REST API
(``anny.github``) and has two agents turn them into the answer: a ``UserProxyAgent`` standing for the maintainer
who asked hands the facts to Anny, an ``AssistantAgent`` that writes the reply for Discord.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from .github import DEFAULT_API_URL, GitHubClient, repo_growth, repo_status, unattended_items

__all__ = [
    "COMMANDS",
    "Anny",
    "AnnySettings",
    "Command",
    "CommandError",
    "help_text",
    "load_config_list",
    "parse_command",
    "split_message",
]

PREFIX = "/heyanny"
DISCORD_LIMIT = 2000  # characters in one Discord message
MAX_DAYS = 365
CONFIG_NAME = "OAI_CONFIG_LIST"
APP_DIR = Path(__file__).resolve().parent.parent

# command -> (arguments, what it does)
COMMANDS: dict[str, tuple[str, str]] = {
    "help": ("", "show this message"),
    "ghstatus": ("[days]", "summary of the repository's activity in the last days (default {status_days})"),
    "ghgrowth": ("[days]", "growth of stars, forks, issues and PRs over a period (default {growth_days} days)"),
    "ghunattended": ("[days]", "issues and PRs with no maintainer response in N days (default {unattended_days})"),
}

ANNY_SYSTEM_MESSAGE = """You are Anny, the cheerful helper of the maintainers of the open-source GitHub repository {repo}, answering in their Discord server.
You get a request and the facts that answer it, as JSON read from the GitHub API moments ago. Answer from those facts only: never invent numbers, issues, pull requests or people, and do no arithmetic the facts have not done for you.
Write for Discord: a bold title line, then a few short bullet points. Link issues and pull requests as [#123](url) when their URL is given. Keep the whole answer under 1,800 characters. If the facts say they are incomplete or carry notes, mention that briefly."""

TASKS = {
    "ghstatus": (
        "Summarise the activity of {repo} in the last {days} days: new and closed issues, opened and merged pull "
        "requests, commits and who made them, releases. Name the most notable items."
    ),
    "ghgrowth": (
        "Report how {repo} grew in the last {days} days compared with the {days} days before: stars, forks, issues "
        "opened and closed, pull requests opened and merged. Say which indicators rose and which fell."
    ),
    "ghunattended": (
        "List the issues and pull requests of {repo} that have waited at least {days} days for a response from a "
        "maintainer, longest wait first, with how long each has waited. If there are none, say so and thank the "
        "maintainers."
    ),
}


class CommandError(ValueError):
    """The text is not a command Anny knows; the message says how to ask."""


@dataclass(frozen=True)
class Command:
    name: str
    days: Optional[int] = None


def parse_command(text: str) -> Command:
    """``"/heyanny ghgrowth 30"`` -> ``Command("ghgrowth", 30)``. The prefix is optional; no command means help."""
    words = text.strip().split()
    if words and words[0].lower() in (PREFIX, PREFIX[1:]):
        words = words[1:]
    if not words:
        return Command("help")
    name = words[0].lower().lstrip("/")
    if name not in COMMANDS:
        raise CommandError(f"I don't know the command {name!r}. Try: {', '.join(f'{PREFIX} {c}' for c in COMMANDS)}.")
    arguments = words[1:]
    if name == "help" or not arguments:
        return Command(name)
    if len(arguments) > 1:
        raise CommandError(f"{PREFIX} {name} takes at most one argument, the number of days.")
    raw = arguments[0].lower().removeprefix("days=").removesuffix("d")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise CommandError(f"The number of days must be a whole number from 1 to {MAX_DAYS}, got {arguments[0]!r}.")
    return Command(name, int(raw))


def load_config_list() -> list[dict[str, Any]]:
    """The model configs from OAI_CONFIG_LIST (the variable, else the file here or in the app's folder)."""
    import autogen

    if os.environ.get(CONFIG_NAME):
        return list(autogen.config_list_from_json(CONFIG_NAME))
    for folder in dict.fromkeys([Path.cwd(), APP_DIR]):
        if (folder / CONFIG_NAME).is_file():
            return list(autogen.config_list_from_json(CONFIG_NAME, file_location=str(folder)))
    raise FileNotFoundError(
        f"No model is configured: set {CONFIG_NAME} to a JSON list of model configs (or to the path of a file with "
        f"one), or create the file {CONFIG_NAME} in the current folder or in {APP_DIR}."
    )


@dataclass
class AnnySettings:
    """Which repository Anny watches, how she reaches GitHub, and which models write her answers."""

    repo: str
    """"owner/name"."""
    config_list: list[dict[str, Any]] = field(default_factory=list)
    github_token: Optional[str] = field(default=None, repr=False)
    github_api_url: str = DEFAULT_API_URL
    status_days: int = 7
    growth_days: int = 30
    unattended_days: int = 14

    @classmethod
    def from_env(
        cls,
        environ: Optional[dict[str, str]] = None,
        config_list_loader: Callable[[], list[dict[str, Any]]] = load_config_list,
    ) -> AnnySettings:
        """From ``ANNY_GH_REPO``, ``GITHUB_TOKEN``, ``GITHUB_API_URL`` and ``OAI_CONFIG_LIST``."""
        env = os.environ if environ is None else environ
        repo = env.get("ANNY_GH_REPO", "").strip()
        if not repo:
            raise ValueError("Set ANNY_GH_REPO to the repository Anny watches, as owner/name.")
        return cls(
            repo=repo,
            config_list=config_list_loader(),
            github_token=env.get("GITHUB_TOKEN") or None,
            github_api_url=env.get("GITHUB_API_URL") or DEFAULT_API_URL,
        )


def help_text(settings: AnnySettings) -> str:
    defaults = {
        "status_days": settings.status_days,
        "growth_days": settings.growth_days,
        "unattended_days": settings.unattended_days,
    }
    lines = [f"**Hi, I'm Anny!** I keep an eye on the GitHub repository `{settings.repo}`. Ask me:"]
    for name, (arguments, what) in COMMANDS.items():
        usage = f"{PREFIX} {name} {arguments}".rstrip()
        lines.append(f"- `{usage}`: {what.format(**defaults)}")
    return "\n".join(lines)


def split_message(text: str, limit: int = DISCORD_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:  # a single line too long for one message
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current.strip():
        pieces.append(current)
    return [piece.rstrip("\n") for piece in pieces if piece.strip()] or [""]


class Anny:
    """Answers ``/heyanny`` commands about one repository (see :func:`parse_command` for the syntax).

    Args:
        settings: the repository, GitHub access and model configs.
        github: the GitHub client to use (default: one built from ``settings``).
        silent: do not print the agents' conversation (a bot has no one to show it to).
    """

    def __init__(self, settings: AnnySettings, github: Optional[GitHubClient] = None, *, silent: bool = True) -> None:
        self.settings = settings
        self.github = github or GitHubClient(settings.repo, settings.github_token, settings.github_api_url)
        self.silent = silent

    def answer(self, text: str) -> str:
        """The answer to a command, ready to post. Unknown commands get a hint instead of an error."""
        try:
            command = parse_command(text)
        except CommandError as exc:
            return str(exc)
        if command.name == "help":
            return help_text(self.settings)
        days = command.days or self.default_days(command.name)
        return self.write(command.name, days, self.facts(command.name, days))

    def default_days(self, name: str) -> int:
        defaults = {
            "ghstatus": self.settings.status_days,
            "ghgrowth": self.settings.growth_days,
            "ghunattended": self.settings.unattended_days,
        }
        return defaults[name]

    def facts(self, name: str, days: int) -> dict[str, Any]:
        """The facts that answer command ``name``, read from GitHub."""
        if name == "ghstatus":
            return repo_status(self.github, days)
        if name == "ghgrowth":
            return repo_growth(self.github, days)
        if name == "ghunattended":
            return unattended_items(self.github, days)
        raise CommandError(f"No facts for the command {name!r}.")

    def write(self, name: str, days: int, facts: dict[str, Any]) -> str:
        """Two agents turn the facts into the answer: the maintainer's proxy asks, Anny writes."""
        import autogen

        if not self.settings.config_list:
            raise ValueError(f"Anny has no model to write with: give AnnySettings a config_list ({CONFIG_NAME}).")
        repo = self.settings.repo
        writer = autogen.AssistantAgent(
            "anny",
            system_message=ANNY_SYSTEM_MESSAGE.format(repo=repo),
            # cache_seed=None: the facts change all the time; never answer from an old cached reply
            llm_config={"config_list": self.settings.config_list, "cache_seed": None},
        )
        maintainer = autogen.UserProxyAgent(
            "maintainer",
            human_input_mode="NEVER",
            code_execution_config=False,
        )
        request = TASKS[name].format(repo=repo, days=days)
        now = self.github.now().strftime("%Y-%m-%d %H:%M UTC")
        message = f"{request}\n\nIt is now {now}. The facts, as JSON:\n{json.dumps(facts, indent=1)}"
        result = maintainer.initiate_chat(writer, message=message, max_turns=1, silent=self.silent)
        answer = (result.summary or "").strip()
        return answer or f"Sorry, I have no answer about {repo} this time."

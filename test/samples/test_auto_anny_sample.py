"""samples/apps/auto-anny: Anny answers each /heyanny command from a local fake GitHub API, with the local LLM
server as her model; plus the command parsing and the Discord wiring (without connecting to Discord)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from fake_github_api import FakeGitHub
from llm_server import LLMServer
from samples_support import ANNY_DIR, run_script  # also puts the sample apps on sys.path

# isort: split
from anny import Anny, AnnySettings, Command, CommandError, GitHubClient, GitHubError, parse_command, split_message
from anny.github import repo_growth, repo_status, unattended_items

FACTS_MARK = "The facts, as JSON:\n"


def widgets_repo() -> FakeGitHub:
    """A fake GitHub serving a repository with a known history (days are counted back from now); not started."""
    gh = FakeGitHub(repo="octo/widgets")
    gh.repository = {
        "full_name": "octo/widgets",
        "description": "Widgets for everyone",
        "html_url": "https://github.com/octo/widgets",
        "stargazers_count": 120,
        "forks_count": 30,
        "open_issues_count": 6,
        "subscribers_count": 11,
        "pushed_at": gh.ago(0.5),
    }
    # stars: 5 in the last 30 days, 2 in the 30 before, 3 older (listed oldest first)
    for days in (200, 100, 70, 50, 35, 25, 20, 10, 3, 1):
        gh.stars.append({"starred_at": gh.ago(days), "user": gh.user(f"fan{days}")})
    # forks: 2 in the last 30 days, 1 in the 30 before, 2 older
    for days in (300, 90, 40, 12, 2):
        gh.forks.append({"full_name": f"fork{days}/widgets", "created_at": gh.ago(days)})
    gh.add_issue(1, "Crash on start", "alice", 100)  # waiting for 100 days, nobody answered
    gh.add_issue(
        2,
        "Docs are unclear",
        "bob",
        40,
        association="CONTRIBUTOR",
        comments=(("maint", "MEMBER", 38), ("bob", "CONTRIBUTOR", 30)),  # bob's follow-up is unanswered
    )
    gh.add_issue(3, "Feature idea", "carol", 20, comments=(("maint", "OWNER", 19),))  # answered
    gh.add_issue(
        4,
        "Add a widget factory",
        "dave",
        25,
        association="CONTRIBUTOR",
        pull_request=True,
        comments=(("dave", "CONTRIBUTOR", 24), ("ci-bot[bot]", "NONE", 16)),  # a bot does not count
    )
    gh.add_issue(5, "Typo in README", "erin", 3)  # too recent to be unattended
    gh.add_issue(6, "Old bug", "gina", 50, closed=20)
    gh.add_issue(7, "Fix the crash", "frank", 10, pull_request=True, merged=5)
    gh.add_issue(8, "Refactor widgets", "frank", 45, pull_request=True, merged=40)
    gh.add_issue(9, "Roadmap", "maint", 80, association="OWNER")  # a maintainer's own issue
    gh.add_issue(10, "Question", "hank", 2, closed=1)
    for days, author, message in (
        (1, "frank", "Fix the crash\n\nDetails."),
        (2, "maint", "Docs"),
        (4, "frank", "Tests"),
    ):
        gh.commits.append(
            {
                "author": {"login": author},
                "commit": {"message": message, "author": {"name": author, "date": gh.ago(days)}},
            }
        )
    gh.commits.append({"author": None, "commit": {"message": "Old", "author": {"name": "zed", "date": gh.ago(9)}}})
    gh.releases = [
        {"tag_name": "v1.2.0", "name": "Widgets 1.2", "published_at": gh.ago(4), "draft": False},
        {"tag_name": "v1.1.0", "name": "Widgets 1.1", "published_at": gh.ago(60), "draft": False},
        {"tag_name": "v1.3.0", "name": None, "published_at": None, "draft": True},
    ]
    return gh


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    gh = widgets_repo().start()
    yield gh
    gh.stop()


def _client(gh: FakeGitHub, **kwargs: Any) -> GitHubClient:
    return GitHubClient(gh.repo, gh.token, gh.url, now=lambda: gh.now, **kwargs)


def _facts(body: dict[str, Any]) -> dict[str, Any]:
    return json.loads(body["messages"][-1]["content"].split(FACTS_MARK, 1)[1])


def anny_writer(body: dict[str, Any]) -> str:
    """Plays Anny's model: writes a short answer from the facts it was given."""
    assert body["messages"][0]["content"].startswith("You are Anny")
    facts = _facts(body)
    if "stars" in facts:
        s, f = facts["stars"], facts["pull_requests_merged"]
        return f"**Growth of {facts['repository']}**\n- stars +{s['this_period']} (before: {s['previous_period']})\n- merged PRs {f['this_period']}"
    if "unattended" in facts:
        items = ", ".join(f"#{i['number']} ({i['days_waiting']} days)" for i in facts["unattended"])
        return f"**Waiting for a maintainer**: {items}"
    return f"**This week in {facts['repository']}**: {facts['commits']} commits, {facts['issues_opened']} new issues."


@pytest.fixture
def anny(fake_github: FakeGitHub, llm_server: LLMServer) -> Anny:
    llm_server.responder = anny_writer
    settings = AnnySettings(
        repo=fake_github.repo,
        config_list=llm_server.config_list(),
        github_token=fake_github.token,
        github_api_url=fake_github.url,
    )
    return Anny(settings, _client(fake_github))


# ------------------------------------------------------------------------------------------ the commands --
def test_help_needs_no_model(anny: Anny, llm_server: LLMServer, fake_github: FakeGitHub) -> None:
    answer = anny.answer("/heyanny help")
    assert answer.startswith("**Hi, I'm Anny!** I keep an eye on the GitHub repository `octo/widgets`.")
    for usage in ("/heyanny help`", "/heyanny ghstatus [days]`", "/heyanny ghgrowth [days]`", "/heyanny ghunattended"):
        assert usage in answer
    assert "(default 30 days)" in answer
    assert anny.answer("/heyanny") == answer
    assert llm_server.chat_requests() == [] and fake_github.requests == []


def test_ghstatus(anny: Anny, llm_server: LLMServer, fake_github: FakeGitHub) -> None:
    assert anny.answer("/heyanny ghstatus") == "**This week in octo/widgets**: 3 commits, 2 new issues."
    (body,) = llm_server.chat_requests()
    facts = _facts(body)
    assert body["messages"][-1]["content"].startswith("Summarise the activity of octo/widgets in the last 7 days")
    assert facts["period_days"] == 7
    assert facts["totals"] == {"stars": 120, "forks": 30, "open_issues_and_pull_requests": 6, "watchers": 11}
    assert (facts["issues_opened"], facts["issues_closed"]) == (2, 1)
    assert (facts["pull_requests_opened"], facts["pull_requests_merged"]) == (0, 1)
    assert facts["commit_authors"] == ["frank", "maint"]
    assert facts["recent_commit_messages"] == ["Fix the crash", "Docs", "Tests"]
    assert facts["releases"] == [{"name": "Widgets 1.2", "published_at": fake_github.ago(4)}]
    assert sorted(i["number"] for i in facts["new_issues"]) == [5, 10]
    assert facts["merged_pull_requests"][0]["url"] == "https://github.com/octo/widgets/pull/7"
    assert facts["complete"] is True
    # every GitHub request carried the token, and the listings were followed across pages
    assert all(r.headers.get("Authorization") == "Bearer gh-test-token" for r in fake_github.requests)
    assert sum(1 for p in fake_github.paths() if p.endswith("/issues")) > 1


def test_ghgrowth(anny: Anny, llm_server: LLMServer) -> None:
    answer = anny.answer("/heyanny ghgrowth 30")
    assert answer == "**Growth of octo/widgets**\n- stars +5 (before: 2)\n- merged PRs 1"
    facts = _facts(llm_server.chat_requests()[0])
    assert facts["stars"] == {
        "this_period": 5,
        "previous_period": 2,
        "change_percent": 150.0,
        "total": 120,
        "growth_of_total_percent": 4.35,  # 5 new on top of 115
    }
    assert facts["forks"]["this_period"] == 2 and facts["forks"]["previous_period"] == 1
    assert facts["issues_opened"] == {"this_period": 3, "previous_period": 2, "change_percent": 50.0}
    assert facts["issues_closed"] == {"this_period": 2, "previous_period": 0, "change_percent": None}
    assert facts["pull_requests_opened"] == {"this_period": 2, "previous_period": 1, "change_percent": 100.0}
    assert facts["pull_requests_merged"] == {"this_period": 1, "previous_period": 1, "change_percent": 0.0}
    assert facts["notes"] == []


def test_ghgrowth_reads_only_the_recent_stars(fake_github: FakeGitHub) -> None:
    repo_growth(_client(fake_github), days=12)
    star_pages = [r.query.get("page") for r in fake_github.requests if r.path.endswith("/stargazers")]
    # page 1 (for the link to the last page), then the last pages backwards until a star older than 24 days
    assert star_pages == [None, "5", "4", "3"]
    assert all("star+json" in r.headers["Accept"] for r in fake_github.requests if r.path.endswith("/stargazers"))


def test_ghunattended(anny: Anny, llm_server: LLMServer, fake_github: FakeGitHub) -> None:
    assert anny.answer("ghunattended 14") == "**Waiting for a maintainer**: #1 (100 days), #2 (30 days), #4 (24 days)"
    facts = _facts(llm_server.chat_requests()[0])
    assert facts["days"] == 14 and facts["unattended_count"] == 3
    first, second, third = facts["unattended"]
    assert (first["kind"], first["last_word_by"], first["comments"]) == ("issue", "alice", 0)
    assert (second["last_word_by"], second["waiting_since"]) == ("bob", fake_github.ago(30))
    assert (third["kind"], third["last_word_by"], third["url"]) == (
        "pull request",
        "dave",
        "https://github.com/octo/widgets/pull/4",
    )
    assert facts["checked"] == 5 and facts["complete"] is True


def test_a_longer_wait_leaves_fewer_items(fake_github: FakeGitHub) -> None:
    facts = unattended_items(_client(fake_github), days=50)
    assert [i["number"] for i in facts["unattended"]] == [1]


def test_listings_cut_short_are_flagged(fake_github: FakeGitHub) -> None:
    facts = repo_status(_client(fake_github, max_pages=1), days=60)
    assert facts["complete"] is False
    growth = repo_growth(_client(fake_github, max_pages=1), days=30)
    assert any("lower bounds" in note for note in growth["notes"])


def test_unknown_commands_get_a_hint(anny: Anny, llm_server: LLMServer) -> None:
    assert anny.answer("/heyanny dance").startswith("I don't know the command 'dance'. Try: /heyanny help, ")
    assert "from 1 to 365" in anny.answer("/heyanny ghgrowth forever")
    assert llm_server.chat_requests() == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", Command("help")),
        ("/heyanny ghstatus", Command("ghstatus")),
        ("  /HeyAnny   GHGROWTH   90 ", Command("ghgrowth", 90)),
        ("heyanny ghunattended 7d", Command("ghunattended", 7)),
        ("ghunattended days=3", Command("ghunattended", 3)),
        ("/heyanny help me", Command("help")),
    ],
)
def test_parse_command(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", ["/heyanny ghstatus 0", "/heyanny ghstatus 400", "ghstatus 1 2", "/heyanny nope"])
def test_parse_command_refuses(text: str) -> None:
    with pytest.raises(CommandError):
        parse_command(text)


def test_split_message_for_discord() -> None:
    assert split_message("short") == ["short"]
    text = "\n".join(f"line {i:04d} " + "x" * 40 for i in range(100))  # about 5,000 characters
    pieces = split_message(text)
    assert len(pieces) == 3 and all(len(p) <= 2000 for p in pieces)
    assert "\n".join(pieces) == text
    assert split_message("y" * 4500) == ["y" * 2000, "y" * 2000, "y" * 500]


# -------------------------------------------------------------------------------------------- failures --
def test_github_errors_say_what_to_check(fake_github: FakeGitHub) -> None:
    with pytest.raises(GitHubError, match="token was refused; check GITHUB_TOKEN"):
        GitHubClient(fake_github.repo, "wrong", fake_github.url).repository()
    with pytest.raises(GitHubError, match="no such repository 'octo/nothing'"):
        GitHubClient("octo/nothing", fake_github.token, fake_github.url).repository()
    fake_github.fail_with = (
        403,
        {"message": "API rate limit exceeded"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0"},
    )
    with pytest.raises(GitHubError, match="rate limit is used up until 00:00 UTC"):
        _client(fake_github).repository()
    with pytest.raises(ValueError, match="owner/name"):
        GitHubClient("just-a-name")


def test_links_outside_the_api_are_not_followed(fake_github: FakeGitHub) -> None:
    with pytest.raises(GitHubError, match="Refusing to follow a link outside"):
        _client(fake_github).request("http://elsewhere.invalid/repos/octo/widgets?page=2")


def test_settings_from_the_environment(llm_server: LLMServer) -> None:
    env = {"ANNY_GH_REPO": "octo/widgets", "GITHUB_TOKEN": "t", "GITHUB_API_URL": "http://127.0.0.1:1"}
    settings = AnnySettings.from_env(env, config_list_loader=llm_server.config_list)
    assert (settings.repo, settings.github_token, settings.github_api_url) == (
        "octo/widgets",
        "t",
        "http://127.0.0.1:1",
    )
    assert "github_token" not in repr(settings)  # never printed by accident
    with pytest.raises(ValueError, match="ANNY_GH_REPO"):
        AnnySettings.from_env({}, config_list_loader=llm_server.config_list)


# ------------------------------------------------------------------------------------------ as a user --
def test_ask_script_end_to_end(fake_github: FakeGitHub, llm_server: LLMServer, tmp_path: Path) -> None:
    llm_server.responder = anny_writer
    env = {
        "ANNY_GH_REPO": fake_github.repo,
        "GITHUB_TOKEN": str(fake_github.token),
        "GITHUB_API_URL": fake_github.url,
        "OAI_CONFIG_LIST": json.dumps(llm_server.config_list()),
    }
    done = run_script(ANNY_DIR / "ask.py", ["/heyanny", "ghunattended", "14"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "**Waiting for a maintainer**: #1 (100 days), #2 (30 days), #4 (24 days)"

    env["GITHUB_TOKEN"] = "wrong"
    failed = run_script(ANNY_DIR / "ask.py", ["ghstatus"], env, tmp_path)
    assert failed.returncode == 1 and "check GITHUB_TOKEN" in failed.stderr


def test_bot_script_needs_a_discord_token(tmp_path: Path) -> None:
    done = run_script(ANNY_DIR / "bot.py", [], {"DISCORD_TOKEN": ""}, tmp_path)
    assert done.returncode == 2 and "DISCORD_TOKEN" in done.stderr


# --------------------------------------------------------------------------------------- Discord wiring --
class _Response:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def defer(self, thinking: bool = False) -> None:
        self.log.append(f"defer(thinking={thinking})")


class _Followup:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def send(self, content: str) -> None:
        self.log.append(content)


class _Interaction:
    """Stands in for discord.Interaction: records what the command does with it."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.response = _Response(self.log)
        self.followup = _Followup(self.log)


class _StubAnny:
    def __init__(self, answer: str) -> None:
        self.asked: list[str] = []
        self._answer = answer
        self.settings = AnnySettings(repo="octo/widgets")

    def answer(self, text: str) -> str:
        self.asked.append(text)
        if text.startswith("ghstatus"):
            raise GitHubError("GitHub is down")
        return self._answer


async def test_discord_commands_post_the_answers() -> None:
    pytest.importorskip("discord", reason="the Discord wiring needs discord.py")
    from anny.discord_bot import AnnyBot

    stub = _StubAnny("z" * 2500)
    bot = AnnyBot(stub, guild_id=None)  # type: ignore[arg-type]
    group = bot.tree.get_command("heyanny")
    assert group is not None
    assert sorted(c.name for c in group.commands) == ["ghgrowth", "ghstatus", "ghunattended", "help"]
    growth = group.get_command("ghgrowth")
    assert [p.name for p in growth.parameters] == ["days"] and growth.parameters[0].required is False
    assert (growth.parameters[0].min_value, growth.parameters[0].max_value) == (1, 365)

    interaction = _Interaction()
    await growth.callback(interaction, days=90)
    assert stub.asked == ["ghgrowth 90"]
    assert interaction.log == ["defer(thinking=True)", "z" * 2000, "z" * 500]  # split for Discord's limit

    interaction = _Interaction()
    await group.get_command("ghstatus").callback(interaction)
    assert stub.asked[-1] == "ghstatus "
    assert interaction.log[-1] == "Sorry, I could not answer that: GitHub is down"
    await bot.close()

"""The GitHub side of Anny: a small client of the GitHub REST API and the facts each command needs.

Only the standard library is used (``urllib``). The functions return plain, JSON-ready dicts with the numbers
already worked out, so that the agents only have to put them into words.

``GITHUB_API_URL`` (or ``base_url``) points the client elsewhere: a GitHub Enterprise server, or a local fake in
tests.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator, Optional

__all__ = [
    "DEFAULT_API_URL",
    "MAINTAINER_ASSOCIATIONS",
    "GitHubClient",
    "GitHubError",
    "repo_growth",
    "repo_status",
    "unattended_items",
]

DEFAULT_API_URL = "https://api.github.com"
MAINTAINER_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
STAR_TIMES = "application/vnd.github.star+json"  # stargazers with the time they starred
_LINK = re.compile(r'<([^>]+)>;\s*rel="([^"]+)"')
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


class GitHubError(Exception):
    """A GitHub API request failed; the message says what to check."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def parse_time(text: Optional[str]) -> Optional[datetime]:
    """A GitHub timestamp ("2024-05-01T12:00:00Z") as an aware datetime; None stays None."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _links(header: Optional[str]) -> dict[str, str]:
    return {rel: url for url, rel in _LINK.findall(header or "")}


class GitHubClient:
    """Reads one repository through the GitHub REST API.

    Args:
        repo: "owner/name".
        token: a GitHub token (fine-grained, read-only access to public data is enough); None for anonymous
            requests, which GitHub limits to 60 an hour.
        base_url: the API root, e.g. ``https://api.github.com`` or ``https://github.example.com/api/v3``.
        max_pages: the most pages (of 100 items) read for one listing, to bound the time and the rate limit a
            command uses on a busy repository. Results cut short this way are flagged as partial.
    """

    def __init__(
        self,
        repo: str,
        token: Optional[str] = None,
        base_url: str = DEFAULT_API_URL,
        *,
        max_pages: int = 10,
        timeout: float = 30.0,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        if not _REPO.match(repo or ""):
            raise ValueError(f"The repository must be given as 'owner/name', got {repo!r}.")
        self.repo = repo
        self.token = token
        self.base_url = base_url.rstrip("/")
        self.max_pages = max_pages
        self.timeout = timeout
        self.now = now

    # ---------------------------------------------------------------------------------------------- HTTP --
    def request(
        self, path_or_url: str, params: Optional[dict[str, Any]] = None, accept: str = "application/vnd.github+json"
    ) -> tuple[Any, dict[str, str]]:
        """GET a path of the API (or a full URL from a Link header): ``(decoded JSON, response headers)``."""
        if "://" in path_or_url and not path_or_url.startswith(self.base_url + "/"):
            # a Link header pointing elsewhere: never send the token there
            raise GitHubError(f"Refusing to follow a link outside {self.base_url}: {path_or_url}")
        url = path_or_url if "://" in path_or_url else f"{self.base_url}{path_or_url}"
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        headers = {"Accept": accept, "User-Agent": "auto-anny", "X-GitHub-Api-Version": "2022-11-28"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=self.timeout) as response:
                body = response.read()
                return json.loads(body or b"null"), dict(response.headers.items())
        except urllib.error.HTTPError as exc:
            raise GitHubError(self._explain(exc, url)) from exc
        except urllib.error.URLError as exc:
            raise GitHubError(f"Could not reach the GitHub API at {self.base_url}: {exc.reason}") from exc

    def _explain(self, exc: urllib.error.HTTPError, url: str) -> str:
        try:
            detail = json.loads(exc.read() or b"{}").get("message", "")
        except ValueError:
            detail = ""
        where = f"GitHub answered {exc.code} for {url}" + (f" ({detail})" if detail else "")
        if exc.code == 401:
            return f"{where}: the token was refused; check GITHUB_TOKEN."
        if exc.code in (403, 429) and exc.headers.get("X-RateLimit-Remaining") == "0":
            reset = exc.headers.get("X-RateLimit-Reset")
            when = datetime.fromtimestamp(int(reset), timezone.utc).strftime("%H:%M UTC") if reset else "later"
            hint = "" if self.token else " Set GITHUB_TOKEN for a higher limit."
            return f"{where}: the API rate limit is used up until {when}.{hint}"
        if exc.code == 404:
            return f"{where}: no such repository {self.repo!r}, or the token cannot see it."
        return where

    def pages(
        self, path: str, params: Optional[dict[str, Any]] = None, accept: str = "application/vnd.github+json"
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Yield ``(items, more)`` for the pages of a listing (``more``: another page follows), following the
        ``Link: rel="next"`` headers, for at most ``max_pages`` pages."""
        url = path
        query: Optional[dict[str, Any]] = {"per_page": 100, **(params or {})}
        for _ in range(self.max_pages):
            items, headers = self.request(url, query, accept)
            next_url = _links(headers.get("Link")).get("next")
            yield list(items or []), next_url is not None
            if next_url is None:
                return
            url, query = next_url, None  # the next page's URL carries its own query

    # ----------------------------------------------------------------------------------------- listings --
    def repository(self) -> dict[str, Any]:
        data, _ = self.request(f"/repos/{self.repo}")
        return data  # type: ignore[no-any-return]

    def issues_updated_since(self, since: datetime, state: str = "all") -> tuple[list[dict[str, Any]], bool]:
        """Issues and pull requests updated since ``since`` (so also every one opened or closed since):
        ``(items, complete)``."""
        return self._all(f"/repos/{self.repo}/issues", {"state": state, "since": iso(since)})

    def commits_since(self, since: datetime) -> tuple[list[dict[str, Any]], bool]:
        """Commits on the default branch since ``since``: ``(commits, complete)``."""
        return self._all(f"/repos/{self.repo}/commits", {"since": iso(since)})

    def _all(self, path: str, params: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        found: list[dict[str, Any]] = []
        for page, more in self.pages(path, params):
            found.extend(page)
            if not more:
                return found, True
        return found, False

    def releases(self, count: int = 10) -> list[dict[str, Any]]:
        data, _ = self.request(f"/repos/{self.repo}/releases", {"per_page": count})
        return list(data or [])

    def _backwards(
        self, path: str, accept: str = "application/vnd.github+json"
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Yield ``(items, more)`` for the pages of an oldest-first listing, from the last page back to the first
        (``more``: an earlier page exists), for at most ``max_pages`` pages."""
        items, headers = self.request(path, {"per_page": 100}, accept)
        links = _links(headers.get("Link"))
        if "last" in links:
            items, headers = self.request(links["last"], None, accept)
            links = _links(headers.get("Link"))
        for _ in range(self.max_pages):
            yield list(items or []), "prev" in links
            if "prev" not in links:
                return
            items, headers = self.request(links["prev"], None, accept)
            links = _links(headers.get("Link"))

    def star_times_since(self, since: datetime) -> tuple[list[datetime], bool]:
        """When the stars given since ``since`` were given: ``(times, complete)``.

        The stargazers listing is oldest first, so it is read from its last page backwards until a star older
        than ``since`` shows up (or the first page is done).
        """
        times: list[datetime] = []
        for items, more in self._backwards(f"/repos/{self.repo}/stargazers", STAR_TIMES):
            stamps = [t for t in (parse_time(item.get("starred_at")) for item in items) if t is not None]
            times.extend(t for t in stamps if t >= since)
            if not more or any(t < since for t in stamps):
                return times, True
        return times, False

    def fork_times_since(self, since: datetime) -> tuple[list[datetime], bool]:
        """When the forks made since ``since`` were made: ``(times, complete)``."""
        times: list[datetime] = []
        for page, more in self.pages(f"/repos/{self.repo}/forks", {"sort": "newest"}):
            stamps = [t for t in (parse_time(fork.get("created_at")) for fork in page) if t is not None]
            times.extend(t for t in stamps if t >= since)
            if not more or any(t < since for t in stamps):
                return times, True
        return times, False

    def open_items_idle_since(self, cutoff: datetime) -> tuple[list[dict[str, Any]], bool]:
        """Open issues and pull requests not updated since ``cutoff``, least recently updated first."""
        found: list[dict[str, Any]] = []
        params = {"state": "open", "sort": "updated", "direction": "asc"}
        for page, more in self.pages(f"/repos/{self.repo}/issues", params):
            for item in page:
                updated = parse_time(item.get("updated_at"))
                if updated is not None and updated > cutoff:
                    return found, True
                found.append(item)
            if not more:
                return found, True
        return found, False

    def comments_newest_first(self, number: int) -> Iterator[dict[str, Any]]:
        """The comments of issue/PR ``number``, newest first; pages are requested only as they are needed."""
        for page, _ in self._backwards(f"/repos/{self.repo}/issues/{number}/comments"):
            yield from reversed(page)


# ------------------------------------------------------------------------------------------- the facts --
def _is_pr(item: dict[str, Any]) -> bool:
    return "pull_request" in item


def _brief(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": item.get("number"),
        "title": item.get("title"),
        "author": (item.get("user") or {}).get("login"),
        "state": item.get("state"),
        "url": item.get("html_url"),
    }


def _first_line(text: Optional[str]) -> str:
    return (text or "").strip().split("\n", 1)[0]


def _change(now: int, before: int) -> Optional[float]:
    """The change from ``before`` to ``now`` in percent (None when there was nothing before)."""
    return None if before == 0 else round(100.0 * (now - before) / before, 1)


def repo_status(client: GitHubClient, days: int = 7, *, list_limit: int = 15) -> dict[str, Any]:
    """What happened in the repository in the last ``days`` days."""
    now = client.now()
    since = now - timedelta(days=days)
    repo = client.repository()
    items, items_complete = client.issues_updated_since(since)
    commits, commits_complete = client.commits_since(since)
    releases = []
    for release in client.releases():
        published = parse_time(release.get("published_at"))  # drafts have none
        if published is not None and published >= since:
            releases.append(release)

    def in_period(moment: Optional[str]) -> bool:
        t = parse_time(moment)
        return t is not None and t >= since

    issues = [i for i in items if not _is_pr(i)]
    prs = [i for i in items if _is_pr(i)]
    opened_issues = [i for i in issues if in_period(i.get("created_at"))]
    closed_issues = [i for i in issues if in_period(i.get("closed_at"))]
    opened_prs = [p for p in prs if in_period(p.get("created_at"))]
    merged_prs = [p for p in prs if in_period((p.get("pull_request") or {}).get("merged_at"))]
    authors = sorted(
        {
            (c.get("author") or {}).get("login") or (c.get("commit") or {}).get("author", {}).get("name") or "?"
            for c in commits
        }
    )
    return {
        "repository": repo.get("full_name", client.repo),
        "description": repo.get("description"),
        "url": repo.get("html_url"),
        "period_days": days,
        "since": iso(since),
        "totals": {
            "stars": repo.get("stargazers_count"),
            "forks": repo.get("forks_count"),
            "open_issues_and_pull_requests": repo.get("open_issues_count"),
            "watchers": repo.get("subscribers_count"),
        },
        "last_push": repo.get("pushed_at"),
        "issues_opened": len(opened_issues),
        "issues_closed": len(closed_issues),
        "pull_requests_opened": len(opened_prs),
        "pull_requests_merged": len(merged_prs),
        "commits": len(commits),
        "commit_authors": authors,
        "releases": [
            {"name": r.get("name") or r.get("tag_name"), "published_at": r.get("published_at")} for r in releases
        ],
        "new_issues": [_brief(i) for i in opened_issues[:list_limit]],
        "merged_pull_requests": [_brief(p) for p in merged_prs[:list_limit]],
        "open_pull_requests_updated": [_brief(p) for p in prs if p.get("state") == "open"][:list_limit],
        "recent_commit_messages": [_first_line((c.get("commit") or {}).get("message")) for c in commits[:list_limit]],
        "complete": items_complete and commits_complete,
    }


def repo_growth(client: GitHubClient, days: int = 30) -> dict[str, Any]:
    """Growth over the last ``days`` days, compared with the ``days`` days before."""
    now = client.now()
    start = now - timedelta(days=days)
    previous_start = start - timedelta(days=days)
    repo = client.repository()
    notes: list[str] = []

    def split(times: list[datetime]) -> tuple[int, int]:
        return sum(1 for t in times if t >= start), sum(1 for t in times if previous_start <= t < start)

    try:
        star_times, stars_complete = client.star_times_since(previous_start)
    except GitHubError as exc:  # e.g. GitHub does not page that far back on a very popular repository
        star_times, stars_complete = [], False
        notes.append(f"Stars over time could not be read: {exc}")
    fork_times, forks_complete = client.fork_times_since(previous_start)
    items, items_complete = client.issues_updated_since(previous_start)

    def times_of(kind_is_pr: bool, field: str) -> list[datetime]:
        stamps = []
        for item in items:
            if _is_pr(item) != kind_is_pr:
                continue
            raw = (item.get("pull_request") or {}).get("merged_at") if field == "merged_at" else item.get(field)
            moment = parse_time(raw)
            if moment is not None and moment >= previous_start:
                stamps.append(moment)
        return stamps

    def indicator(times: list[datetime], total: Optional[int] = None) -> dict[str, Any]:
        now_count, before = split(times)
        entry: dict[str, Any] = {
            "this_period": now_count,
            "previous_period": before,
            "change_percent": _change(now_count, before),
        }
        if total is not None:
            entry["total"] = total
            earlier_total = total - now_count
            entry["growth_of_total_percent"] = (
                None if earlier_total <= 0 else round(100.0 * now_count / earlier_total, 2)
            )
        return entry

    if not stars_complete and star_times:
        notes.append("Only the most recent stars were read; the star counts are lower bounds.")
    if not forks_complete:
        notes.append("Only the most recent forks were read; the fork counts are lower bounds.")
    if not items_complete:
        notes.append(
            "Only the most recently updated issues and pull requests were read; their counts are lower bounds."
        )
    return {
        "repository": repo.get("full_name", client.repo),
        "period_days": days,
        "period": {"from": iso(start), "to": iso(now)},
        "previous_period": {"from": iso(previous_start), "to": iso(start)},
        "stars": indicator(star_times, repo.get("stargazers_count")),
        "forks": indicator(fork_times, repo.get("forks_count")),
        "issues_opened": indicator(times_of(False, "created_at")),
        "issues_closed": indicator(times_of(False, "closed_at")),
        "pull_requests_opened": indicator(times_of(True, "created_at")),
        "pull_requests_merged": indicator(times_of(True, "merged_at")),
        "open_issues_and_pull_requests_now": repo.get("open_issues_count"),
        "notes": notes,
    }


def _is_maintainer(entry: dict[str, Any]) -> bool:
    return entry.get("author_association") in MAINTAINER_ASSOCIATIONS


def _is_bot(entry: dict[str, Any]) -> bool:
    user = entry.get("user") or {}
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def unattended_items(client: GitHubClient, days: int = 14, *, max_checked: int = 50) -> dict[str, Any]:
    """Open issues and pull requests waiting for a maintainer for at least ``days`` days.

    An item waits for a maintainer when the last word on it (its last comment by a person, or else its opening
    post) comes from someone who is not a maintainer (owner, member or collaborator of the repository). Comments by
    bots are skipped; pull-request review comments are not counted. At most ``max_checked`` of the stalest open
    items are looked at (each needs one request for its comments).
    """
    now = client.now()
    cutoff = now - timedelta(days=days)
    idle, idle_complete = client.open_items_idle_since(cutoff)
    waiting: list[dict[str, Any]] = []
    for item in idle[:max_checked]:
        last_word: dict[str, Any] = item
        last_time = item.get("created_at")
        comments = client.comments_newest_first(int(item["number"])) if item.get("comments") else iter(())
        for comment in comments:
            if not _is_bot(comment):
                last_word, last_time = comment, comment.get("created_at")
                break
        if _is_maintainer(last_word):
            continue
        since = parse_time(last_time) or now
        if since > cutoff:
            continue
        waiting.append(
            {
                **_brief(item),
                "kind": "pull request" if _is_pr(item) else "issue",
                "waiting_since": iso(since),
                "days_waiting": (now - since).days,
                "last_word_by": (last_word.get("user") or {}).get("login"),
                "comments": item.get("comments", 0),
            }
        )
    waiting.sort(key=lambda entry: entry["days_waiting"], reverse=True)
    return {
        "repository": client.repo,
        "days": days,
        "unattended_count": len(waiting),
        "unattended": waiting,
        "checked": min(len(idle), max_checked),
        "complete": idle_complete and len(idle) <= max_checked,
    }

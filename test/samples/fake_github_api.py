"""A local fake of the parts of the GitHub REST API that Auto-Anny reads, for tests.

It serves JSON from plain Python lists (``issues``, ``comments``, ``commits``, ...) with GitHub's filtering,
sorting and ``Link``-header pagination. Pages are capped at ``page_size`` items (GitHub caps them at 100) so that
a small data set already spans several pages. Every request is recorded.
"""

from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlencode, urlsplit

__all__ = ["FakeGitHub", "GitHubRequest", "stamp"]


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: Optional[str]) -> Optional[datetime]:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


@dataclass
class GitHubRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeGitHub:
    """Start with ``start()``; ``url`` is the API root to give the client."""

    repo: str = "octo/widgets"
    token: Optional[str] = "gh-test-token"
    page_size: int = 2
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    repository: dict[str, Any] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)  # issues and pull requests
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    commits: list[dict[str, Any]] = field(default_factory=list)
    releases: list[dict[str, Any]] = field(default_factory=list)
    stars: list[dict[str, Any]] = field(default_factory=list)  # oldest first, as GitHub lists them
    forks: list[dict[str, Any]] = field(default_factory=list)
    requests: list[GitHubRequest] = field(default_factory=list)
    fail_with: Optional[tuple[int, dict[str, Any], dict[str, str]]] = None  # (status, body, headers) for all

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True

    # ----------------------------------------------------------------------------------------- lifecycle --
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeGitHub:
        threading.Thread(target=self._httpd.serve_forever, name="fake-github", daemon=True).start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    # -------------------------------------------------------------------------------------- data helpers --
    def ago(self, days: float) -> str:
        return stamp(self.now - timedelta(days=days))

    def user(self, login: str) -> dict[str, Any]:
        return {"login": login, "type": "Bot" if login.endswith("[bot]") else "User"}

    def add_issue(
        self,
        number: int,
        title: str,
        author: str,
        created: float,
        *,
        association: str = "NONE",
        closed: Optional[float] = None,
        pull_request: bool = False,
        merged: Optional[float] = None,
        comments: tuple[tuple[str, str, float], ...] = (),
    ) -> None:
        """An issue (or PR) opened ``created`` days ago; ``comments``: (login, association, days ago)."""
        self.comments[number] = [
            {"id": number * 100 + i, "user": self.user(login), "author_association": assoc, "created_at": self.ago(d)}
            for i, (login, assoc, d) in enumerate(comments)
        ]
        end = merged if merged is not None else closed
        activity = [created] + [d for _, _, d in comments] + [d for d in (closed, merged) if d is not None]
        item: dict[str, Any] = {
            "number": number,
            "title": title,
            "user": self.user(author),
            "author_association": association,
            "state": "closed" if closed is not None or merged is not None else "open",
            "created_at": self.ago(created),
            "updated_at": self.ago(min(activity)),
            "closed_at": self.ago(end) if end is not None else None,
            "comments": len(comments),
            "html_url": f"https://github.com/{self.repo}/{'pull' if pull_request else 'issues'}/{number}",
        }
        if pull_request:
            item["pull_request"] = {"merged_at": self.ago(merged) if merged is not None else None}
        self.issues.append(item)

    # -------------------------------------------------------------------------------------------- routes --
    def route(self, path: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if self.fail_with is not None:
            return self.fail_with
        if self.token is not None and headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}, {}
        base = f"/repos/{self.repo}"
        if path == base:
            return 200, self.repository, {}
        if path == f"{base}/issues":
            return self._page(path, query, self._issues(query))
        match = re.fullmatch(re.escape(base) + r"/issues/(\d+)/comments", path)
        if match:
            return self._page(path, query, self.comments.get(int(match.group(1)), []))
        if path == f"{base}/commits":
            since = _parse(query.get("since"))
            found = [c for c in self.commits if since is None or _parse(c["commit"]["author"]["date"]) >= since]
            return self._page(path, query, sorted(found, key=lambda c: c["commit"]["author"]["date"], reverse=True))
        if path == f"{base}/releases":
            return self._page(path, query, sorted(self.releases, key=lambda r: r["published_at"] or "", reverse=True))
        if path == f"{base}/stargazers":
            if "star+json" in headers.get("Accept", ""):
                return self._page(path, query, self.stars)
            return self._page(path, query, [star["user"] for star in self.stars])
        if path == f"{base}/forks":
            return self._page(path, query, sorted(self.forks, key=lambda f: f["created_at"], reverse=True))
        return 404, {"message": "Not Found"}, {}

    def _issues(self, query: dict[str, str]) -> list[dict[str, Any]]:
        state = query.get("state", "open")
        since = _parse(query.get("since"))
        found = [
            i
            for i in self.issues
            if (state == "all" or i["state"] == state) and (since is None or _parse(i["updated_at"]) >= since)
        ]
        key = query.get("sort", "created")
        field_name = {"created": "created_at", "updated": "updated_at"}.get(key, "created_at")
        return sorted(found, key=lambda i: i[field_name], reverse=query.get("direction", "desc") == "desc")

    def _page(self, path: str, query: dict[str, str], items: list[Any]) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(query.get("per_page", 30)), self.page_size)
        page = int(query.get("page", 1))
        last = max(1, math.ceil(len(items) / per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []

        def link(number: int, rel: str) -> str:
            return f'<{self.url}{path}?{urlencode({**query, "page": number})}>; rel="{rel}"'

        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(1, "first"), link(page - 1, "prev")]
        return 200, chunk, ({"Link": ", ".join(links)} if links else {})


def _handler(fake: FakeGitHub) -> Callable[..., BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            headers = dict(self.headers.items())
            with fake._lock:
                fake.requests.append(GitHubRequest(parts.path, query, headers))
            status, body, extra = fake.route(parts.path, query, headers)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler

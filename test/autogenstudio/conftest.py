"""Fixtures of the AutoGen Studio tests: the app on a fresh app dir, pointed at the local LLM server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import MappingProxyType
from typing import Any, Dict, Iterator, Tuple

import pytest

HERE = Path(__file__).parent
TOKEN = "test-token-0123456789abcdef"
# read-only: starlette's TestClient and its websocket_connect add their own headers to the dict they are given
AUTH = MappingProxyType({"Authorization": f"token {TOKEN}"})


def _import_installed_autogenstudio() -> bool:
    """Import the installed package, not this folder (test/ is on sys.path and would shadow it)."""
    shadows = {HERE.parent.resolve(), HERE.resolve()}
    saved = list(sys.path)
    sys.path[:] = [p for p in saved if Path(p or ".").resolve() not in shadows]
    try:
        import autogenstudio.web.app  # noqa: F401

        return True
    except ImportError:
        return False
    finally:
        sys.path[:] = saved


HAVE_STUDIO = _import_installed_autogenstudio()
collect_ignore_glob = [] if HAVE_STUDIO else ["test_*.py"]


@pytest.fixture(autouse=True)
def _no_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    # Agent code runs locally in these tests (fast); the Docker choice itself is tested explicitly.
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "0")


@pytest.fixture
def studio_app(tmp_path: Path) -> Any:
    from autogenstudio.security import SecurityConfig
    from autogenstudio.web.app import create_app

    return create_app(tmp_path / "appdir", security=SecurityConfig(token=TOKEN))


@pytest.fixture
def client(studio_app: Any) -> Iterator[Any]:
    """A test client that holds the token (as a script would, in the Authorization header)."""
    from fastapi.testclient import TestClient

    with TestClient(studio_app, base_url="http://localhost", headers=dict(AUTH)) as c:
        yield c


@pytest.fixture
def anonymous(studio_app: Any) -> Iterator[Any]:
    """A test client without the token."""
    from fastapi.testclient import TestClient

    with TestClient(studio_app, base_url="http://localhost") as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = app.state.security.token
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.time() + 15
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("the studio server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(studio_app: Any) -> Iterator[LiveServer]:
    server = LiveServer(studio_app).start()
    yield server
    server.stop()


def start_cli(tmp_path: Path, *extra: str) -> Tuple[subprocess.Popen, str]:
    """Start ``autogenstudio ui`` and return the process and the URL it prints (token included)."""
    port = free_port()
    env = {**os.environ, "AUTOGEN_USE_DOCKER": "0"}
    env.pop("AUTOGENSTUDIO_TOKEN", None)
    args = ["ui", "--port", str(port), "--appdir", str(tmp_path / "app"), *extra]
    proc = subprocess.Popen(
        [sys.executable, "-m", "autogenstudio.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    )
    assert proc.stdout is not None
    printed = []
    for raw in proc.stdout:  # the URL is printed before the server starts
        line = raw.decode().strip()
        printed.append(line)
        if "?token=" in line:
            url = line
            break
    else:
        raise AssertionError("autogenstudio ui printed no URL: " + "\n".join(printed))
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(url.split("?")[0] + "api/skills", timeout=2):
                pass
        except urllib.error.HTTPError:  # 401 without the token: the server is up
            return proc, url
        except OSError:
            assert proc.poll() is None, "autogenstudio ui exited"
            assert time.time() < deadline, "autogenstudio ui did not start"
            time.sleep(0.2)


CODE_REPLY = (
    "I will write the file.\n```python\nwith open('result.txt', 'w') as f:\n    f.write('42')\n"
    "print('file written')\n```"
)


def local_model(llm_server: Any) -> Dict[str, Any]:
    return {"model": "gpt-4", "api_key": "sk-test-secret-key-1234", "base_url": llm_server.base_url}


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = HERE / "screenshots"
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium; CI installs it)"
)


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium (the system one, never a downloaded build); ``expect`` waits up to 30 s (CI is slow)."""
    playwright_sync = pytest.importorskip("playwright.sync_api")
    playwright_sync.expect.set_options(timeout=30_000)
    with playwright_sync.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_studio(browser: Any, url: str, token: str) -> Any:
    """A new page on Studio at ``url``, let in with the access token (which the page keeps as a cookie)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(30_000)
    page.goto(f"{url.rstrip('/')}/?token={token}")
    return page


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path


def api(page: Any, method: str, path: str, body: Any = None) -> Any:
    """Call Studio's API from the page's context (its cookie holds the token); fail on an error status."""
    base = page.url.split("/?")[0].rstrip("/")
    response = page.request.fetch(base + path, method=method, data=body)
    assert response.ok, (method, path, response.status, response.text())
    return response.json()


def make_workflow(page: Any, llm_server: Any, agents: Dict[str, Dict[str, Any]], workflow: Dict[str, Any]) -> int:
    """Create a model on the local LLM server, the agents (``llm: True`` gives one the model) and a workflow naming
    them; return the workflow id."""
    model = api(
        page, "POST", "/api/models", {"model": "gpt-4", "api_key": "sk-x-1234", "base_url": llm_server.base_url}
    )
    ids = {}
    for name, spec in agents.items():
        if spec.pop("llm", False):
            spec["model_ids"] = [model["id"]]
        ids[name] = api(page, "POST", "/api/agents", {"name": name, **spec})["id"]
    body = dict(workflow)
    for key in ("sender_id", "receiver_id"):
        if key in body:
            body[key] = ids[body[key]]
    if "agent_ids" in body:
        body["agent_ids"] = [ids[n] for n in body["agent_ids"]]
    return int(api(page, "POST", "/api/workflows", body)["id"])


def start_session(page: Any, workflow_name: str, task: str, timeout: int = 300) -> None:
    from playwright.sync_api import expect

    page.click("#tab-playground")
    page.select_option("#session-workflow", label=workflow_name)
    page.click("#new-session")
    expect(page.locator("#send")).to_be_enabled()
    page.fill("#input-timeout", str(timeout))
    page.fill("#chat-input", task)
    page.click("#send")

"""Fixtures of the AutoGen Studio tests: the app on a fresh app dir, pointed at the local LLM server."""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

HERE = Path(__file__).parent


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
    from autogenstudio.web.app import create_app

    return create_app(tmp_path / "appdir")


@pytest.fixture
def client(studio_app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(studio_app) as c:
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


CODE_REPLY = (
    "I will write the file.\n```python\nwith open('result.txt', 'w') as f:\n    f.write('42')\n"
    "print('file written')\n```"
)


def local_model(llm_server: Any) -> Dict[str, Any]:
    return {"model": "gpt-4", "api_key": "sk-test-secret-key-1234", "base_url": llm_server.base_url}

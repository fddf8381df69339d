"""Fixtures of the code execution tests: a real Docker daemon (skipped only when none answers)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

DOCKER_IMAGE = "python:3-slim"


def _docker_skip_reason() -> str | None:
    try:
        import docker
    except ImportError:
        return "the docker Python package is not installed"
    try:
        client = docker.from_env(timeout=10)
        client.ping()
        client.close()
    except Exception as exc:
        return f"no Docker daemon answers ({exc}); run scripts/setup_docker.sh"
    return None


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    """A client of the real Docker daemon; tests using it are skipped only when no daemon answers."""
    reason = _docker_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    import docker

    client = docker.from_env()
    yield client
    client.close()


def _process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its reaper counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture
def process_alive() -> Callable[[int], bool]:
    """``process_alive(pid)``: whether a process runs (zombies count as dead)."""
    return _process_alive


@pytest.fixture
def reap_pids() -> Iterator[list[int]]:
    """Append pids here; any still running at the end of the test is killed."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        _kill_quietly(pid)

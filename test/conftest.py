"""Fixtures shared by the whole suite: the local LLM server and an isolated working directory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from llm_server import LLMServer  # noqa: E402


@pytest.fixture(scope="session")
def _llm_server_session() -> Iterator[LLMServer]:
    server = LLMServer().start()
    yield server
    server.stop()


@pytest.fixture
def llm_server(_llm_server_session: LLMServer) -> Iterator[LLMServer]:
    """The session's local OpenAI-compatible server, with an empty script for this test."""
    _llm_server_session.reset()
    yield _llm_server_session
    _llm_server_session.reset()


@pytest.fixture
def llm_config(llm_server: LLMServer) -> dict[str, Any]:
    """An llm_config pointing at the local server, with caching off."""
    return llm_server.llm_config()


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run each test in its own directory so .cache/, coding/ and logs never land in the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def collect_cycles() -> Iterator[None]:
    """Collect garbage after the test: agents refer to themselves (bound reply functions), so only the cycle
    collector frees them and what they hold open (a chromadb folder, a connection) before the next test.
    Use it with ``pytestmark = pytest.mark.usefixtures("collect_cycles")``."""
    yield
    import gc

    gc.collect()


@pytest.fixture
def close_disk_caches() -> Iterator[None]:
    """Close the disk caches the test's LLM calls opened (the default cache lives in the test's own folder, and the
    pool keeps up to MAX_OPEN of them open). Use it with ``pytestmark = pytest.mark.usefixtures(...)``."""
    yield
    from autogen.cache.disk_cache import clear_disk_cache_pool

    clear_disk_cache_pool()

"""Fixtures of the provider-client tests: one protocol server per provider and session, fresh per test.

A test module sets ``SERVER_CLASS = OllamaServer`` (a ``ProtocolServer`` subclass) and uses the
``provider_server`` fixture, or calls ``provider_servers(OllamaServer)`` for several providers in one test.
The ``llm_server`` fixture (the OpenAI protocol) comes from test/conftest.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from protocol_server import ProtocolServer  # noqa: E402


@pytest.fixture(scope="session")
def _provider_servers() -> Iterator[dict[type, ProtocolServer]]:
    servers: dict[type, ProtocolServer] = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def provider_servers(_provider_servers: dict[type, ProtocolServer]) -> Iterator[Callable[[type], Any]]:
    """``provider_servers(cls)``: the session's started server of that class, with an empty script and log."""
    used: list[ProtocolServer] = []

    def get(cls: type) -> Any:
        server = _provider_servers.get(cls)
        if server is None:
            server = _provider_servers[cls] = cls().start()
        if server not in used:
            server.reset()
            used.append(server)
        return server

    yield get
    for server in used:
        server.reset()


@pytest.fixture
def provider_server(request: pytest.FixtureRequest, provider_servers: Callable[[type], Any]) -> Any:
    """The server of the test module's ``SERVER_CLASS``."""
    cls = getattr(request.module, "SERVER_CLASS", None)
    if cls is None:
        raise RuntimeError(f"{request.module.__name__} uses provider_server but sets no SERVER_CLASS")
    return provider_servers(cls)

"""Fixtures of the provider-client tests: one protocol server per provider and session, fresh per test.

A test module sets ``SERVER_CLASS = OllamaServer`` (a ``ProtocolServer`` subclass) and uses the
``provider_server`` fixture; the ``llm_server`` fixture (OpenAI protocol) comes from test/conftest.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

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
def provider_server(request: pytest.FixtureRequest, _provider_servers: dict[type, ProtocolServer]) -> Iterator[Any]:
    """The started server of the test module's ``SERVER_CLASS`` (or of the indirect parameter), with an
    empty script and request log."""
    cls = getattr(request, "param", None) or getattr(request.module, "SERVER_CLASS", None)
    if cls is None:
        raise RuntimeError(f"{request.module.__name__} uses provider_server but sets no SERVER_CLASS")
    server = _provider_servers.get(cls)
    if server is None:
        server = _provider_servers[cls] = cls().start()
    server.reset()
    yield server
    server.reset()

"""Shared pieces of the state tests."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from scenarios import Silent  # noqa: E402

from autogen.io.base import IOStream  # noqa: E402


@pytest.fixture(autouse=True)
def _silent() -> Iterator[Any]:
    with IOStream.set_default(Silent()):
        yield

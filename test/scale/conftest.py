"""Shared fixtures of the scale tests: a real Redis (as the cache tests get it) and a real local Ray cluster."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from cache.conftest import redis_url  # noqa: E402,F401  (the session's Redis, started once for the cache tests too)


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    """One local Ray cluster (2 CPUs) for the module; its workers import the factories from this directory.

    Ray waits at most 30 s for its node to start; on a loaded machine that can be too short, so a failed start is
    tried again (later starts find their files cached and are faster). The raylet's own wait for its agents is
    raised so that a slow agent does not crash it.
    """
    ray = pytest.importorskip("ray", reason='Ray is not installed: pip install "pyautogen[ray]"')
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_raylet_start_wait_time_s", "60")
    paths = [str(HERE), str(HERE.parent.parent), os.environ.get("PYTHONPATH", "")]
    temp = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # its own session files, apart from other clusters' /tmp/ray
    attempts = 3
    for attempt in range(1, attempts + 1):
        try:
            ray.init(
                num_cpus=2,
                include_dashboard=False,
                log_to_driver=False,
                _node_ip_address="127.0.0.1",
                _temp_dir=temp,
                runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}},
            )
            break
        except Exception:
            ray.shutdown()
            if attempt == attempts:
                raise
    try:
        yield ray
    finally:
        ray.shutdown()

"""A real Redis for the cache tests: AUTOGEN_TEST_REDIS_URL (CI), else a redis-server started here."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("AUTOGEN_TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("no redis-server binary (apt-get install redis-server) and AUTOGEN_TEST_REDIS_URL is not set")
    import redis

    port = _free_port()
    workdir: Path = tmp_path_factory.mktemp("redis")
    pidfile = workdir / "redis.pid"
    subprocess.run(
        [
            binary,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--daemonize", "yes",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(workdir),
            "--pidfile", str(pidfile),
            "--logfile", str(workdir / "redis.log"),
        ],
        check=True,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start; see {workdir / 'redis.log'}") from None
            time.sleep(0.05)
    try:
        yield url
    finally:
        try:
            client.shutdown(nosave=True)
        except redis.ConnectionError:
            pass  # shutting down closes the connection
        client.close()

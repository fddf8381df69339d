"""A RayChatPool that starts the local Ray cluster itself gives it back: the last pool using it shuts it down (its
processes end); a cluster the user started keeps running after the pools close."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import psutil
import pytest
from chat_factories import two_agents
from llm_server import LLMServer

from autogen.scale import ChatSpec, RayChatPool, run_chats

pytestmark = pytest.mark.timeout(600)

HERE = Path(__file__).parent


def processes_of(temp_dir: str, timeout: float = 0.0) -> List[str]:
    """Processes whose command line names ``temp_dir`` (a cluster's own session folder), waiting up to ``timeout``
    seconds for them to end."""
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for proc in psutil.process_iter(["cmdline", "status"]):
            cmdline = " ".join(proc.info["cmdline"] or ())
            if temp_dir in cmdline and proc.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(cmdline[:120])
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.1)


def init_options(temp_dir: str) -> Dict[str, Any]:
    paths = [str(HERE), str(HERE.parent.parent), os.environ.get("PYTHONPATH", "")]
    return {
        "num_cpus": 2,
        "_node_ip_address": "127.0.0.1",
        "_temp_dir": temp_dir,
        "runtime_env": {"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}},
    }


def one_chat(server: LLMServer, pool: RayChatPool, i: int) -> None:
    server.responder = lambda body: "fine"
    spec = ChatSpec(
        two_agents, message=f"q{i}", chat_kwargs={"max_turns": 1}, factory_args={"base_url": server.base_url}
    )
    (outcome,) = run_chats([spec], backend="ray", ray_pool=pool, progress=False)
    assert outcome.ok, outcome.error


def test_the_last_pool_on_a_cluster_a_pool_started_shuts_it_down(llm_server: LLMServer) -> None:
    ray = pytest.importorskip("ray", reason='Ray is not installed: pip install "pyautogen[ray]"')
    assert not ray.is_initialized()
    temp = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # this cluster's own session files and processes
    first = RayChatPool(workers=1, ray_options={"num_cpus": 0.5}, init_options=init_options(temp))
    second = RayChatPool(workers=1, ray_options={"num_cpus": 0.5})  # the same cluster, started by `first`
    assert first.wait_ready(timeout=300) == 1 and second.wait_ready(timeout=300) == 1
    assert processes_of(temp)  # the cluster's processes run

    first.close()  # another pool still uses the cluster: it keeps running
    assert ray.is_initialized()
    one_chat(llm_server, second, 1)
    with second:
        pass  # leaving the block closes the last pool: the cluster is shut down
    second.close()  # closing twice does nothing
    assert not ray.is_initialized()
    assert processes_of(temp, timeout=60) == []  # raylet, GCS, workers: all ended


def test_a_cluster_the_user_started_keeps_running(llm_server: LLMServer, ray_cluster: Any) -> None:
    with RayChatPool(workers=1, ray_options={"num_cpus": 0.5}) as pool:
        assert pool.wait_ready(timeout=300) == 1
        one_chat(llm_server, pool, 2)
    assert ray_cluster.is_initialized()
    with RayChatPool(workers=1, ray_options={"num_cpus": 0.5}) as again:  # the workers of the closed pool are gone
        assert again.wait_ready(timeout=300) == 1
    assert ray_cluster.is_initialized()

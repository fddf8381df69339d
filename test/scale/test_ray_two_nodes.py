"""Two Ray nodes on this machine (``ray start --head`` and a second ``ray start --address``): chats spread over
both, the second node's raylet killed mid-run, every chat accounted for and the lost ones continued on the head node
from their Redis checkpoints. The driver is its own program (two_node_driver.py), as a user's would be."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
from gates import Gate
from llm_server import LLMServer, last_user_content

pytestmark = [pytest.mark.timeout(900), pytest.mark.redis]

HERE = Path(__file__).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _processes_of(temp: Path) -> List[Any]:
    """The processes of the cluster whose files live under ``temp`` (its raylets, GCS, agents and workers)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if any(str(temp) in part for part in proc.info["cmdline"] or []):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _raylet_of(temp: Path, resource: str) -> int:
    for proc in _processes_of(temp):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if "raylet" in proc.name() and resource in cmdline:
            return int(proc.pid)
    raise AssertionError(f"no raylet with the resource {resource!r} under {temp}")


def _lose_node(raylet: int) -> None:
    """Kill the node's raylet; its workers follow it (those that have not noticed within 20 s are killed too, as a
    machine that goes down takes them all)."""
    import psutil

    workers = psutil.Process(raylet).children(recursive=True)
    os.kill(raylet, signal.SIGKILL)
    _, alive = psutil.wait_procs(workers, timeout=20)
    for proc in alive:
        proc.kill()


def _ray_start(args: List[str], env: Dict[str, str], on_failure: Callable[[], Any]) -> None:
    """``ray start ...``, tried once more (after ``on_failure()``) when a loaded machine makes it time out."""
    for attempt in (1, 2):
        done = subprocess.run(["ray", "start", *args], env=env, capture_output=True, text=True, timeout=400)
        if done.returncode == 0:
            return
        if attempt == 2:
            raise RuntimeError(f"ray start {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        on_failure()
        time.sleep(3)


def _stop(temp: Path) -> None:
    """Kill this cluster's processes (and only them), by pid."""
    for proc in _processes_of(temp):
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def two_nodes() -> Iterator[Tuple[str, Path, Dict[str, str]]]:
    """``(address, temp dir, environment for drivers)`` of a head node and a second node (resource "node2")."""
    pytest.importorskip("ray", reason='Ray is not installed: pip install "pyautogen[ray]"')
    pytest.importorskip("psutil")
    temp = Path(tempfile.mkdtemp(prefix="rh20", dir="/tmp"))  # short: Ray's socket paths must stay short
    env = {
        **os.environ,
        "RAY_AUTH_MODE": "token",  # Ray 2.60 wants a token between the nodes (and from drivers)
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_raylet_start_wait_time_s": "120",
        "RAY_health_check_period_ms": "1000",  # a lost node is noticed in seconds
        "RAY_health_check_failure_threshold": "3",
    }
    if not (Path.home() / ".ray" / "auth_token").exists():
        subprocess.run(["ray", "get-auth-token", "--generate"], env=env, check=True, capture_output=True)
    port = _free_port()
    common = ["--num-cpus=1", "--disable-usage-stats", "--node-ip-address=127.0.0.1", f"--temp-dir={temp}"]
    try:
        # a head that failed to start is stopped whole before the next try (its GCS would refuse a new session)
        _ray_start(["--head", f"--port={port}", "--include-dashboard=false", *common], env, lambda: _stop(temp))
        second = [f"--address=127.0.0.1:{port}", f"--resources={json.dumps({'node2': 1})}", *common]
        _ray_start(second, env, lambda: None)
        yield f"127.0.0.1:{port}", temp, env
    finally:
        _stop(temp)


def test_losing_a_node_loses_no_chat(
    two_nodes: Tuple[str, Path, Dict[str, str]], llm_server: LLMServer, redis_url: str, tmp_path: Path
) -> None:
    address, temp, env = two_nodes
    raylet = _raylet_of(temp, "node2")
    # the 12 chats of the batch get their first answer (checkpointed) and ask "thanks": once all 12 wait, the second
    # node's raylet is killed, with its worker and the chats on it
    llm_server.responder = Gate(hold="thanks", count=12, on_full=lambda: _lose_node(raylet))
    report = tmp_path / "report.json"
    args = [address, llm_server.base_url, redis_url, f"h20-two-nodes-{os.getpid()}", str(report)]
    done = subprocess.run(
        [sys.executable, str(HERE / "two_node_driver.py"), *args], env=env, capture_output=True, text=True, timeout=800
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(report.read_text())

    assert seen["up"] == 2 and len(seen["nodes"]) == 2
    second = next(n["id"] for n in seen["nodes"] if n["node2"])
    all_nodes = {n["id"] for n in seen["nodes"]}
    assert {w["node"] for w in seen["workers"]} == all_nodes  # one worker on each node
    assert all(o["ok"] for o in seen["spread"]) and {o["node"] for o in seen["spread"]} == all_nodes

    batch = seen["batch"]
    assert sorted(o["index"] for o in batch) == list(range(12))  # every chat accounted for
    assert [o["ok"] for o in batch] == [True] * 12, [o["error"] for o in batch]
    retried = [o for o in batch if o["attempts"] == 2]
    assert 0 < len(retried) < 12  # the second node's chats, and only those
    assert all(o["node"] != second for o in batch)  # they all ended on the head node
    assert second not in seen["alive_after"]
    assert seen["statuses"] == ["finished"] * 12
    for o in batch:
        i = o["index"]
        assert o["history"] == [f"question {i}", f"echo: question {i}", "thanks", "echo: thanks"]
    asked = Counter(last_user_content(b) for b in llm_server.chat_requests())
    assert all(asked[f"question {i}"] == 1 for i in range(12))  # continued from the checkpoints, not restarted
    assert asked["thanks"] == 12 + len(retried)

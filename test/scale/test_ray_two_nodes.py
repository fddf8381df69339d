"""Two Ray nodes on this machine (``ray start --head`` and a second ``ray start --address``): chats spread over
both, the second node's raylet killed mid-run, every chat accounted for and the lost ones continued on the head node
from their Redis checkpoints."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest
from chat_factories import two_agents
from gates import Gate
from llm_server import LLMServer, last_user_content

from autogen.scale import ChatSpec, RayChatPool, RetryPolicy, run_chats
from autogen.state import RedisStore

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


def _ray_start(args: List[str], env: dict[str, str]) -> None:
    """``ray start ...``, tried once more when a loaded machine makes it time out."""
    for attempt in (1, 2):
        done = subprocess.run(["ray", "start", *args], env=env, capture_output=True, text=True, timeout=400)
        if done.returncode == 0:
            return
        if attempt == 2:
            raise RuntimeError(f"ray start {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        time.sleep(3)


@pytest.fixture(scope="module")
def two_nodes() -> Iterator[Tuple[Any, Path]]:
    ray = pytest.importorskip("ray", reason='Ray is not installed: pip install "pyautogen[ray]"')
    pytest.importorskip("psutil")
    assert not ray.is_initialized()
    temp = Path(tempfile.mkdtemp(prefix="rh20", dir="/tmp"))  # short: Ray's socket paths must stay short
    saved = {key: os.environ.get(key) for key in ("RAY_AUTH_MODE",)}
    os.environ["RAY_AUTH_MODE"] = "token"  # Ray 2.60 wants a token between the nodes (and from this driver)
    env = {
        **os.environ,
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
        _ray_start(["--head", f"--port={port}", "--include-dashboard=false", *common], env)
        _ray_start([f"--address=127.0.0.1:{port}", f"--resources={json.dumps({'node2': 1})}", *common], env)
        paths = [str(HERE), str(HERE.parent.parent), os.environ.get("PYTHONPATH", "")]
        ray.init(
            address=f"127.0.0.1:{port}",
            log_to_driver=False,
            runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}},
        )
        yield ray, temp
    finally:
        ray.shutdown()
        for proc in _processes_of(temp):  # only this cluster's processes, by pid
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def spec(server: LLMServer, i: int, **extra: Any) -> ChatSpec:
    return ChatSpec(
        two_agents,
        message=f"question {i}",
        chat_kwargs={"max_turns": 2},
        factory_args={"base_url": server.base_url},
        chat_id=f"chat-{i}",
        **extra,
    )


def test_losing_a_node_loses_no_chat(two_nodes: Tuple[Any, Path], llm_server: LLMServer, redis_url: str) -> None:
    ray, temp = two_nodes
    alive = [n for n in ray.nodes() if n["Alive"]]
    assert len(alive) == 2
    second = next(n["NodeID"] for n in alive if "node2" in n["Resources"])
    with RayChatPool(workers=2, chats_per_worker=20) as pool:  # one CPU per worker: one worker on each node
        assert pool.wait_ready(timeout=400) == 2
        assert {w.where["node"] for w in pool.workers} == {n["NodeID"] for n in alive}

        spread = run_chats([spec(llm_server, i) for i in range(8)], backend="ray", ray_pool=pool, progress=False)
        assert all(o.ok for o in spread) and {o.node for o in spread} == {n["NodeID"] for n in alive}
        llm_server.reset()

        raylet = _raylet_of(temp, "node2")
        # all 12 chats got their first answer and wait on the second: then the second node goes
        llm_server.responder = Gate(hold="thanks", count=12, on_full=lambda: os.kill(raylet, signal.SIGKILL))
        stores = [RedisStore(redis_url, f"h20-two-nodes-{os.getpid()}-{i}") for i in range(12)]
        specs = [spec(llm_server, i, checkpoint=stores[i]) for i in range(12)]
        batch = run_chats(specs, backend="ray", ray_pool=pool, retry=RetryPolicy(max_attempts=2), progress=False)

    assert sorted(o.index for o in batch) == list(range(12))  # every chat accounted for
    assert [o.ok for o in batch] == [True] * 12, [o.error for o in batch.failures]
    retried = [o for o in batch if o.attempts == 2]
    assert 0 < len(retried) < 12  # the second node's chats, and only those
    assert all(o.node != second for o in batch)  # they all ended on the head node
    assert not any(n["Alive"] for n in ray.nodes() if n["NodeID"] == second)
    for o in batch:
        assert [m["content"] for m in o.result.chat_history] == [
            f"question {o.index}",
            f"echo: question {o.index}",
            "thanks",
            "echo: thanks",
        ]
    asked = Counter(last_user_content(b) for b in llm_server.chat_requests())
    assert all(asked[f"question {i}"] == 1 for i in range(12))  # continued from the checkpoints, not restarted
    assert asked["thanks"] == 12 + len(retried)
    for store in stores:
        store.delete()

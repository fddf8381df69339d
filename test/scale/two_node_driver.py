"""The driver program of the two-node test, run as its own process (as a user's program would be): Ray reads
``RAY_AUTH_MODE`` once per process, so a driver for a token-protected cluster starts with it set.

argv: cluster address, LLM server base URL, Redis URL, key prefix, a file to write the report to (JSON).
The test's LLM server kills the second node mid-run; this program only runs the chats and reports.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from chat_factories import two_agents

from autogen.scale import ChatSpec, RayChatPool, RetryPolicy, run_chats
from autogen.state import RedisStore


def spec(base_url: str, i: int, turns: int = 2, **extra: object) -> ChatSpec:
    return ChatSpec(
        two_agents,
        message=f"question {i}",
        chat_kwargs={"max_turns": turns},
        factory_args={"base_url": base_url},
        chat_id=f"chat-{i}",
        **extra,  # type: ignore[arg-type]
    )


def main() -> None:
    address, base_url, redis_url, prefix, report = sys.argv[1:6]
    here = Path(__file__).parent
    paths = [str(here), str(here.parent.parent), os.environ.get("PYTHONPATH", "")]
    init = {"runtime_env": {"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}}}
    with RayChatPool(address=address, workers=2, chats_per_worker=20, init_options=init) as pool:
        import ray

        up = pool.wait_ready(timeout=400)
        nodes = [{"id": n["NodeID"], "node2": "node2" in n["Resources"]} for n in ray.nodes() if n["Alive"]]
        workers = [w.where for w in pool.workers]
        # one turn each: these never ask "thanks", so the test's gate lets them through
        spread = run_chats([spec(base_url, 100 + i, 1) for i in range(8)], backend="ray", ray_pool=pool, progress=False)
        stores = [RedisStore(redis_url, f"{prefix}-{i}") for i in range(12)]
        specs = [spec(base_url, i, checkpoint=stores[i]) for i in range(12)]
        batch = run_chats(specs, backend="ray", ray_pool=pool, retry=RetryPolicy(max_attempts=2), progress=False)
        statuses = [store.load()["status"] for store in stores]
        for store in stores:
            store.delete()
        alive_after = [n["NodeID"] for n in ray.nodes() if n["Alive"]]

    def row(o: object) -> dict:
        result = getattr(o, "result", None)
        history = [m["content"] for m in result.chat_history] if result is not None else None
        return {k: getattr(o, k) for k in ("index", "ok", "attempts", "node", "worker", "error")} | {"history": history}

    Path(report).write_text(
        json.dumps(
            {
                "up": up,
                "nodes": nodes,
                "workers": workers,
                "spread": [row(o) for o in spread],
                "batch": [row(o) for o in batch],
                "statuses": statuses,
                "alive_after": alive_after,
            }
        )
    )


if __name__ == "__main__":
    main()

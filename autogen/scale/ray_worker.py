"""What runs inside a Ray worker: an async actor that runs many chats at once on its own event loop.

Each call of :meth:`ChatWorker.run` is one chat, driven by the local back end's async driver (``chat_flow`` under
``run_async``); Ray runs up to the actor's ``max_concurrency`` calls at once on the actor's loop, so one worker
process holds as many chats waiting on the model as its ``chats_per_worker``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import socket
from typing import Any, Dict, Optional

from .._flow import run_async
from .outcome import ChatOutcome
from .retry import RetryPolicy
from .runner import chat_flow
from .spec import ChatSpec

__all__ = ["ChatWorker"]


class ChatWorker:
    """Runs chats for the driver; ``threads`` is the size of its pool for sync tools and code execution."""

    def __init__(self, threads: int = 32) -> None:
        import ray

        self.node: str = ray.get_runtime_context().get_node_id()
        self.pid = os.getpid()
        self.name = f"{socket.gethostname()}:{self.pid}"
        self.threads = threads
        self._pool: Optional[concurrent.futures.ThreadPoolExecutor] = None

    def where(self) -> Dict[str, Any]:
        """``{"node": ray node id, "worker": "host:pid", "pid": pid}`` of this worker (also: it is up)."""
        return {"node": self.node, "worker": self.name, "pid": self.pid}

    async def run(
        self, index: int, spec: ChatSpec, policy: RetryPolicy, quiet: bool, first_attempt: int
    ) -> ChatOutcome:
        """One chat, attempts numbered from ``first_attempt``; the outcome says where it ran."""
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(self.threads, thread_name_prefix="autogen-chat-worker")
            asyncio.get_running_loop().set_default_executor(self._pool)
        outcome: ChatOutcome = await run_async(chat_flow(spec, index, policy, quiet, first_attempt))
        outcome.node = self.node
        outcome.worker = self.name
        return outcome

"""The local back end: every chat of the batch is an asyncio task in this process.

LLM calls use the async openai client, so hundreds of chats wait on the model at once in one thread. Sync-only
tools, code execution and custom model clients run in worker threads; the batch gives its event loop a thread pool
as large as its concurrency, so they do not queue behind the default pool's few threads.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from typing import Any, List, Optional, Sequence

from .._flow import run_async
from .outcome import BatchResult, ChatOutcome
from .progress import ProgressReporter
from .retry import RetryPolicy
from .runner import chat_flow
from .spec import ChatSpec

__all__ = ["run_local"]


async def run_local(
    specs: Sequence[ChatSpec],
    max_concurrency: Optional[int],
    policy: RetryPolicy,
    reporter: ProgressReporter,
    quiet: bool,
    own_loop: bool = False,
) -> BatchResult:
    """Run the chats concurrently (at most ``max_concurrency`` at a time; None: all at once)."""
    start = time.perf_counter()
    limit = asyncio.Semaphore(max_concurrency) if max_concurrency else None
    pool: Optional[concurrent.futures.ThreadPoolExecutor] = None
    if own_loop:
        workers = max(8, min(256, max_concurrency or len(specs)))
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="autogen-run-chats")
        asyncio.get_running_loop().set_default_executor(pool)

    async def one(index: int, spec: ChatSpec) -> ChatOutcome:
        if limit is None:
            outcome = await run_async(chat_flow(spec, index, policy, quiet))
        else:
            async with limit:
                outcome = await run_async(chat_flow(spec, index, policy, quiet))
        reporter.update(outcome)
        return outcome

    outcomes: List[Any] = await asyncio.gather(*(one(i, spec) for i, spec in enumerate(specs)))
    return BatchResult(outcomes=list(outcomes), duration=time.perf_counter() - start)

"""How Studio keeps blocking work (the SQL store, files, key encryption, agent runs) off the asyncio event loop.

One rule for the whole app:

- a route that awaits nothing is a plain ``def``: FastAPI runs it in AnyIO's worker threads;
- a route that must stay ``async`` (a websocket; a run whose events stream to listeners) awaits
  :func:`off_loop` for each blocking step;
- a workflow run, which may last minutes (and wait for a person), awaits :func:`run_long`: it gets a worker thread
  outside the pool the plain routes share, so that running sessions never starve the API.

Only pure computation on small inputs (validation, a graph check) stays on the loop.
"""

from __future__ import annotations

import math
from typing import Callable, TypeVar

from anyio import CapacityLimiter, to_thread
from starlette.concurrency import run_in_threadpool

T = TypeVar("T")

# runs are already one per session; the limiter only keeps them out of the request pool (which is 40 threads)
_RUNS = CapacityLimiter(math.inf)

__all__ = ["off_loop", "run_long"]


async def off_loop(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    """``fn(*args, **kwargs)`` in a worker thread of the pool plain ``def`` routes use."""
    return await run_in_threadpool(fn, *args, **kwargs)


async def run_long(fn: Callable[..., T], *args: object) -> T:
    """``fn(*args)`` in a worker thread that does not count against the routes' pool (for workflow runs)."""
    return await to_thread.run_sync(fn, *args, limiter=_RUNS)

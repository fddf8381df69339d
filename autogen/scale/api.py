"""``run_chats`` / ``a_run_chats`` / ``iter_chats``: the entry points over the back ends."""

from __future__ import annotations

import asyncio
from collections.abc import Sized
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Literal, Optional, Union

from .._flow import run_coroutine_sync
from .outcome import BatchResult, ChatOutcome
from .progress import ProgressCallback, ProgressReporter, make_reporter
from .retry import RetryPolicy, as_retry_policy
from .spec import ChatSpec, as_spec

if TYPE_CHECKING:
    from .ray_backend import RayChatPool

__all__ = ["BACKENDS", "a_run_chats", "iter_chats", "run_chats"]

BACKENDS = ("local", "ray")


def _specs(chat_specs: Iterable[Union[ChatSpec, Dict[str, Any]]]) -> list[ChatSpec]:
    return [as_spec(index, spec) for index, spec in enumerate(chat_specs)]


def _check(backend: str, max_concurrency: Optional[int]) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}: use one of {list(BACKENDS)}.")
    if max_concurrency is not None and max_concurrency < 1:
        raise ValueError(f"max_concurrency must be None (no limit) or 1 or more, got {max_concurrency}.")


def _ray_outcomes(
    specs: Iterable[Any],
    pool: Optional[RayChatPool],
    ordered: bool,
    max_concurrency: Optional[int],
    policy: RetryPolicy,
    reporter: ProgressReporter,
    quiet: bool,
    address: Optional[str],
    ray_options: Optional[Dict[str, Any]],
    chats_per_worker: Optional[int],
) -> Iterator[ChatOutcome]:
    """The outcomes from ``pool``, or from a pool made for this batch (stopped when the iteration ends)."""
    from .ray_backend import RayChatPool

    own = pool is None
    if pool is None:
        pool = RayChatPool(address, chats_per_worker=chats_per_worker, ray_options=ray_options)
    drive = pool.iter_chats(specs, policy, max_concurrency, ordered, quiet, reporter)
    try:
        yield from drive
    finally:
        drive.close()
        if own:
            pool.close()


def _run_ray(specs: List[ChatSpec], pool: Optional[RayChatPool], *args: Any) -> BatchResult:
    import time

    start = time.perf_counter()
    outcomes: List[Optional[ChatOutcome]] = [None] * len(specs)
    for outcome in _ray_outcomes(specs, pool, False, *args):
        outcomes[outcome.index] = outcome
    return BatchResult(outcomes=[o for o in outcomes if o is not None], duration=time.perf_counter() - start)


def run_chats(
    chat_specs: Iterable[Union[ChatSpec, Dict[str, Any]]],
    backend: Literal["local", "ray"] = "local",
    max_concurrency: Optional[int] = None,
    address: Optional[str] = None,
    retry: Union[RetryPolicy, int, None] = None,
    progress: Union[bool, ProgressCallback, None] = None,
    quiet: bool = True,
    ray_options: Optional[Dict[str, Any]] = None,
    chats_per_worker: Optional[int] = None,
    ray_pool: Optional[RayChatPool] = None,
) -> BatchResult:
    """Run independent chats concurrently and gather their outcomes, in the order of ``chat_specs``.

    Args:
        chat_specs: :class:`ChatSpec` items, or dicts of their fields (how to build each chat's agents, its message
            and ``initiate_chat`` arguments).
        backend: ``"local"`` (asyncio tasks in this process) or ``"ray"`` (Ray workers, many chats each).
        max_concurrency: the most chats running at once, across the cluster on Ray (None: all of them locally;
            every worker full on Ray).
        address: Ray only: the cluster to connect to ("auto" for a running one, "ray://head:10001" for a remote
            one); None starts a local cluster unless Ray is already initialised (shut down after the batch).
        retry: a :class:`RetryPolicy` or a number of attempts per chat (default: 1, no retry). On Ray, a chat whose
            worker died counts the attempt it was on and runs again elsewhere if the policy allows.
        progress: None (a bar on stderr when it is a terminal), True (always a bar), False (nothing) or a callable
            receiving a :class:`~autogen.scale.progress.Progress` after each chat.
        quiet: silence the chats' printing (and refuse human input, which a batch cannot answer).
        ray_options: Ray only: ``.options()`` of the worker actors (default ``{"num_cpus": 1}``: one worker per CPU).
        chats_per_worker: Ray only: how many chats one worker runs at once (default 200).
        ray_pool: Ray only: a :class:`~autogen.scale.ray_backend.RayChatPool` to run on (its workers stay up after
            the batch); by default a pool is made for the batch and stopped after it.

    A chat that fails is reported in its :class:`ChatOutcome` (``error``, ``traceback``, ``attempts``; on Ray also
    ``node`` and ``worker``); the others go on. Usable from sync code and from a running event loop (then it runs
    on a helper thread; prefer ``await a_run_chats(...)`` there). For very large batches, :func:`iter_chats` hands
    the outcomes over one by one instead of keeping them all.
    """
    specs = _specs(chat_specs)
    _check(backend, max_concurrency)
    policy = as_retry_policy(retry)
    reporter = make_reporter(progress, len(specs))
    if backend == "ray":
        return _run_ray(
            specs, ray_pool, max_concurrency, policy, reporter, quiet, address, ray_options, chats_per_worker
        )
    from .local import run_local

    return run_coroutine_sync(run_local(specs, max_concurrency, policy, reporter, quiet, own_loop=True))  # type: ignore[no-any-return]


def iter_chats(
    chat_specs: Iterable[Union[ChatSpec, Dict[str, Any]]],
    backend: Literal["ray"] = "ray",
    ordered: bool = True,
    max_concurrency: Optional[int] = None,
    address: Optional[str] = None,
    retry: Union[RetryPolicy, int, None] = None,
    progress: Union[bool, ProgressCallback, None] = None,
    quiet: bool = True,
    ray_options: Optional[Dict[str, Any]] = None,
    chats_per_worker: Optional[int] = None,
    ray_pool: Optional[RayChatPool] = None,
) -> Iterator[ChatOutcome]:
    """:func:`run_chats` as a stream, for batches too large to hold: the specs are read as the workers take them
    (a generator works), and the outcomes come back one at a time, in spec order (``ordered=True``; at most a
    window of twice the in-flight chats is held back) or as they complete (``ordered=False``). Ray only.

    The workers stop when the iteration ends (or the iterator is closed), unless they are ``ray_pool``'s.
    """
    if backend != "ray":
        raise ValueError(
            f"iter_chats streams from the Ray back end only, got backend={backend!r}; in this process use "
            "run_chats(..., backend='local') or await a_run_chats(...)."
        )
    _check(backend, max_concurrency)
    policy = as_retry_policy(retry)
    total = len(chat_specs) if isinstance(chat_specs, Sized) else 0
    reporter = make_reporter(progress, total)
    return _ray_outcomes(
        chat_specs, ray_pool, ordered, max_concurrency, policy, reporter, quiet, address, ray_options, chats_per_worker
    )


async def a_run_chats(
    chat_specs: Iterable[Union[ChatSpec, Dict[str, Any]]],
    backend: Literal["local", "ray"] = "local",
    max_concurrency: Optional[int] = None,
    address: Optional[str] = None,
    retry: Union[RetryPolicy, int, None] = None,
    progress: Union[bool, ProgressCallback, None] = None,
    quiet: bool = True,
    ray_options: Optional[Dict[str, Any]] = None,
    chats_per_worker: Optional[int] = None,
    ray_pool: Optional[RayChatPool] = None,
) -> BatchResult:
    """:func:`run_chats` for asyncio: the local back end runs on the caller's event loop; Ray waits in a thread."""
    specs = _specs(chat_specs)
    _check(backend, max_concurrency)
    policy = as_retry_policy(retry)
    reporter = make_reporter(progress, len(specs))
    if backend == "ray":
        args = (max_concurrency, policy, reporter, quiet, address, ray_options, chats_per_worker)
        return await asyncio.to_thread(_run_ray, specs, ray_pool, *args)
    from .local import run_local

    return await run_local(specs, max_concurrency, policy, reporter, quiet)

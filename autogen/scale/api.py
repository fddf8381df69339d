"""``run_chats`` / ``a_run_chats``: the one entry point over the back ends."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Iterable, Literal, Optional, Union

from .._flow import run_coroutine_sync
from .outcome import BatchResult
from .progress import ProgressCallback, make_reporter
from .retry import RetryPolicy, as_retry_policy
from .spec import ChatSpec

__all__ = ["BACKENDS", "a_run_chats", "run_chats"]

BACKENDS = ("local", "ray")


def _specs(chat_specs: Iterable[Union[ChatSpec, Dict[str, Any]]]) -> list[ChatSpec]:
    """The specs as ChatSpec objects (a dict of ChatSpec fields is accepted too)."""
    specs = []
    for index, spec in enumerate(chat_specs):
        if isinstance(spec, dict):
            if "factory" not in spec:
                raise TypeError(f"chat_specs[{index}] has no 'factory' (the function that builds the chat's agents).")
            spec = ChatSpec(**spec)
        if not isinstance(spec, ChatSpec):
            raise TypeError(
                f"chat_specs[{index}] must be a ChatSpec (or a dict of its fields), got {type(spec).__name__}."
            )
        specs.append(spec)
    return specs


def _check(backend: str, max_concurrency: Optional[int]) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}: use one of {list(BACKENDS)}.")
    if max_concurrency is not None and max_concurrency < 1:
        raise ValueError(f"max_concurrency must be None (no limit) or 1 or more, got {max_concurrency}.")


def run_chats(
    chat_specs: Iterable[Union[ChatSpec, Dict[str, Any]]],
    backend: Literal["local", "ray"] = "local",
    max_concurrency: Optional[int] = None,
    address: Optional[str] = None,
    retry: Union[RetryPolicy, int, None] = None,
    progress: Union[bool, ProgressCallback, None] = None,
    quiet: bool = True,
    ray_options: Optional[Dict[str, Any]] = None,
) -> BatchResult:
    """Run independent chats concurrently and gather their outcomes, in the order of ``chat_specs``.

    Args:
        chat_specs: :class:`ChatSpec` items, or dicts of their fields (how to build each chat's agents, its message
            and ``initiate_chat`` arguments).
        backend: ``"local"`` (asyncio tasks in this process) or ``"ray"`` (one Ray task per chat).
        max_concurrency: the most chats running at once (None: all of them locally; all submitted on Ray).
        address: Ray only: the cluster to connect to ("auto" for a running one); None starts a local cluster unless
            Ray is already initialised.
        retry: a :class:`RetryPolicy` or a number of attempts per chat (default: 1, no retry).
        progress: None (a bar on stderr when it is a terminal), True (always a bar), False (nothing) or a callable
            receiving a :class:`~autogen.scale.progress.Progress` after each chat.
        quiet: silence the chats' printing (and refuse human input, which a batch cannot answer).
        ray_options: Ray only: ``.options()`` of the tasks (default ``{"num_cpus": 1}``).

    A chat that fails is reported in its :class:`ChatOutcome` (``error``, ``traceback``, ``attempts``); the others
    go on. Usable from sync code and from a running event loop (then it runs on a helper thread; prefer
    ``await a_run_chats(...)`` there).
    """
    specs = _specs(chat_specs)
    _check(backend, max_concurrency)
    policy = as_retry_policy(retry)
    reporter = make_reporter(progress, len(specs))
    if backend == "ray":
        from .ray_backend import run_ray

        return run_ray(specs, max_concurrency, policy, reporter, quiet, address, ray_options)
    from .local import run_local

    return run_coroutine_sync(run_local(specs, max_concurrency, policy, reporter, quiet, own_loop=True))  # type: ignore[no-any-return]


async def a_run_chats(
    chat_specs: Iterable[Union[ChatSpec, Dict[str, Any]]],
    backend: Literal["local", "ray"] = "local",
    max_concurrency: Optional[int] = None,
    address: Optional[str] = None,
    retry: Union[RetryPolicy, int, None] = None,
    progress: Union[bool, ProgressCallback, None] = None,
    quiet: bool = True,
    ray_options: Optional[Dict[str, Any]] = None,
) -> BatchResult:
    """:func:`run_chats` for asyncio: the local back end runs on the caller's event loop; Ray waits in a thread."""
    specs = _specs(chat_specs)
    _check(backend, max_concurrency)
    policy = as_retry_policy(retry)
    reporter = make_reporter(progress, len(specs))
    if backend == "ray":
        from .ray_backend import run_ray

        return await asyncio.to_thread(run_ray, specs, max_concurrency, policy, reporter, quiet, address, ray_options)
    from .local import run_local

    return await run_local(specs, max_concurrency, policy, reporter, quiet)

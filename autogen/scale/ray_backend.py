"""The Ray back end: every chat of the batch is a Ray task, on an existing cluster or a local one.

Needs the ``ray`` extra (``pip install "pyautogen[ray]"``); ray is imported only when this back end is used. The
chat runs in the worker with the blocking driver; its agents are built there by the spec's factory (which workers
must be able to import), its cache opened there (give a Redis ``cache`` config to share LLM answers between
machines). Retries of a failed chat happen inside its task; a task lost with its worker is resubmitted by Ray.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Sequence

from .outcome import BatchResult, ChatOutcome
from .progress import ProgressReporter
from .retry import RetryPolicy
from .runner import run_chat_sync
from .spec import ChatSpec

__all__ = ["import_ray", "run_ray"]

DEFAULT_TASK_OPTIONS: Dict[str, Any] = {"num_cpus": 1}


def import_ray() -> Any:
    try:
        import ray
    except ImportError as err:
        raise ImportError('The "ray" back end of run_chats needs Ray: pip install "pyautogen[ray]"') from err
    return ray


def _chat_task(spec: ChatSpec, index: int, policy: RetryPolicy, quiet: bool) -> ChatOutcome:
    return run_chat_sync(spec, index, policy, quiet)


def run_ray(
    specs: Sequence[ChatSpec],
    max_concurrency: Optional[int],
    policy: RetryPolicy,
    reporter: ProgressReporter,
    quiet: bool,
    address: Optional[str] = None,
    ray_options: Optional[Dict[str, Any]] = None,
) -> BatchResult:
    """Submit the chats as Ray tasks (at most ``max_concurrency`` in flight) and gather their outcomes.

    Connects to the cluster at ``address`` ("auto": the running one) unless Ray is already initialised; with no
    address and no cluster, starts a local one.
    """
    ray = import_ray()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    options = {**DEFAULT_TASK_OPTIONS, "max_retries": policy.max_attempts - 1, **(ray_options or {})}
    task = ray.remote(_chat_task).options(**options)
    start = time.perf_counter()
    outcomes: List[Optional[ChatOutcome]] = [None] * len(specs)
    pending: Dict[Any, int] = {}
    queue = list(enumerate(specs))
    queue.reverse()
    limit = max_concurrency or len(specs)
    while queue or pending:
        while queue and len(pending) < limit:
            index, spec = queue.pop()
            pending[task.remote(spec, index, policy, quiet)] = index
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            index = pending.pop(ref)
            try:
                outcome = ray.get(ref)
            except Exception as error:  # the task itself failed (worker lost, unpicklable spec, ...)
                spec = specs[index]
                chat_id = index if spec.chat_id is None else spec.chat_id
                outcome = ChatOutcome.failure(index, chat_id, error, policy.max_attempts, 0.0)
            outcomes[index] = outcome
            reporter.update(outcome)
    return BatchResult(outcomes=[o for o in outcomes if o is not None], duration=time.perf_counter() - start)

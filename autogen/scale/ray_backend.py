"""The Ray back end: a pool of async actors, each running many chats at once, fed by a streaming driver.

Chats spend nearly all their time waiting on the model, so a worker process holds ``chats_per_worker`` of them on
its event loop (see :mod:`autogen.scale.ray_worker`). The driver reads the specs lazily, keeps at most
``max_concurrency`` chats in flight across the cluster, and hands outcomes back as they come (``ordered=False``) or
in spec order (``ordered=True``, holding at most one window of early outcomes): a batch of 100k specs never sits in
the driver's memory at once.

A worker that dies (its process killed, its node lost) loses no chat: each of its chats counts the attempt it was on
and, when the retry policy allows another one, runs again on another worker, from its checkpoint when the spec has
one. A replacement worker is started; it joins when the cluster has room for it.

Needs the ``ray`` extra (``pip install "pyautogen[ray]"``); ray is imported only when this back end is used.
"""

from __future__ import annotations

import collections
import math
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, Iterable, Iterator, List, Optional, Tuple

from .._optional import import_optional
from .outcome import ChatOutcome
from .progress import ProgressReporter
from .retry import RetryPolicy
from .spec import ChatSpec

__all__ = ["DEFAULT_CHATS_PER_WORKER", "RayChatPool", "WorkerLostError", "connect_ray", "import_ray"]

DEFAULT_CHATS_PER_WORKER = 200
DEFAULT_WORKER_OPTIONS: Dict[str, Any] = {"num_cpus": 1}
MAX_FAILED_STARTS = 5


class WorkerLostError(RuntimeError):
    """The Ray worker running a chat died (process killed, node lost) before the chat ended."""


def import_ray() -> Any:
    return import_optional("ray", package="ray", extra="ray", feature='The "ray" back end of run_chats')


def connect_ray(address: Optional[str], init_options: Optional[Dict[str, Any]] = None) -> Any:
    """Ray, connected to the cluster at ``address`` ("auto": the running one; None: the local one running, else a new
    local one) unless it is initialised already. A start that fails (a loaded machine can be slow to start a node) is
    tried once more."""
    ray = import_ray()
    if ray.is_initialized():
        return ray
    os.environ.setdefault("RAY_raylet_start_wait_time_s", "120")
    options = {"include_dashboard": False, "log_to_driver": False, **(init_options or {})}
    try:
        ray.init(address=address, **options)
    except Exception:
        ray.shutdown()
        time.sleep(2)
        ray.init(address=address, **options)
    return ray


def _gcs_address(ray: Any) -> Optional[str]:
    try:
        return str(ray.get_runtime_context().gcs_address)
    except Exception:  # not connected
        return None


class _LocalCluster:
    """The local Ray cluster our pools started (when none was running): shut down when the last pool using it
    closes, so its processes and the driver's descriptors are given back. A cluster the user started (``ray.init``,
    ``ray start``) or one at an address is only connected to, and left running."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._address: Optional[str] = None  # the GCS address of the cluster we started, while it runs
        self._users = 0

    def connect(self, address: Optional[str], init_options: Optional[Dict[str, Any]]) -> Tuple[Any, bool]:
        """``(ray, whether the caller is a user of a cluster we started)``; a user must :meth:`release` it."""
        with self._lock:
            ray = import_ray()
            was_running = ray.is_initialized()
            connect_ray(address, init_options)
            current = _gcs_address(ray)
            if not was_running and _started_here(ray):
                self._address, self._users = current, 0
            if current is None or current != self._address:
                return ray, False
            self._users += 1
            return ray, True

    def release(self, ray: Any) -> None:
        """One pool is done with our cluster; the last one shuts it down (if it still is the one Ray runs)."""
        with self._lock:
            self._users -= 1
            if self._users > 0:
                return
            ours, self._address = self._address, None
            if ray.is_initialized() and _gcs_address(ray) == ours:
                ray.shutdown()


def _started_here(ray: Any) -> bool:
    """Whether this process started the Ray node it is connected to (ray.init without a running cluster), rather
    than connecting to one (Ray tells the two apart only by its driver's node being the head it launched)."""
    node = getattr(getattr(getattr(ray, "_private", None), "worker", None), "_global_node", None)
    try:
        return bool(node is not None and node.is_head())
    except Exception:
        return False


_local_cluster = _LocalCluster()


@dataclass
class _Worker:
    handle: Any
    ready_ref: Any
    up: bool = False
    in_flight: int = 0
    where: Dict[str, Any] = field(default_factory=dict)


@dataclass
class _Chat:
    index: int
    spec: ChatSpec
    attempt: int
    start: float


class RayChatPool:
    """Chat workers (Ray async actors) on a cluster; run batches with :meth:`iter_chats` / :meth:`run_chats`.

    Args:
        address: the cluster ("ray://head:10001", "auto", or None for a new local one) unless Ray is initialised.
        workers: how many worker processes (default: the cluster's CPUs divided by the CPUs of one worker).
        chats_per_worker: chats one worker runs at once on its event loop (default 200).
        ray_options: the actors' ``.options()`` (default ``{"num_cpus": 1}``; e.g. ``{"resources": {...}}``,
            ``{"runtime_env": {...}}``, ``{"scheduling_strategy": "SPREAD"}``).
        init_options: ``ray.init`` keyword arguments when this pool connects (``runtime_env``, ``namespace``, ...).

    The workers stay up between batches (they import autogen and open their HTTP connections once); ``close()``, or
    leaving the ``with`` block, stops them. A local cluster this pool started (``address=None`` and no cluster
    running) is shut down with the last pool using it; a cluster the pool connected to keeps running.
    """

    _uses_local_cluster = False

    def __init__(
        self,
        address: Optional[str] = None,
        workers: Optional[int] = None,
        chats_per_worker: Optional[int] = None,
        ray_options: Optional[Dict[str, Any]] = None,
        init_options: Optional[Dict[str, Any]] = None,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be None (one per CPU of the cluster) or 1 or more, got {workers}.")
        if chats_per_worker is not None and chats_per_worker < 1:
            raise ValueError(f"chats_per_worker must be 1 or more, got {chats_per_worker}.")
        self.ray, self._uses_local_cluster = _local_cluster.connect(address, init_options)
        try:
            self._start(workers, chats_per_worker, ray_options)
        except BaseException:
            self.close()
            raise

    def _start(
        self, workers: Optional[int], chats_per_worker: Optional[int], ray_options: Optional[Dict[str, Any]]
    ) -> None:
        from .ray_worker import ChatWorker

        self.chats_per_worker = chats_per_worker or DEFAULT_CHATS_PER_WORKER
        self.options = {**DEFAULT_WORKER_OPTIONS, **(ray_options or {})}
        self.options["max_concurrency"] = self.chats_per_worker
        self.options.setdefault("max_restarts", 0)
        self._actor_class = self.ray.remote(ChatWorker)
        if workers is None:
            cpus = float(self.ray.cluster_resources().get("CPU", 1))
            per_worker = float(self.options.get("num_cpus") or 0)
            workers = max(1, int(cpus // per_worker) if per_worker > 0 else int(cpus))
        self.size = workers
        self.workers: List[_Worker] = []
        self.failed_starts = 0
        for _ in range(workers):
            self._start_worker()

    # ------------------------------------------------------------------ workers
    def _start_worker(self) -> None:
        threads = max(8, min(256, self.chats_per_worker))
        handle = self._actor_class.options(**self.options).remote(threads)
        self.workers.append(_Worker(handle, handle.where.remote()))

    def _drop(self, worker: _Worker) -> None:
        if worker in self.workers:
            self.workers.remove(worker)
            try:
                self.ray.kill(worker.handle, no_restart=True)
            except Exception:  # already gone
                pass

    def wait_ready(self, timeout: Optional[float] = None) -> int:
        """Wait until every worker is up (or ``timeout`` seconds); returns how many are up."""
        starting = {w.ready_ref: w for w in self.workers if not w.up}
        if starting:
            ready, _ = self.ray.wait(list(starting), num_returns=len(starting), timeout=timeout)
            for ref in ready:
                self._worker_started(starting[ref], ref)
        return sum(w.up for w in self.workers)

    def _worker_started(self, worker: _Worker, ref: Any) -> None:
        try:
            worker.where = self.ray.get(ref)
        except self.ray.exceptions.RayError as error:
            self._drop(worker)
            self.failed_starts += 1
            if self.failed_starts > MAX_FAILED_STARTS:
                raise RuntimeError(f"Ray chat workers keep failing to start: {error}") from error
            self._start_worker()
            return
        worker.up = True

    def _free_worker(self) -> Optional[_Worker]:
        best: Optional[_Worker] = None
        for worker in self.workers:
            if worker.up and worker.in_flight < self.chats_per_worker:
                if best is None or worker.in_flight < best.in_flight:
                    best = worker
        return best

    # ------------------------------------------------------------------ batches
    def iter_chats(
        self,
        specs: Iterable[Any],
        policy: Optional[RetryPolicy] = None,
        max_concurrency: Optional[int] = None,
        ordered: bool = True,
        quiet: bool = True,
        reporter: Optional[ProgressReporter] = None,
    ) -> _Drive:
        """The outcomes of ``specs`` (ChatSpecs or dicts, read lazily), in spec order or as they complete; see
        :func:`~autogen.scale.iter_chats`."""
        return _Drive(self, iter(enumerate(specs)), policy or RetryPolicy(), max_concurrency, ordered, quiet, reporter)

    def close(self) -> None:
        """Stop the workers; the last pool on a local cluster that a pool started shuts the cluster down. Closing
        twice does nothing."""
        for worker in list(getattr(self, "workers", ())):
            self._drop(worker)
        if self._uses_local_cluster:
            self._uses_local_cluster = False
            _local_cluster.release(self.ray)

    def __enter__(self) -> RayChatPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class _Drive:
    """The driver loop of one batch, as an iterator of outcomes."""

    def __init__(
        self,
        pool: RayChatPool,
        specs: Iterator[Tuple[int, Any]],
        policy: RetryPolicy,
        max_concurrency: Optional[int],
        ordered: bool,
        quiet: bool,
        reporter: Optional[ProgressReporter],
    ) -> None:
        self.pool = pool
        self.ray = pool.ray
        self.specs: Optional[Iterator[Tuple[int, Any]]] = specs
        self.policy = policy
        self.max_concurrency = max_concurrency or math.inf
        self.ordered = ordered
        self.quiet = quiet
        self.reporter = reporter
        self.pending: Dict[Any, Tuple[_Chat, _Worker]] = {}
        self.again: Deque[_Chat] = collections.deque()
        self.done: Deque[ChatOutcome] = collections.deque()
        self.early: Dict[int, ChatOutcome] = {}  # ordered: outcomes waiting for an earlier one
        self.next_out = 0
        self.submitted = 0

    def __iter__(self) -> Iterator[ChatOutcome]:
        return self

    def __next__(self) -> ChatOutcome:
        while True:
            outcome = self._ready_outcome()
            if outcome is not None:
                return outcome
            self._submit()
            if not self.pending:
                if self.specs is None and not self.again and not self.early:
                    raise StopIteration
                if not any(w.up for w in self.pool.workers) or not self.pool.workers:
                    self._wait_for_a_worker()
                    continue
            self._collect()

    def close(self) -> None:
        """Stop early: cancel the chats still running (their workers stay up for the next batch)."""
        for ref, (_, worker) in list(self.pending.items()):
            try:
                self.ray.cancel(ref)
            except Exception:  # finished or gone meanwhile
                pass
            worker.in_flight -= 1
        self.pending.clear()
        self.specs = None
        self.again.clear()

    def _ready_outcome(self) -> Optional[ChatOutcome]:
        if not self.ordered:
            return self.done.popleft() if self.done else None
        while self.done:
            outcome = self.done.popleft()
            self.early[outcome.index] = outcome
        if self.next_out not in self.early:
            return None
        self.next_out += 1
        return self.early.pop(self.next_out - 1)

    def _limit(self) -> float:
        capacity = sum(self.pool.chats_per_worker for w in self.pool.workers if w.up)
        return min(self.max_concurrency, capacity)

    def _next_chat(self) -> Optional[_Chat]:
        if self.again:
            return self.again.popleft()
        if self.specs is None:
            return None
        if self.ordered and self.submitted - self.next_out >= max(1.0, 2 * self._limit()):
            return None  # back-pressure: do not run far ahead of the outcome the caller waits for
        item = next(self.specs, None)
        if item is None:
            self.specs = None
            return None
        index, spec = item
        if not isinstance(spec, ChatSpec):
            raise TypeError(
                f"chat_specs[{index}] must be a ChatSpec (or a dict of its fields), got {type(spec).__name__}."
            )
        self.submitted += 1
        return _Chat(index, spec, 1, time.perf_counter())

    def _submit(self) -> None:
        while len(self.pending) < self._limit():
            worker = self.pool._free_worker()
            if worker is None:
                return
            chat = self._next_chat()
            if chat is None:
                return
            ref = worker.handle.run.remote(chat.index, chat.spec, self.policy, self.quiet, chat.attempt)
            worker.in_flight += 1
            self.pending[ref] = (chat, worker)

    def _wait_for_a_worker(self) -> None:
        if not self.pool.workers:
            self.pool._start_worker()
        starting = {w.ready_ref: w for w in self.pool.workers if not w.up}
        ready, _ = self.ray.wait(list(starting), num_returns=1)
        for ref in ready:
            self.pool._worker_started(starting[ref], ref)

    def _collect(self) -> None:
        starting = {w.ready_ref: w for w in self.pool.workers if not w.up}
        refs = list(self.pending) + list(starting)
        if not refs:
            raise RuntimeError("run_chats on Ray: no chat running and no worker starting, yet chats are left.")
        ready, rest = self.ray.wait(refs, num_returns=1)
        if rest:
            more, _ = self.ray.wait(rest, num_returns=len(rest), timeout=0)
            ready += more
        for ref in ready:
            if ref in starting:
                self.pool._worker_started(starting[ref], ref)
                continue
            chat, worker = self.pending.pop(ref)
            worker.in_flight -= 1
            try:
                outcome: ChatOutcome = self.ray.get(ref)
            except self.ray.exceptions.RayTaskError as error:  # the worker's code raised: no point retrying elsewhere
                outcome = self._failure(chat, worker, error)
            except self.ray.exceptions.RayError as error:  # the worker died (or is unreachable) with the chat
                self.pool._drop(worker)
                if len(self.pool.workers) < self.pool.size:
                    self.pool._start_worker()
                lost = WorkerLostError(f"the Ray worker {worker.where.get('worker', '?')} was lost: {error}")
                if self.policy.should_retry(lost, chat.attempt):
                    self.again.append(_Chat(chat.index, chat.spec, chat.attempt + 1, chat.start))
                    continue
                outcome = self._failure(chat, worker, lost)
            outcome.duration = time.perf_counter() - chat.start
            self._finish(outcome)

    def _failure(self, chat: _Chat, worker: _Worker, error: BaseException) -> ChatOutcome:
        chat_id = chat.index if chat.spec.chat_id is None else chat.spec.chat_id
        outcome = ChatOutcome.failure(chat.index, chat_id, error, chat.attempt, 0.0)
        outcome.node = worker.where.get("node")
        outcome.worker = worker.where.get("worker")
        return outcome

    def _finish(self, outcome: ChatOutcome) -> None:
        if self.reporter is not None:
            self.reporter.update(outcome)
        self.done.append(outcome)

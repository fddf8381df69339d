"""Where trials are scheduled: threads on this machine (``local``), or tasks on a Ray cluster (``ray``).

Both call ``on_done(job, record, error)`` in the calling thread as each trial ends, and both leave the results
folder in the same state: the Ray backend ships each prepared trial folder to its task as an archive and writes the
folder it gets back into the same place the local backend would have run it.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any, Callable, Optional

from .errors import BenchError
from .isolation import Isolation, stop_all
from .trial import TrialCancelled, TrialJob, pack_folder, run_packed_trial, run_trial, unpack_folder

__all__ = ["run_local", "run_ray", "OnDone"]

OnDone = Callable[[TrialJob, Optional[dict[str, Any]], Optional[BaseException]], None]
Prepare = Callable[[TrialJob], None]


def _labels(job: TrialJob) -> dict[str, Any]:
    return {"tasks_name": job.tasks_name, "task_id": job.task_id, "trial": job.trial}


def run_local(
    jobs: list[TrialJob],
    prepare: Prepare,
    isolation: Isolation,
    config_json: str,
    on_done: OnDone,
    parallel: int = 1,
) -> None:
    """Run the trials on this machine, ``parallel`` at a time. Ctrl-C stops every running trial."""

    def execute(job: TrialJob) -> dict[str, Any]:
        prepare(job)
        return run_trial(job.folder, isolation, config_json, backend="local", labels=_labels(job))

    pool = ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="autogenbench-trial")
    futures: dict[Future[dict[str, Any]], TrialJob] = {}
    try:
        futures = {pool.submit(execute, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                record = future.result()
            except TrialCancelled:
                continue
            except Exception as exc:
                on_done(job, None, exc)
                continue
            on_done(job, record, None)
    except KeyboardInterrupt:
        for future in futures:
            future.cancel()
        stop_all()
        raise
    finally:
        pool.shutdown(wait=True)


def _start_ray(address: Optional[str], parallel: Optional[int]) -> tuple[Any, bool]:
    try:
        import ray
    except ImportError as exc:
        raise BenchError('--backend ray needs Ray: pip install "autogenbench[ray]" (or pip install ray).') from exc
    if ray.is_initialized():
        return ray, False
    if address:
        try:
            ray.init(address=address, log_to_driver=False)
        except Exception as exc:
            raise BenchError(
                f"Cannot connect to the Ray cluster at {address!r} ({exc}). Start one with `ray start --head`, "
                "or leave out --ray-address to start a local cluster for this run."
            ) from exc
        return ray, True
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    options: dict[str, Any] = {
        "num_cpus": parallel,
        "include_dashboard": False,
        "log_to_driver": False,
        "_node_ip_address": "127.0.0.1",  # a private cluster for this run, reachable from this machine only
    }
    # Ray gives its node 30 s to start; a loaded machine can need more, and a later start is faster.
    for attempt in (1, 2, 3):
        try:
            ray.init(**options)
            return ray, True
        except Exception as exc:
            ray.shutdown()
            if attempt == 3:
                raise BenchError(f"Could not start a local Ray cluster: {exc}") from exc
    raise AssertionError("unreachable")


def run_ray(
    jobs: list[TrialJob],
    prepare: Prepare,
    isolation: Isolation,
    config_json: str,
    on_done: OnDone,
    parallel: Optional[int] = None,
    address: Optional[str] = None,
) -> None:
    """Run each trial as a Ray task (one CPU each) on the cluster at ``address`` ("auto": the running one), or on a
    local cluster started for this run (``parallel`` CPUs, or all). At most ``parallel`` trials are in flight.

    Every node needs autogenbench and autogen installed (and, with Docker isolation, the image and a daemon).
    """
    ray, started = _start_ray(address, parallel)
    remote = ray.remote(num_cpus=1, max_retries=1)(run_packed_trial)
    queue = deque(jobs)
    limit = parallel or len(jobs) or 1
    pending: dict[Any, TrialJob] = {}
    try:
        while queue or pending:
            while queue and len(pending) < limit:
                job = queue.popleft()
                try:
                    prepare(job)
                    archive = pack_folder(job.folder)
                except Exception as exc:
                    on_done(job, None, exc)
                    continue
                pending[remote.remote(archive, isolation, config_json, "ray", _labels(job))] = job
            if not pending:
                break
            ready, _ = ray.wait(list(pending), num_returns=1)
            job = pending.pop(ready[0])
            try:
                packed, record = ray.get(ready[0])
                unpack_folder(packed, job.folder)
            except Exception as exc:
                cause = getattr(exc, "cause", None)
                on_done(job, None, cause if isinstance(cause, BaseException) else exc)
                continue
            on_done(job, record, None)
    except KeyboardInterrupt:
        for ref in pending:
            ray.cancel(ref)  # raises KeyboardInterrupt in the task, whose cleanup stops its container or process
        if pending:
            ray.wait(list(pending), num_returns=len(pending), timeout=20)  # give that cleanup a moment
        raise
    finally:
        if started:
            ray.shutdown()

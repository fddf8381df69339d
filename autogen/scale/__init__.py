"""Run many independent chats at once: in this process (asyncio) or across a Ray cluster.

::

    from autogen.scale import ChatSpec, run_chats

    def build(topic):                       # builds the agents of one chat, where it runs
        ...
        return user, assistant

    batch = run_chats([ChatSpec(build, message=f"Write about {t}", factory_args={"topic": t}) for t in topics],
                      backend="local", max_concurrency=64, retry=3)
    for outcome in batch:                   # in the order of the specs
        print(outcome.chat_id, outcome.result.summary if outcome.ok else outcome.error)
    print(batch.total_cost)

A failed chat is reported in its outcome and does not stop the others. See ``docs/state-and-scale.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .api import a_run_chats, iter_chats, run_chats
    from .outcome import BatchResult, ChatOutcome
    from .progress import Progress, ProgressBar
    from .ray_backend import RayChatPool, WorkerLostError
    from .retry import RetryPolicy
    from .spec import ChatSpec

_EXPORTS: dict[str, str] = {
    "run_chats": ".api",
    "a_run_chats": ".api",
    "iter_chats": ".api",
    "RayChatPool": ".ray_backend",
    "WorkerLostError": ".ray_backend",
    "ChatSpec": ".spec",
    "RetryPolicy": ".retry",
    "ChatOutcome": ".outcome",
    "BatchResult": ".outcome",
    "Progress": ".progress",
    "ProgressBar": ".progress",
}

__all__ = sorted(_EXPORTS)

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

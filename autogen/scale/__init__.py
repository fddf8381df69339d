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

import importlib
from typing import Any

_EXPORTS = {
    "run_chats": "autogen.scale.api",
    "a_run_chats": "autogen.scale.api",
    "ChatSpec": "autogen.scale.spec",
    "RetryPolicy": "autogen.scale.retry",
    "ChatOutcome": "autogen.scale.outcome",
    "BatchResult": "autogen.scale.outcome",
    "Progress": "autogen.scale.progress",
    "ProgressBar": "autogen.scale.progress",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'autogen.scale' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

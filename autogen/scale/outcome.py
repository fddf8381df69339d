"""What a batch of chats gives back: one :class:`ChatOutcome` per chat, gathered in a :class:`BatchResult`.

Outcomes are plain data (errors are kept as text), so they travel back from Ray workers as they are.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, overload

__all__ = ["BatchResult", "ChatOutcome", "add_usage"]

USAGE_KEYS = ("usage_including_cached_inference", "usage_excluding_cached_inference")
COUNTERS = ("cost", "prompt_tokens", "completion_tokens", "total_tokens")


@dataclass
class ChatOutcome:
    """How one chat of a batch went: its ``ChatResult``, or the error that stopped it."""

    index: int
    """The chat's position in the batch."""
    chat_id: Any = None
    result: Optional[Any] = None
    """The ``ChatResult`` (None when the chat failed)."""
    error: Optional[str] = None
    """``"ErrorType: message"`` of the last attempt's error, or None when the chat succeeded."""
    error_type: Optional[str] = None
    """The qualified name of the error's class."""
    traceback: Optional[str] = None
    attempts: int = 1
    duration: float = 0.0
    """Seconds from the first attempt's start to the end of the last one."""
    node: Optional[str] = None
    """Where the last attempt ran: the Ray node's id (Ray back end; None for the local one)."""
    worker: Optional[str] = None
    """Which worker ran the last attempt: ``"<host>:<pid>"`` of the Ray worker process (None locally)."""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def cost(self) -> Optional[Dict[str, Any]]:
        """The chat's usage summary (``ChatResult.cost``), or None."""
        return getattr(self.result, "cost", None)

    @classmethod
    def failure(cls, index: int, chat_id: Any, error: BaseException, attempts: int, duration: float) -> ChatOutcome:
        kind = type(error)
        return cls(
            index=index,
            chat_id=chat_id,
            error=f"{kind.__name__}: {error}",
            error_type=f"{kind.__module__}.{kind.__qualname__}",
            traceback="".join(traceback.format_exception(kind, error, error.__traceback__)),
            attempts=attempts,
            duration=duration,
        )


def add_usage(total: Dict[str, Any], cost: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """Add a ChatResult ``cost`` (both usage views) into ``total``; returns ``total``."""
    for view in USAGE_KEYS:
        into = total.setdefault(view, {"total_cost": 0})
        summary = (cost or {}).get(view) or {}
        into["total_cost"] += summary.get("total_cost", 0)
        for model, data in summary.items():
            if model == "total_cost" or not isinstance(data, dict):
                continue
            bucket = into.setdefault(model, {key: 0 for key in COUNTERS})
            for key in COUNTERS:
                bucket[key] = bucket.get(key, 0) + data.get(key, 0)
    return total


@dataclass
class BatchResult:
    """The outcomes of a batch, in the order of the chat specs (a sequence of :class:`ChatOutcome`)."""

    outcomes: List[ChatOutcome] = field(default_factory=list)
    duration: float = 0.0
    """Wall-clock seconds for the whole batch."""

    def __len__(self) -> int:
        return len(self.outcomes)

    def __iter__(self) -> Iterator[ChatOutcome]:
        return iter(self.outcomes)

    @overload
    def __getitem__(self, index: int) -> ChatOutcome: ...

    @overload
    def __getitem__(self, index: slice) -> List[ChatOutcome]: ...

    def __getitem__(self, index: Any) -> Any:
        return self.outcomes[index]

    @property
    def results(self) -> List[Optional[Any]]:
        """The ``ChatResult`` of each chat (None for the failed ones)."""
        return [outcome.result for outcome in self.outcomes]

    @property
    def failures(self) -> List[ChatOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]

    @property
    def usage(self) -> Dict[str, Any]:
        """The chats' usage added up, per model and in total, in both views (as ``ChatResult.cost``)."""
        total: Dict[str, Any] = {}
        for view in USAGE_KEYS:
            total[view] = {"total_cost": 0}
        for outcome in self.outcomes:
            add_usage(total, outcome.cost)
        return total

    @property
    def total_cost(self) -> float:
        """What the batch cost (LLM calls actually made; cache hits are free)."""
        return float(self.usage["usage_excluding_cached_inference"]["total_cost"])

    def raise_on_failure(self) -> BatchResult:
        """Raise a ``RuntimeError`` listing the failed chats, if any; else return the batch."""
        failed = self.failures
        if failed:
            lines = "\n".join(f"  chat {o.chat_id!r} (#{o.index}, {o.attempts} attempt(s)): {o.error}" for o in failed)
            raise RuntimeError(f"{len(failed)} of {len(self.outcomes)} chats failed:\n{lines}")
        return self

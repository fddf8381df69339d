"""When a failed chat is tried again, and how long to wait first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple, Type, Union

__all__ = ["RetryPolicy", "as_retry_policy"]


@dataclass(frozen=True)
class RetryPolicy:
    """Try a failed chat again, up to ``max_attempts`` attempts in all, waiting between attempts.

    The wait before attempt ``n + 1`` is ``backoff * multiplier ** (n - 1)``, at most ``max_backoff`` seconds.
    Only errors that are instances of ``retry_on`` are retried; others fail the chat at once.
    Each attempt builds new agents with the chat's factory; with a ``checkpoint``, it continues where the failed
    attempt stopped.
    """

    max_attempts: int = 1
    backoff: float = 0.0
    multiplier: float = 2.0
    max_backoff: float = 60.0
    retry_on: Tuple[Type[BaseException], ...] = (Exception,)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be 1 or more, got {self.max_attempts}.")
        if self.backoff < 0 or self.multiplier < 1 or self.max_backoff < 0:
            raise ValueError("backoff and max_backoff must be >= 0 and multiplier >= 1.")

    def should_retry(self, error: BaseException, attempt: int) -> bool:
        """Whether to try again after ``attempt`` (1-based) failed with ``error``."""
        return attempt < self.max_attempts and isinstance(error, self.retry_on)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after the failed ``attempt`` (1-based)."""
        return float(min(self.max_backoff, self.backoff * self.multiplier ** max(0, attempt - 1)))


def as_retry_policy(retry: Union[RetryPolicy, int, None]) -> RetryPolicy:
    """A policy from ``retry``: a RetryPolicy, a number of attempts, or None (one attempt)."""
    if retry is None:
        return RetryPolicy()
    if isinstance(retry, RetryPolicy):
        return retry
    if isinstance(retry, int) and not isinstance(retry, bool):
        return RetryPolicy(max_attempts=retry)
    raise TypeError(f"retry must be a RetryPolicy, a number of attempts or None, got {retry!r}.")

"""Progress of a batch: a bar on the terminal, or your callback, called as each chat ends."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional, TextIO, Union

from .outcome import ChatOutcome

__all__ = ["Progress", "ProgressBar", "ProgressReporter", "make_reporter"]


@dataclass
class Progress:
    """Where a batch stands, handed to a progress callback after each chat."""

    total: int
    done: int
    """Chats finished so far (successes and failures)."""
    failed: int
    elapsed: float
    """Seconds since the batch started."""
    outcome: ChatOutcome
    """The chat that just finished."""


ProgressCallback = Callable[[Progress], Any]


class ProgressBar:
    """A one-line bar redrawn in place (``stream`` defaults to stderr)."""

    def __init__(self, stream: Optional[TextIO] = None, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width = width

    def __call__(self, progress: Progress) -> None:
        filled = int(self.width * progress.done / max(1, progress.total))
        bar = "#" * filled + "." * (self.width - filled)
        failed = f", {progress.failed} failed" if progress.failed else ""
        self.stream.write(f"\rchats [{bar}] {progress.done}/{progress.total}{failed} {progress.elapsed:.1f}s")
        if progress.done == progress.total:
            self.stream.write("\n")
        self.stream.flush()


class ProgressReporter:
    """Counts finished chats and tells the callback (if any)."""

    def __init__(self, total: int, callback: Optional[ProgressCallback]) -> None:
        self.total = total
        self.callback = callback
        self.done = 0
        self.failed = 0
        self.start = time.perf_counter()

    def update(self, outcome: ChatOutcome) -> None:
        self.done += 1
        if not outcome.ok:
            self.failed += 1
        if self.callback is not None:
            elapsed = time.perf_counter() - self.start
            self.callback(Progress(self.total, self.done, self.failed, elapsed, outcome))


def make_reporter(progress: Union[bool, ProgressCallback, None], total: int) -> ProgressReporter:
    """None: a bar when stderr is a terminal, else nothing; True: a bar; False: nothing; a callable: called."""
    callback: Optional[ProgressCallback]
    if progress is None:
        isatty = getattr(sys.stderr, "isatty", None)
        callback = ProgressBar() if callable(isatty) and isatty() else None
    elif progress is True:
        callback = ProgressBar()
    elif progress is False:
        callback = None
    elif callable(progress):
        callback = progress
    else:
        raise TypeError(f"progress must be None, True, False or a callable, got {progress!r}.")
    return ProgressReporter(total, callback)

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
    """A tqdm bar: redrawn in place on a terminal, a widget in a notebook (``stream`` defaults to stderr).

    The bar is made at the first update, when the batch size is known.
    """

    def __init__(self, stream: Optional[TextIO] = None, width: Optional[int] = None) -> None:
        self.stream = stream
        self.width = width
        self._bar: Any = None

    def __call__(self, progress: Progress) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            file = self.stream if self.stream is not None else sys.stderr
            self._bar = tqdm(total=progress.total or None, desc="chats", unit="chat", file=file, ncols=self.width)
        self._bar.update(progress.done - self._bar.n)
        if progress.failed:
            self._bar.set_postfix(failed=progress.failed)
        if progress.total and progress.done >= progress.total:
            self._bar.close()


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

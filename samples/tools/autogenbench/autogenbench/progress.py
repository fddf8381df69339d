"""Progress of a run: a tqdm bar on a terminal, plain lines otherwise (logs, CI, pipes).

Both show finished/total, failures, elapsed time and an estimate of the time left.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, Optional, TextIO

__all__ = ["Progress", "format_duration"]


def format_duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(round(max(0.0, seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Progress:
    """Counts finished trials. ``interactive`` (default: whether ``stream`` is a terminal) picks the display."""

    def __init__(self, total: int, stream: Optional[TextIO] = None, interactive: Optional[bool] = None) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        if interactive is None:
            isatty = getattr(self.stream, "isatty", None)
            interactive = bool(isatty and isatty())
        self.interactive = interactive
        self.done = 0
        self.failures = 0
        self.errors = 0
        self._start = time.monotonic()
        self._lock = threading.Lock()
        self._bar: Any = None

    # -- figures
    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._start

    @property
    def eta(self) -> Optional[float]:
        if self.done == 0:
            return None
        return self.elapsed / self.done * (self.total - self.done)

    def summary(self) -> str:
        parts = [f"{self.done}/{self.total} finished", f"{self.failures} failed"]
        if self.errors:
            parts.append(f"{self.errors} errors")
        parts.append(f"elapsed {format_duration(self.elapsed)}")
        parts.append(f"ETA {format_duration(self.eta) if self.done < self.total else '00:00'}")
        return ", ".join(parts)

    # -- display
    def start(self) -> Progress:
        self._start = time.monotonic()
        if self.interactive:
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, unit="trial", file=self.stream, dynamic_ncols=True)
        return self

    def note(self, message: str) -> None:
        """A message that must not be overwritten by the bar."""
        with self._lock:
            if self._bar is not None:
                self._bar.write(message, file=self.stream)
            else:
                self.stream.write(message + "\n")
                self.stream.flush()

    def finished(self, label: str, status: str, seconds: Optional[float] = None) -> None:
        """One trial ended: ``status`` is "success", "failure" or "error"."""
        with self._lock:
            self.done += 1
            if status == "failure":
                self.failures += 1
            elif status == "error":
                self.errors += 1
            if self._bar is not None:
                if status == "error":
                    self._bar.write(f"{label}: error", file=self.stream)
                self._bar.set_postfix_str(
                    f"{self.failures} failed" + (f", {self.errors} errors" if self.errors else "")
                )
                self._bar.update(1)
            else:
                took = f" ({seconds:.1f} s)" if seconds is not None else ""
                self.stream.write(f"[{self.done}/{self.total}] {label}: {status}{took} | {self.summary()}\n")
                self.stream.flush()

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None

"""Progress of a run: a bar redrawn in place on a terminal, plain lines otherwise (logs, CI, pipes).

Both show finished/total, failures, elapsed time and an estimate of the time left.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Optional, TextIO

__all__ = ["Progress", "format_duration"]

_BAR_WIDTH = 24


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
        self._stop = threading.Event()
        self._ticker: Optional[threading.Thread] = None
        self._line_len = 0

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
            self._draw()
            self._ticker = threading.Thread(target=self._tick, name="autogenbench-progress", daemon=True)
            self._ticker.start()
        return self

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                self._draw()

    def _draw(self) -> None:
        filled = int(_BAR_WIDTH * self.done / self.total) if self.total else _BAR_WIDTH
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        line = f"[{bar}] {self.summary()}"
        pad = " " * max(0, self._line_len - len(line))
        self._line_len = len(line)
        self.stream.write("\r" + line + pad)
        self.stream.flush()

    def _clear_line(self) -> None:
        self.stream.write("\r" + " " * self._line_len + "\r")
        self._line_len = 0

    def note(self, message: str) -> None:
        """A message that must not be overwritten by the bar."""
        with self._lock:
            if self.interactive:
                self._clear_line()
                self.stream.write(message + "\n")
                self._draw()
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
            took = f" ({seconds:.1f} s)" if seconds is not None else ""
            if self.interactive:
                if status == "error":
                    self._clear_line()
                    self.stream.write(f"{label}: error\n")
                self._draw()
            else:
                self.stream.write(f"[{self.done}/{self.total}] {label}: {status}{took} | {self.summary()}\n")
            self.stream.flush()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            if self.interactive:
                self._draw()
                self.stream.write("\n")
                self.stream.flush()

"""The results folder: ``Results/<tasks name>/<task id>/<trial>/``, and what each trial folder holds.

* ``trial.json``: written by the harness when the trial has finished (whatever its outcome): start and end times,
  duration, exit code, whether it timed out, isolation and backend. Its presence is what marks a trial as done, so a
  folder without it (an interrupted trial) is run again by the next ``autogenbench run``.
* ``result.json``: written by the scenario (``agbench.record``): the success signal, turns, token usage and cost.
* ``messages.json``: the chat messages; ``console_log.txt``: everything the trial printed.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

__all__ = [
    "TRIAL_FILE",
    "RESULT_FILE",
    "SUCCESS_STRINGS",
    "TrialState",
    "console_success",
    "read_trial",
    "write_json",
    "utc_now",
    "natural_key",
]

TRIAL_FILE = "trial.json"
RESULT_FILE = "result.json"
MESSAGES_FILE = "messages.json"
CONSOLE_LOG_FILE = "console_log.txt"
# What classic scenario templates print when their checks pass (read when a trial wrote no result.json).
SUCCESS_STRINGS = ["ALL TESTS PASSED !#!#"]


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def write_json(path: Path, data: Any) -> None:
    """Write atomically: a reader sees the old file or the whole new one, never half of it."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> Optional[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass
class TrialState:
    """What a trial folder says about its trial."""

    status: str  # "success", "failure" or "missing" (not run, or interrupted)
    trial: Optional[dict[str, Any]] = None  # trial.json
    result: Optional[dict[str, Any]] = None  # result.json

    @property
    def finished(self) -> bool:
        return self.status != "missing"

    @property
    def duration(self) -> Optional[float]:
        value = (self.trial or {}).get("duration_seconds")
        return float(value) if isinstance(value, (int, float)) else None

    def metric(self, name: str) -> Optional[float]:
        """``turns``, ``cost`` or ``tokens`` from result.json (None when the scenario did not record it)."""
        result = self.result or {}
        value = (result.get("usage") or {}).get("total_tokens") if name == "tokens" else result.get(name)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def read_trial(folder: Path) -> TrialState:
    """A finished trial succeeded when its scenario recorded ``"success": true`` (or, for a classic template that
    records nothing, printed a success string); every other finished trial (including one that crashed or timed
    out before recording anything) is a failure."""
    trial = _read_json(folder / TRIAL_FILE)
    if trial is None:
        return TrialState("missing")
    result = _read_json(folder / RESULT_FILE)
    success = bool(result.get("success") is True) if result is not None else console_success(folder)
    return TrialState("success" if success else "failure", trial, result)


def console_success(folder: Path, success_strings: list[str] = SUCCESS_STRINGS) -> bool:
    """Whether the trial's console log holds one of ``success_strings`` (the classic success signal)."""
    try:
        log = (folder / CONSOLE_LOG_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(text in log for text in success_strings)


def natural_key(name: str) -> list[Any]:
    """Sort key putting HumanEval_2 before HumanEval_10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]

"""``autogenbench tabulate``: success per task and trial, totals per trial, and optional metrics."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Optional

from .errors import BenchError
from .results import TrialState, natural_key, read_trial

__all__ = ["TaskRow", "collect", "render_table", "render_csv", "CAUTION", "METRICS"]

CAUTION = (
    "CAUTION: these figures come from automated checks of the trials' outputs. Before citing them, read the "
    "console logs (console_log.txt) of a sample of trials to make sure the runs went as intended."
)
# (column title, what is averaged over a task's finished trials)
METRICS = [("Time (s)", "duration"), ("Turns", "turns"), ("Tokens", "tokens"), ("Cost ($)", "cost")]
_SYMBOL = {"success": "True", "failure": "False", "missing": ""}


@dataclass
class TaskRow:
    task_id: str
    trials: list[TrialState]

    def value(self, metric: str) -> Optional[float]:
        """The mean of ``metric`` over this task's finished trials that recorded it."""
        values = [_metric(state, metric) for state in self.trials if state.finished]
        present = [v for v in values if v is not None]
        return mean(present) if present else None


def _metric(state: TrialState, metric: str) -> Optional[float]:
    return state.duration if metric == "duration" else state.metric(metric)


def collect(results: Path) -> list[TaskRow]:
    """The tasks under ``results`` (a ``Results/<tasks name>`` folder), each with as many trials as the most
    repeated task (a trial never run counts as missing)."""
    if not results.is_dir():
        raise BenchError(f"No results folder {str(results)!r} (expected Results/<tasks name> from autogenbench run).")
    task_dirs = sorted((d for d in results.iterdir() if d.is_dir()), key=lambda d: natural_key(d.name))
    trial_counts = []
    for task_dir in task_dirs:
        numbers = [int(d.name) for d in task_dir.iterdir() if d.is_dir() and d.name.isdigit()]
        trial_counts.append(max(numbers) + 1 if numbers else 0)
    width = max(trial_counts, default=0)
    rows = [
        TaskRow(d.name, [read_trial(d / str(i)) for i in range(width)])
        for d, count in zip(task_dirs, trial_counts)
        if count
    ]
    if not rows:
        raise BenchError(
            f"{str(results)!r} holds no trial folders: point tabulate at Results/<tasks name> (a folder of task ids)."
        )
    return rows


def _fmt(value: Optional[float], metric: str) -> str:
    if value is None:
        return ""
    if metric == "cost":
        return f"{value:.4f}"
    if metric == "duration":
        return f"{value:.1f}"
    return f"{value:.1f}" if value != int(value) else str(int(value))


def _header(rows: list[TaskRow], metrics: bool) -> list[str]:
    header = ["Task Id", *[f"Trial {i} Success" for i in range(len(rows[0].trials))]]  # the classic titles
    if metrics:
        header += [title for title, _ in METRICS]
    return header


def _exact(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.6g}"


def _task_lines(rows: list[TaskRow], metrics: bool, exact: bool = False) -> list[list[str]]:
    lines = []
    for row in rows:
        line = [row.task_id, *[_SYMBOL[state.status] for state in row.trials]]
        if metrics:
            line += [_exact(row.value(key)) if exact else _fmt(row.value(key), key) for _, key in METRICS]
        lines.append(line)
    return lines


def _totals(rows: list[TaskRow], metrics: bool) -> list[list[str]]:
    width = len(rows[0].trials)
    pad = [""] * (len(METRICS) if metrics else 0)
    out = []
    for title, status in (("Successes", "success"), ("Failures", "failure"), ("Missing", "missing")):
        counts = [sum(1 for row in rows if row.trials[i].status == status) for i in range(width)]
        out.append([title, *[str(c) for c in counts], *pad])
    out.append(["Total", *[str(len(rows))] * width, *pad])
    if metrics:
        finished = [state for row in rows for state in row.trials if state.finished]
        means = []
        for _, key in METRICS:
            values = [v for v in (_metric(s, key) for s in finished) if v is not None]
            means.append(_fmt(mean(values), key) if values else "")
        out.append(["Mean per trial", *[""] * width, *means])
    return out


def render_table(rows: list[TaskRow], metrics: bool = False) -> str:
    """A plain-text table: one line per task, a rule, the totals per trial, then the caution line."""
    from tabulate import SEPARATING_LINE, tabulate

    body = [*_task_lines(rows, metrics), SEPARATING_LINE, *_totals(rows, metrics)]
    table = tabulate(body, headers=_header(rows, metrics), tablefmt="simple", disable_numparse=True)
    return f"{table}\n\n{CAUTION}\n"


def render_csv(rows: list[TaskRow], metrics: bool = False) -> str:
    """One CSV line per task: "True"/"False" per trial, empty when missing (plus metric columns with --metrics)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_header(rows, metrics))
    writer.writerows(_task_lines(rows, metrics, exact=True))
    return buffer.getvalue()

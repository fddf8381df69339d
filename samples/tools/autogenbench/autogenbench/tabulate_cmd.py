"""The classic tabulation entry points that scenario scripts import: ``default_tabulate`` and ``default_scorer``.

A scenario may ship ``Scripts/custom_tabulate.py`` with ``main(args)``; ``autogenbench tabulate`` run in the
scenario's folder calls it with ``args = ["autogenbench tabulate", *arguments]``, and it usually ends with
``default_tabulate(args, scorer=my_scorer)``. A scorer takes one trial folder and returns True (solved), False
(not solved) or None (no result).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple

from .load_module import load_module
from .results import RESULT_FILE, SUCCESS_STRINGS, TRIAL_FILE, TrialState, _read_json, console_success, natural_key
from .tabulate import CAUTION, TaskRow, render_csv, render_table

__all__ = ["EXCLUDE_DIR_NAMES", "SUCCESS_STRINGS", "default_scorer", "default_tabulate", "load_module"]

EXCLUDE_DIR_NAMES = ["__pycache__"]

Scorer = Callable[[str], Optional[bool]]


def default_scorer(instance_dir: str, success_strings: List[str] = SUCCESS_STRINGS) -> Optional[bool]:
    """True or False for a finished trial (its recorded result, else a success string in its console log); None
    when the trial has not finished."""
    folder = Path(instance_dir)
    if not (folder / TRIAL_FILE).is_file() and not (folder / "console_log.txt").is_file():
        return None
    result = _read_json(folder / RESULT_FILE)
    if result is not None:
        return result.get("success") is True
    return console_success(folder, success_strings)


def _status(score: Optional[bool]) -> str:
    return "missing" if score is None else ("success" if score else "failure")


def _rows(runlogs: Path, scorer: Scorer, exclude_dir_names: Sequence[str]) -> List[TaskRow]:
    task_dirs = sorted(
        (d for d in runlogs.iterdir() if d.is_dir() and d.name not in exclude_dir_names),
        key=lambda d: natural_key(d.name),
    )
    width = 0
    for task_dir in task_dirs:
        trials = [int(d.name) for d in task_dir.iterdir() if d.is_dir() and d.name.isdigit()]
        width = max(width, max(trials) + 1 if trials else 0)
    return [TaskRow(d.name, [TrialState(_status(scorer(str(d / str(i))))) for i in range(width)]) for d in task_dirs]


def default_tabulate(
    args: Sequence[str], scorer: Scorer = default_scorer, exclude_dir_names: Sequence[str] = EXCLUDE_DIR_NAMES
) -> Tuple[argparse.Namespace, List[List[Any]]]:
    """Print the table (or CSV with ``-c``) of the run logs named in ``args`` and return ``(parsed_args,
    all_results)``: one row per task, its id then True/False/None per trial."""
    invocation, *rest = list(args) or ["autogenbench tabulate"]
    parser = argparse.ArgumentParser(prog=invocation, description="Tabulate the results of a run.")
    parser.add_argument("runlogs", help="the results folder of one task file (Results/<tasks name>)")
    parser.add_argument("-c", "--csv", action="store_true", help="print CSV instead of a table")
    parsed = parser.parse_args(rest)
    runlogs = Path(parsed.runlogs)
    if not runlogs.is_dir():
        parser.error(f"no results folder {parsed.runlogs!r}")
    rows = _rows(runlogs, scorer, exclude_dir_names)
    if not rows:
        parser.error(f"{parsed.runlogs!r} holds no task folders")
    if parsed.csv:
        sys.stdout.write(render_csv(rows))
        sys.stderr.write(CAUTION + "\n")
    else:
        sys.stdout.write(render_table(rows))
    score = {"success": True, "failure": False, "missing": None}
    return parsed, [[row.task_id, *[score[t.status] for t in row.trials]] for row in rows]


def custom_tabulate_script(folder: Path = Path(".")) -> Optional[Path]:
    """The scenario's ``Scripts/custom_tabulate.py``, when ``folder`` (the scenario folder) has one."""
    script = folder / "Scripts" / "custom_tabulate.py"
    return script if script.is_file() else None


def run_custom_tabulate(script: Path, arguments: Sequence[str]) -> Any:
    """Call ``main(["autogenbench tabulate", *arguments])`` of a scenario's custom tabulation script."""
    return load_module(script).main(["autogenbench tabulate", *arguments])

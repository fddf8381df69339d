"""Task files and trial folders.

A task file is JSON Lines; each line is one task::

    {"id": "HumanEval_0",
     "template": "Templates/TwoAgents",                 # or a list of folders, copied in order
     "substitutions": {"prompt.txt": {"__PROMPT__": "def f(x): ..."}}}

A template path is looked up relative to the scenario folder (the parent of the folder holding the task file),
then relative to the task file's folder, then relative to the current directory. Every trial of a task starts from
a fresh copy of its template folder(s); in each file named under ``substitutions`` every occurrence of each key is
replaced by its value.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from .errors import BenchError

__all__ = ["Task", "load_tasks", "parse_subsample", "subsample", "prepare_trial_folder", "RUNTIME_FILE"]

# The file name of autogenbench/agbench.py inside a trial folder.
RUNTIME_FILE = "agbench.py"
# The classic scenario helpers (autogenbench/testbed_utils.py), beside it in every trial folder.
TESTBED_UTILS_FILE = "testbed_utils.py"
TASK_RECORD_FILE = "task.json"
_ID_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")


@dataclass
class Task:
    """One line of a task file, with its template folders resolved to absolute paths."""

    id: str
    templates: list[Path]
    substitutions: dict[str, dict[str, str]] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def _resolve_template(value: str, tasks_file: Path, where: str) -> Path:
    given = Path(value)
    if given.is_absolute():
        candidates = [given]
    else:
        candidates = [tasks_file.parent.parent / given, tasks_file.parent / given, Path.cwd() / given]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise BenchError(f"{where}: template folder {value!r} not found (looked for {tried}).")


def _parse_task(data: Any, tasks_file: Path, where: str) -> Task:
    if not isinstance(data, dict):
        raise BenchError(f"{where}: a task must be a JSON object, got {type(data).__name__}.")
    task_id = data.get("id")
    if not isinstance(task_id, str) or not _ID_PATTERN.fullmatch(task_id):
        raise BenchError(
            f"{where}: the task needs an 'id' usable as a folder name (letters, digits, '_', '-', '.'), got {task_id!r}."
        )
    template = data.get("template")
    names = [template] if isinstance(template, str) else template
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise BenchError(f"{where}: 'template' must be a folder path or a list of folder paths.")
    substitutions = data.get("substitutions") or {}
    if not isinstance(substitutions, dict) or not all(
        isinstance(k, str) and isinstance(v, dict) for k, v in substitutions.items()
    ):
        raise BenchError(f"{where}: 'substitutions' must map file names to {{placeholder: text}} objects.")
    clean = {file: {str(k): str(v) for k, v in mapping.items()} for file, mapping in substitutions.items()}
    return Task(
        id=task_id,
        templates=[_resolve_template(n, tasks_file, where) for n in names],
        substitutions=clean,
        raw=data,
    )


def load_tasks(tasks_file: Union[str, Path]) -> list[Task]:
    """The tasks of a JSONL file, in file order; :class:`BenchError` naming the line for any problem."""
    path = Path(tasks_file)
    if not path.is_file():
        hint = " Create the task files first (for a cloned scenario: python Scripts/init_tasks.py)."
        raise BenchError(f"Task file {str(path)!r} not found.{hint}")
    tasks: list[Task] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BenchError(f"{where}: not valid JSON ({exc}).") from exc
        task = _parse_task(data, path, where)
        if task.id in seen:
            raise BenchError(f"{where}: the task id {task.id!r} appears more than once.")
        seen.add(task.id)
        tasks.append(task)
    if not tasks:
        raise BenchError(f"Task file {str(path)!r} holds no task.")
    return tasks


def parse_subsample(text: str) -> Union[int, float]:
    """``--subsample`` values: a fraction in (0, 1] ("0.1") or a number of tasks ("5")."""
    try:
        if re.fullmatch(r"\s*\d+\s*", text):
            count = int(text)
            if count < 1:
                raise ValueError
            return count
        fraction = float(text)
    except ValueError:
        raise BenchError(
            f"--subsample takes a fraction in (0, 1] or a whole number of tasks >= 1, got {text!r}."
        ) from None
    if not 0 < fraction <= 1:
        raise BenchError(f"--subsample takes a fraction in (0, 1] or a whole number of tasks >= 1, got {text!r}.")
    return fraction


def subsample(tasks: list[Task], amount: Optional[Union[int, float]], seed: int = 0) -> list[Task]:
    """A random selection of ``tasks`` (a fraction, or a count), the same for the same ``seed``; file order kept.

    Being reproducible matters: a resumed run must pick the same tasks as the run it continues.
    """
    if amount is None:
        return list(tasks)
    if isinstance(amount, float):
        count = max(1, min(len(tasks), math.floor(amount * len(tasks) + 0.5)))
    else:
        count = min(len(tasks), amount)
    chosen = sorted(random.Random(seed).sample(range(len(tasks)), count))
    return [tasks[i] for i in chosen]


def prepare_trial_folder(task: Task, folder: Path, runtime: Path, requirements: Optional[str] = None) -> None:
    """Make ``folder`` a fresh copy of the task's template(s) with its substitutions, plus the runtime files."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for template in task.templates:
        shutil.copytree(template, folder, dirs_exist_ok=True, ignore=_COPY_IGNORE)
    root = folder.resolve()
    for name, mapping in task.substitutions.items():
        target = (folder / name).resolve()
        if root not in target.parents:
            raise BenchError(f"Task {task.id!r}: substitution target {name!r} lies outside the trial folder.")
        if not target.is_file():
            raise BenchError(f"Task {task.id!r}: substitution target {name!r} is not a file of its template.")
        text = target.read_text(encoding="utf-8")
        for placeholder, value in mapping.items():
            text = text.replace(placeholder, value)
        target.write_text(text, encoding="utf-8")
    shutil.copyfile(runtime, folder / RUNTIME_FILE)
    shutil.copyfile(Path(__file__).with_name(TESTBED_UTILS_FILE), folder / TESTBED_UTILS_FILE)
    if requirements:
        existing = folder / "requirements.txt"
        text = existing.read_text(encoding="utf-8") if existing.is_file() else ""
        if text and not text.endswith("\n"):
            text += "\n"
        existing.write_text(text + requirements, encoding="utf-8")
    (folder / TASK_RECORD_FILE).write_text(json.dumps(task.raw, indent=2), encoding="utf-8")
    if not (folder / "scenario.py").is_file():
        raise BenchError(f"Task {task.id!r}: its template has no scenario.py, which every trial runs.")

"""``autogenbench run``: expand the tasks into trials, skip the finished ones, run the rest, report progress."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, TextIO, Union

from .backends import run_local, run_ray
from .errors import BenchError
from .isolation import Isolation, preflight, reset_cancel
from .progress import Progress
from .results import read_trial
from .tasks import Task, load_tasks, prepare_trial_folder, subsample
from .trial import TrialJob

__all__ = ["RunOptions", "run", "load_config", "filter_models", "NATIVE_WARNING"]

RUNTIME = Path(__file__).with_name("agbench.py")
CONFIG_ENV = "OAI_CONFIG_LIST"

NATIVE_WARNING = """\
################################################################################
#  WARNING: --native runs every trial directly on this machine, WITHOUT Docker  #
#  isolation. Code written by the agents runs with your permissions: it can     #
#  read, change or delete your files and install software. Run only scenarios  #
#  you trust, preferably inside a throwaway virtual machine or container.       #
################################################################################"""


@dataclass
class RunOptions:
    tasks_file: Path
    repeat: int = 1
    subsample: Optional[Union[int, float]] = None
    seed: int = 0
    config: Optional[str] = None
    models: Optional[list[str]] = None
    """Keep only the configurations of these models (``-m/--model``); None keeps every one."""
    requirements: Optional[Path] = None
    isolation: Isolation = field(default_factory=Isolation)
    backend: str = "local"
    ray_address: Optional[str] = None
    parallel: Optional[int] = None
    results_dir: Path = Path("Results")


def _parse_config(text: str, source: str) -> str:
    try:
        configs = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BenchError(f"{source} is not valid JSON ({exc}).") from exc
    if not isinstance(configs, list) or not configs or not all(isinstance(c, dict) for c in configs):
        raise BenchError(f'{source} must be a non-empty JSON list of model configurations ({{"model": ...}}).')
    return json.dumps(configs)


def filter_models(config_json: str, models: list[str]) -> str:
    """The configurations of ``models`` only (JSON text in, JSON text out); an error when none is left."""
    kept = [config for config in json.loads(config_json) if config.get("model") in models]
    if not kept:
        raise BenchError(f"--model {','.join(models)}: no configuration of the model list has that model.")
    return json.dumps(kept)


def load_config(path: Optional[str] = None) -> str:
    """The model configuration list as JSON text, from ``path``; by default from the file OAI_CONFIG_LIST in the
    current directory, else from the environment variable OAI_CONFIG_LIST (JSON text or a file path)."""
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise BenchError(f"--config: no file {path!r}.")
        return _parse_config(file.read_text(encoding="utf-8"), f"The config file {path!r}")
    default = Path(CONFIG_ENV)
    if default.is_file():
        return _parse_config(default.read_text(encoding="utf-8"), f"The config file {str(default.resolve())!r}")
    value = os.environ.get(CONFIG_ENV)
    if value:
        if Path(value).is_file():
            return _parse_config(Path(value).read_text(encoding="utf-8"), f"The config file {value!r} ({CONFIG_ENV})")
        return _parse_config(value, f"The environment variable {CONFIG_ENV}")
    raise BenchError(
        f"No model configuration: no file {CONFIG_ENV} here, no --config FILE and no environment variable "
        f'{CONFIG_ENV}. Write one, e.g. [{{"model": "gpt-4", "api_key": "sk-..."}}] (add "base_url" for an '
        "OpenAI-compatible server)."
    )


def _plan(tasks: list[Task], name: str, root: Path, repeat: int) -> tuple[list[TrialJob], int]:
    jobs: list[TrialJob] = []
    finished = 0
    for task in tasks:
        for trial in range(repeat):
            folder = root / task.id / str(trial)
            if read_trial(folder).finished:
                finished += 1
            else:
                jobs.append(TrialJob(name, task.id, trial, folder))
    return jobs, finished


def _native_warning(stream: TextIO) -> None:
    stream.write(NATIVE_WARNING + "\n")
    stream.flush()
    interactive = sys.stdin.isatty() and getattr(stream, "isatty", lambda: False)()
    if interactive:
        stream.write("Starting in 5 seconds; press Ctrl-C to abort.\n")
        stream.flush()
        time.sleep(5)


def run(options: RunOptions, stream: Optional[TextIO] = None) -> int:
    """Run the trials; returns the exit status (0 all ran, 1 some could not run, 130 interrupted)."""
    out = stream if stream is not None else sys.stderr
    if options.repeat < 1:
        raise BenchError("--repeat must be at least 1.")
    if options.parallel is not None and options.parallel < 1:
        raise BenchError("--parallel must be at least 1.")
    if options.backend not in ("local", "ray"):
        raise BenchError(f"Unknown backend {options.backend!r}: use local or ray.")
    tasks_file = Path(options.tasks_file)
    tasks = subsample(load_tasks(tasks_file), options.subsample, options.seed)
    config_json = load_config(options.config)
    if options.models:
        config_json = filter_models(config_json, options.models)
    requirements = None
    if options.requirements is not None:
        if not Path(options.requirements).is_file():
            raise BenchError(f"--requirements: no file {str(options.requirements)!r}.")
        requirements = Path(options.requirements).read_text(encoding="utf-8")
    isolation = options.isolation
    if isolation.mode == "native":
        _native_warning(out)
    else:
        preflight(isolation)

    name = tasks_file.stem
    root = Path(options.results_dir) / name
    jobs, finished = _plan(tasks, name, root, options.repeat)
    total = len(tasks) * options.repeat
    where = "Docker image " + isolation.image if isolation.mode == "docker" else "natively"
    out.write(
        f"{name}: {len(tasks)} tasks x {options.repeat} trials = {total}; {finished} already finished, "
        f"{len(jobs)} to run ({options.backend} backend, {where}). Results in {root}\n"
    )
    out.flush()
    if not jobs:
        out.write(f"Nothing to do. Tabulate with: autogenbench tabulate {root}\n")
        return 0

    by_id = {task.id: task for task in tasks}

    def prepare(job: TrialJob) -> None:
        prepare_trial_folder(by_id[job.task_id], job.folder, RUNTIME, requirements)

    progress = Progress(len(jobs), out).start()
    errors: list[str] = []

    def on_done(job: TrialJob, record: Optional[dict[str, Any]], error: Optional[BaseException]) -> None:
        if error is not None:
            errors.append(f"{job.label}: {type(error).__name__}: {error}")
            progress.note(f"{job.label}: could not run: {type(error).__name__}: {error}")
            progress.finished(job.label, "error")
            return
        assert record is not None
        progress.finished(job.label, str(record.get("status")), record.get("duration_seconds"))

    reset_cancel()
    try:
        if options.backend == "ray":
            run_ray(jobs, prepare, isolation, config_json, on_done, options.parallel, options.ray_address)
        else:
            run_local(jobs, prepare, isolation, config_json, on_done, options.parallel or 1)
    except KeyboardInterrupt:
        progress.close()
        out.write(
            f"Interrupted after {progress.done} of {len(jobs)} trials. Unfinished trials are run again by the same "
            "command (finished ones are kept).\n"
        )
        out.flush()
        return 130
    except BaseException:
        progress.close()
        raise
    progress.close()
    succeeded = progress.done - progress.failures - progress.errors
    out.write(
        f"Done: {succeeded} succeeded, {progress.failures} failed, {progress.errors} could not run "
        f"(in {progress.elapsed:.1f} s). Tabulate with: autogenbench tabulate {root}\n"
    )
    if errors:
        out.write("Trials that could not run (they are run again by the same command):\n")
        for line in errors:
            out.write(f"  {line}\n")
    out.flush()
    return 1 if errors else 0

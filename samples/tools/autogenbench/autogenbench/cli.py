"""The ``autogenbench`` command: ``clone``, ``run`` and ``tabulate``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Optional, Sequence

from .errors import BenchError
from .version import __version__

__all__ = ["main", "build_parser"]

_DESCRIPTION = """\
AutoGenBench runs AutoGen benchmarks: every task of a scenario is run several times, each time in a fresh copy
of its template folder inside a fresh Docker container, and everything is recorded (console log, chat messages,
timestamps, tokens, cost, success) so that results can be tabulated and checked.

Typical session:
  autogenbench clone HumanEval          copy the HumanEval scenario here and make its task files
  cd HumanEval
  autogenbench run --repeat 3 Tasks/human_eval_two_agents.jsonl
  autogenbench tabulate Results/human_eval_two_agents
"""

_RUN_EPILOG = """\
The model configuration (an OAI_CONFIG_LIST: a JSON list such as [{"model": "gpt-4", "api_key": "..."}]) is
passed to every trial in the environment variable OAI_CONFIG_LIST. Results go to
RESULTS_DIR/<tasks file name>/<task id>/<trial>/. Trials that finished before are skipped, so running the same
command again resumes an interrupted run, and a larger --repeat adds trials. Exit status: 0 when every trial ran
(whether or not it solved its task), 1 when some trials could not run, 2 for bad input, 130 when interrupted.
"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autogenbench", description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"autogenbench {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    clone = commands.add_parser(
        "clone",
        help="copy a shipped scenario (e.g. HumanEval) into a new folder and make its task files",
        description="Copy a scenario that ships with AutoGenBench into a folder of its own (README.md, Scripts/, "
        "Templates/, Tasks/) and run its Scripts/init_tasks.py to make the task files.",
    )
    clone.add_argument("scenario", nargs="?", help="the scenario's name (see --list)")
    clone.add_argument("destination", nargs="?", type=Path, help="the folder to create (default: ./SCENARIO)")
    clone.add_argument("-l", "--list", action="store_true", help="list the shipped scenarios and exit")
    clone.add_argument(
        "--no-init", action="store_true", help="only copy; do not run Scripts/init_tasks.py to make the task files"
    )
    clone.add_argument(
        "-b",
        "--branch",
        default="main",
        help="accepted for compatibility with the classic tool, which downloaded scenarios from a branch of the "
        "AutoGen repository; the scenarios ship with this package, so only 'main' (the shipped one) is available",
    )

    run = commands.add_parser(
        "run",
        help="run the tasks of a task file, each --repeat times, in Docker containers (or --native)",
        description="Run every task of TASKS_FILE (JSONL) --repeat times, each trial in a fresh copy of its\n"
        "template folder, inside a fresh Docker container by default.",
        epilog=_RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("tasks_file", type=Path, metavar="TASKS_FILE", help="a task file, e.g. Tasks/x.jsonl")
    run.add_argument("-r", "--repeat", type=_positive_int, default=1, metavar="N", help="trials per task (default 1)")
    run.add_argument(
        "-s",
        "--subsample",
        metavar="FRACTION|N",
        help="run only a random part of the tasks: a fraction in (0, 1] (0.1) or a number of tasks (5); the "
        "choice depends only on --seed, so a resumed run picks the same tasks",
    )
    run.add_argument("--seed", type=int, default=0, help="random seed of --subsample (default 0)")
    run.add_argument(
        "-c",
        "--config",
        metavar="FILE",
        help="the model configuration list (default: the file OAI_CONFIG_LIST here, else the environment "
        "variable OAI_CONFIG_LIST, holding JSON or a file path)",
    )
    run.add_argument(
        "-m",
        "--model",
        metavar="MODEL",
        help="keep only the configurations of this model (several: comma-separated); default: every configuration",
    )
    run.add_argument(
        "--requirements",
        type=Path,
        metavar="FILE",
        help="a pip requirements file installed into each trial's environment before the scenario runs "
        "(pip install --target a scratch folder put first on PYTHONPATH)",
    )
    run.add_argument(
        "-d",
        "--docker-image",
        default=None,
        metavar="IMAGE",
        help="the local Docker image trials run in (default python:3-slim; it is never pulled)",
    )
    run.add_argument(
        "--native",
        action="store_true",
        help="run trials directly on this machine, without Docker (a loud warning is shown: agents' code then "
        "runs with your permissions)",
    )
    run.add_argument(
        "--no-host-packages",
        action="store_true",
        help="do not mount this machine's autogen and site-packages into the containers (for images that have "
        "autogen installed)",
    )
    run.add_argument(
        "--timeout",
        type=_positive_float,
        default=600.0,
        metavar="SECONDS",
        help="time limit of one trial; a trial over it is stopped and counts as failed (default 600)",
    )
    run.add_argument(
        "-b", "--backend", choices=["local", "ray"], default="local", help="where trials are scheduled (default local)"
    )
    run.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="with --backend ray: the cluster to use ('auto' for the running one, or host:port); without it a "
        "local Ray cluster is started for the run",
    )
    run.add_argument(
        "-p",
        "--parallel",
        type=_positive_int,
        default=None,
        metavar="N",
        help="trials run at the same time (local default 1; ray default: as many as the cluster takes; a local "
        "Ray cluster gets N CPUs)",
    )
    run.add_argument(
        "--results-dir",
        type=Path,
        default=Path("Results"),
        metavar="DIR",
        help="where results go (default ./Results)",
    )

    tabulate = commands.add_parser(
        "tabulate",
        help="tabulate the results of a run: success per task and trial, totals, metrics",
        description="Print, for each task, the success of each trial (True, False, or empty when missing), then "
        "per-trial totals of successes, failures and missing trials.",
    )
    tabulate.add_argument("results", type=Path, nargs="+", metavar="RESULTS", help="a Results/<tasks name> folder")
    tabulate.add_argument("-c", "--csv", action="store_true", help="print CSV (one line per task) instead of a table")
    tabulate.add_argument(
        "-m",
        "--metrics",
        action="store_true",
        help="add the mean time per trial, turns, tokens and cost of each task (and over all trials)",
    )
    return parser


def _cmd_clone(args: argparse.Namespace) -> int:
    from .clone import clone, describe, list_scenarios

    if args.list:
        for name in list_scenarios():
            print(f"{name}: {describe(name)}")
        return 0
    if not args.scenario:
        raise BenchError("Name the scenario to clone (autogenbench clone --list shows them).")
    if args.branch != "main":
        raise BenchError(
            f"--branch {args.branch}: scenarios ship with AutoGenBench {__version__} and are not downloaded; only "
            "the shipped ones ('main') are available. Install another autogenbench version for other scenarios."
        )
    clone(args.scenario, args.destination, init=not args.no_init)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .isolation import DEFAULT_IMAGE, Isolation
    from .run import RunOptions, run
    from .tasks import parse_subsample

    if args.native and args.docker_image:
        raise BenchError("--native runs without Docker: leave out --docker-image.")
    if args.ray_address and args.backend != "ray":
        raise BenchError("--ray-address goes with --backend ray.")
    isolation = Isolation(
        mode="native" if args.native else "docker",
        image=args.docker_image or DEFAULT_IMAGE,
        timeout=args.timeout,
        host_packages=not args.no_host_packages,
    )
    options = RunOptions(
        tasks_file=args.tasks_file,
        repeat=args.repeat,
        subsample=parse_subsample(args.subsample) if args.subsample is not None else None,
        seed=args.seed,
        config=args.config,
        models=[m.strip() for m in args.model.split(",") if m.strip()] if args.model else None,
        requirements=args.requirements,
        isolation=isolation,
        backend=args.backend,
        ray_address=args.ray_address,
        parallel=args.parallel,
        results_dir=args.results_dir,
    )
    return run(options)


def _cmd_tabulate(args: argparse.Namespace, argv: Sequence[str] = ()) -> int:
    from .tabulate import CAUTION, collect, render_csv, render_table
    from .tabulate_cmd import custom_tabulate_script, run_custom_tabulate

    script = custom_tabulate_script()
    if script is not None:  # the scenario tabulates itself, as with the classic tool
        run_custom_tabulate(script, list(argv)[1:])
        return 0

    if args.csv and len(args.results) > 1:
        raise BenchError("--csv takes one results folder at a time.")
    for index, folder in enumerate(args.results):
        rows = collect(folder)
        if args.csv:
            sys.stdout.write(render_csv(rows, args.metrics))
        else:
            if len(args.results) > 1:
                sys.stdout.write(("\n" if index else "") + f"== {folder}\n")
            sys.stdout.write(render_table(rows, args.metrics))
    if args.csv:
        sys.stderr.write(CAUTION + "\n")
    return 0


def _stop_on_sigterm() -> Any:
    """``kill PID`` stops a run like Ctrl-C does (its containers and processes are stopped, not orphaned).

    Returns the previous handler (None when it cannot be set: signals belong to the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    return signal.signal(signal.SIGTERM, interrupt)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    handlers: dict[str, Any] = {"clone": _cmd_clone, "run": _cmd_run}
    previous = _stop_on_sigterm()
    try:
        if args.command == "tabulate":
            return _cmd_tabulate(args, list(argv) if argv is not None else sys.argv[1:])
        return handlers[args.command](args)
    except BenchError as exc:
        print(f"autogenbench {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autogenbench: interrupted", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)

"""Helpers of the AutoGenBench tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

# Two problems the scripted model solves and one it gets wrong: every run's successes are known in advance.
PROBLEMS = ["HumanEval_0", "HumanEval_2", "HumanEval_4"]
SOLVED = {"HumanEval_0", "HumanEval_2"}
EXPECTED = {"HumanEval_0": "success", "HumanEval_2": "success", "HumanEval_4": "failure"}


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str) -> CliResult:
    """``autogenbench ARGS`` in this process (argparse's --help exits; that is caught too)."""
    from autogenbench.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return CliResult(code, out.getvalue(), err.getvalue())


def docker_ready() -> str:
    """Empty when the Docker tests can run, else why not."""
    try:
        import docker
    except ImportError:
        return "the docker package is not installed"
    try:
        client = docker.from_env(timeout=10)
        client.ping()
    except Exception as exc:
        return f"no Docker daemon ({exc}); run scripts/setup_docker.sh"
    try:
        client.images.get("python:3-slim")
    except Exception:
        return "the local image python:3-slim is missing; run scripts/setup_docker.sh"
    finally:
        client.close()
    return ""


def statuses(results: Path) -> dict[str, list[str]]:
    """task id -> status of each trial, as tabulate reads them."""
    from autogenbench.tabulate import collect

    return {row.task_id: [state.status for state in row.trials] for row in collect(results)}


def make_wheel(folder: Path, name: str = "tinypkg_agbench", value: int = 42) -> Path:
    """A minimal pure-Python wheel (pip installs it offline)."""
    import base64
    import hashlib
    import zipfile

    files = {
        f"{name}/__init__.py": f"VALUE = {value}\n".encode(),
        f"{name}-0.1.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n".encode(),
        f"{name}-0.1.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{name}-0.1.dist-info/RECORD,,")
    wheel = folder / f"{name}-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(f"{name}-0.1.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target

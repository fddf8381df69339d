"""``autogenbench clone``: copy a scenario shipped with AutoGenBench into a folder of its own, and make its tasks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional, TextIO

from .errors import BenchError

__all__ = ["SCENARIOS", "list_scenarios", "describe", "clone"]

SCENARIOS = Path(__file__).with_name("scenarios")
INIT_SCRIPT = Path("Scripts") / "init_tasks.py"


def list_scenarios() -> list[str]:
    """The names of the shipped scenarios (folders with a README.md)."""
    if not SCENARIOS.is_dir():
        return []
    return sorted(d.name for d in SCENARIOS.iterdir() if d.is_dir() and (d / "README.md").is_file())


def describe(name: str) -> str:
    """The first paragraph of a scenario's README after its title, on one line."""
    lines = (SCENARIOS / name / "README.md").read_text(encoding="utf-8").splitlines()
    paragraph: list[str] = []
    for line in lines:
        text = line.strip()
        if text.startswith("#"):
            if paragraph:
                break
            continue
        if not text:
            if paragraph:
                break
            continue
        paragraph.append(text)
    return " ".join(paragraph)


def clone(name: str, destination: Optional[Path] = None, *, init: bool = True, stream: Optional[TextIO] = None) -> Path:
    """Copy scenario ``name`` to ``destination`` (default ./<name>) and run its Scripts/init_tasks.py."""
    out = stream if stream is not None else sys.stderr
    available = list_scenarios()
    matches = [s for s in available if s.lower() == name.lower()]
    if not matches:
        raise BenchError(f"No scenario named {name!r}. Available: {', '.join(available) or 'none'}.")
    source = SCENARIOS / matches[0]
    target = Path(destination) if destination is not None else Path(matches[0])
    if target.exists():
        raise BenchError(f"{str(target)!r} already exists: remove it or name another destination.")
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (target / "Tasks").mkdir(exist_ok=True)
    out.write(f"Cloned {matches[0]} into {target}\n")
    script = target / INIT_SCRIPT
    if init and script.is_file():
        out.write(f"Making its tasks: {sys.executable} {INIT_SCRIPT}\n")
        out.flush()
        done = subprocess.run([sys.executable, str(INIT_SCRIPT)], cwd=target, capture_output=True, text=True)
        if done.stdout:
            out.write(done.stdout)
        if done.returncode != 0:
            out.write(done.stderr)
            raise BenchError(
                f"{INIT_SCRIPT} failed in {target} (exit code {done.returncode}); fix what it says above, then run "
                f"it again there: cd {target} && python {INIT_SCRIPT}"
            )
    out.write(f"Next: cd {target} and see README.md (autogenbench run Tasks/<file>.jsonl).\n")
    out.flush()
    return target

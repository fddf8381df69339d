"""What the HumanEval templates share: the problem, the task message, and the final check of the answer.

The problem's text comes from files of this folder that AutoGenBench fills in for each task (prompt.txt,
tests.txt, entry_point.txt). The success signal does not trust the conversation: after the chat, the last code
block that defines the function is run against the problem's own tests in a fresh Python process.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

WORK_DIR = "coding"
PASSED = "ALL TESTS PASSED"
FAILED = "SOME TESTS FAILED"
_PYTHON_LANGS = {"python", "py", "python3", "unknown", ""}


@dataclass
class Problem:
    prompt: str
    tests: str
    entry_point: str


def load_problem(folder: str = ".") -> Problem:
    base = Path(folder)
    return Problem(
        prompt=(base / "prompt.txt").read_text(encoding="utf-8"),
        tests=(base / "tests.txt").read_text(encoding="utf-8"),
        entry_point=(base / "entry_point.txt").read_text(encoding="utf-8").strip(),
    )


def prepare_work_dir(problem: Problem, work_dir: str = WORK_DIR) -> Path:
    """Create the folder where code runs, with my_tests.py offering run_tests(candidate) to the agents."""
    folder = Path(work_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "my_tests.py").write_text(
        f"{problem.tests}\n\n\n"
        "def run_tests(candidate):\n"
        "    try:\n"
        "        check(candidate)\n"
        "    except Exception as error:  # a failed assertion, or the candidate crashing\n"
        f"        print({FAILED!r} + ': fix the function and send the whole code block again.', "
        "type(error).__name__, error)\n"
        "    else:\n"
        f"        print({PASSED!r})\n",
        encoding="utf-8",
    )
    return folder


def task_message(problem: Problem) -> str:
    name = problem.entry_point
    return (
        f"Complete the Python function `{name}` below so that it does what its docstring says.\n\n"
        f"```python\n{problem.prompt.rstrip()}\n```\n\n"
        "The module my_tests (in the working directory) defines run_tests(candidate), which runs unit tests on an "
        "implementation and prints whether they passed. Reply with one stand-alone Python code block holding the "
        f"complete definition of `{name}` (and any imports it needs), ending with these lines:\n\n"
        f"```python\nfrom my_tests import run_tests\n\nrun_tests({name})\n```\n\n"
        "The code block will be run and you will see its output. When all tests pass, reply TERMINATE. If tests "
        "fail, fix the function and send the whole code block again."
    )


def is_termination_msg(message: dict[str, Any]) -> bool:
    """A message ending with TERMINATE ends the chat (the task message only mentions the word)."""
    content = message.get("content")
    return isinstance(content, str) and content.rstrip().endswith("TERMINATE")


def final_code(messages: Sequence[dict[str, Any]], entry_point: str) -> Optional[str]:
    """The last Python code block defining ``entry_point`` in ``messages`` (the task message itself excluded)."""
    from autogen.code_utils import extract_code

    definition = re.compile(rf"^\s*(async\s+)?def\s+{re.escape(entry_point)}\s*\(", re.MULTILINE)
    for message in reversed(list(messages)[1:]):
        content = message.get("content")
        if message.get("role") in ("tool", "function") or not isinstance(content, str) or "```" not in content:
            continue
        for lang, code in reversed(extract_code(content)):
            if lang.lower() in _PYTHON_LANGS and definition.search(code):
                return code
    return None


def verify(code: Optional[str], problem: Problem, work_dir: str = WORK_DIR, timeout: float = 60) -> tuple[bool, str]:
    """Run ``code`` followed by the problem's tests in a fresh Python process: (passed, its output)."""
    if code is None:
        return False, f"no code block defining {problem.entry_point} was found in the conversation"
    folder = prepare_work_dir(problem, work_dir)
    script = folder / "final_check.py"
    script.write_text(f"{code}\n\n\n{problem.tests}\n\n\ncheck({problem.entry_point})\n", encoding="utf-8")
    try:
        done = subprocess.run(
            [sys.executable, script.name], cwd=folder, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return False, f"the final check ran longer than {timeout:g} s"
    return done.returncode == 0, (done.stdout + done.stderr)[-4000:]


def report(passed: bool, output: str) -> None:
    """Say in the console log what the final check found."""
    verdict = "PASSED" if passed else "FAILED"
    print(f"\nHUMANEVAL FINAL CHECK: {verdict}\n{output.strip()}", flush=True)

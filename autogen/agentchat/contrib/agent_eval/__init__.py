"""AgentEval: criteria for judging how well agents solve a task, and grades of their answers by those criteria.

* :func:`~.agent_eval.generate_criteria` asks a :class:`~.critic_agent.CriticAgent` (and optionally a
  :class:`~.subcritic_agent.SubCriticAgent`) for the criteria of a :class:`~.task.Task`;
* :func:`~.agent_eval.quantify_criteria` has a :class:`~.quantifier_agent.QuantifierAgent` grade one test case;
* :func:`~.aggregate.aggregate_results` turns the grades of many test cases into a table (mean per criterion
  for the successful and the failed cases), which can be plotted.

Names resolve lazily: importing this package imports neither pydantic nor the agents.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Criterion": "criterion",
    "Task": "task",
    "CriticAgent": "critic_agent",
    "SubCriticAgent": "subcritic_agent",
    "QuantifierAgent": "quantifier_agent",
    "generate_criteria": "agent_eval",
    "quantify_criteria": "agent_eval",
    "AgentEvalError": "parsing",
    "aggregate_results": "aggregate",
    "EvaluationTable": "aggregate",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

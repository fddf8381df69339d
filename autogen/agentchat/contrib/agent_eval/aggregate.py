"""Aggregating the grades of many test cases: the mean grade per criterion, for successful vs failed cases.

A grade becomes a number by its position among the criterion's accepted values (0 for the first, the
worst), or by its own value when every accepted value is a number. A test case counts as successful by
its ``actual_success`` (the ``ground_truth`` given to ``quantify_criteria``): a bool, a number (non-zero),
or a word such as "true"/"yes"/"success" vs "false"/"no"/"failed"; pass ``is_successful`` for anything else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional

if TYPE_CHECKING:
    from .criterion import Criterion

__all__ = ["CriterionScores", "EvaluationTable", "aggregate_results", "default_is_successful", "score_of"]

_TRUE = {"true", "yes", "y", "1", "success", "successful", "succeeded", "pass", "passed", "correct", "right"}
_FALSE = {"false", "no", "n", "0", "fail", "failed", "failure", "incorrect", "wrong", ""}


def default_is_successful(actual_success: Any) -> bool:
    """Whether a test case succeeded, from its ``actual_success`` (see the module documentation)."""
    if isinstance(actual_success, bool):
        return actual_success
    if isinstance(actual_success, (int, float)):
        return actual_success != 0
    word = str(actual_success).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(
        f"Cannot tell whether the test case with actual_success={actual_success!r} succeeded: pass "
        "is_successful=<function of actual_success returning a bool> to aggregate_results."
    )


def _number(value: Any) -> Optional[float]:
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def score_of(value: Any, accepted_values: Optional[List[str]]) -> Optional[float]:
    """A grade as a number (see the module documentation); None when it cannot be one."""
    if accepted_values:
        from .parsing import match_value

        matched = match_value(value, accepted_values)
        if matched is not None:
            numbers = [_number(v) for v in accepted_values]
            if all(n is not None for n in numbers):
                return _number(matched)
            return float(accepted_values.index(matched))
    return _number(value)


def _flatten(nested: Dict[str, Any], prefix: str = "") -> Dict[str, Any]:
    flat: Dict[str, Any] = {}
    for key, value in nested.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _grades(result: Dict[str, Any]) -> Dict[str, Any]:
    if isinstance(result.get("quantified"), dict):
        return dict(result["quantified"])
    estimated = result.get("estimated_performance")
    if isinstance(estimated, str):
        from ..model_answers import extract_json

        estimated = extract_json(estimated)
    if not isinstance(estimated, dict):
        raise ValueError(f"A result without grades: {result!r:.200}")
    return _flatten(estimated)


@dataclass
class CriterionScores:
    """The mean grade of one criterion over the successful and over the failed test cases."""

    criterion: str
    successful_mean: Optional[float]
    failed_mean: Optional[float]
    successful_count: int
    failed_count: int


def _mean(values: List[float]) -> Optional[float]:
    return sum(values) / len(values) if values else None


def _cell(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.2f}"


@dataclass
class EvaluationTable:
    """One row per criterion; ``successful_cases`` / ``failed_cases`` count the test cases of each kind."""

    rows: List[CriterionScores]
    successful_cases: int
    failed_cases: int

    def as_dict(self) -> Dict[str, Dict[str, Optional[float]]]:
        """``{criterion: {"successful": mean, "failed": mean}}``."""
        return {r.criterion: {"successful": r.successful_mean, "failed": r.failed_mean} for r in self.rows}

    def to_json(self) -> str:
        return json.dumps(
            {
                "successful_cases": self.successful_cases,
                "failed_cases": self.failed_cases,
                "criteria": self.as_dict(),
            },
            indent=2,
        )

    def to_markdown(self) -> str:
        """The table in Markdown: criterion, mean for successful cases, mean for failed cases."""
        lines = [
            f"| criterion | successful ({self.successful_cases}) | failed ({self.failed_cases}) |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {r.criterion} | {_cell(r.successful_mean)} | {_cell(r.failed_mean)} |" for r in self.rows]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_markdown()

    def plot(self, path: Optional[str] = None, title: str = "Mean grade per criterion") -> Any:
        """A grouped bar chart (matplotlib) of the means; saved to ``path`` when given. Returns the Figure."""
        from matplotlib.figure import Figure

        figure = Figure(figsize=(max(6.0, 1.2 * len(self.rows) + 2), 4.5))
        axes = figure.add_subplot()
        positions = list(range(len(self.rows)))
        width = 0.38
        for offset, label, values in (
            (-width / 2, f"successful ({self.successful_cases})", [r.successful_mean for r in self.rows]),
            (width / 2, f"failed ({self.failed_cases})", [r.failed_mean for r in self.rows]),
        ):
            axes.bar([p + offset for p in positions], [v or 0.0 for v in values], width, label=label)
        axes.set_xticks(positions)
        axes.set_xticklabels([r.criterion for r in self.rows], rotation=30, ha="right")
        axes.set_ylabel("mean grade")
        axes.set_title(title)
        axes.legend()
        figure.tight_layout()
        if path is not None:
            figure.savefig(path)
        return figure


def aggregate_results(
    results: Iterable[Dict[str, Any]],
    criteria: Optional[List[Criterion]] = None,
    is_successful: Optional[Callable[[Any], bool]] = None,
) -> EvaluationTable:
    """The table of mean grades per criterion for the successful and the failed test cases.

    ``results``: outputs of ``quantify_criteria``. ``criteria``: to turn grades into numbers by their
    accepted values and to order the rows (without them, only numeric grades count, rows in order of
    appearance).
    """
    decide = is_successful or default_is_successful
    accepted: Dict[str, List[str]] = {}
    order: List[str] = []
    for criterion in criteria or []:
        for path, leaf in criterion.leaves():
            accepted[path] = leaf.accepted_values
            order.append(path)
    scores: Dict[str, Dict[bool, List[float]]] = {}
    counts = {True: 0, False: 0}
    for result in results:
        succeeded = decide(result.get("actual_success"))
        counts[succeeded] += 1
        for path, value in _grades(result).items():
            if criteria is not None and path not in accepted:
                continue
            score = score_of(value, accepted.get(path))
            if score is None:
                continue
            if path not in order:
                order.append(path)
            scores.setdefault(path, {True: [], False: []})[succeeded].append(score)
    rows = []
    for path in order:
        by_outcome = scores.get(path, {True: [], False: []})
        rows.append(
            CriterionScores(
                path, _mean(by_outcome[True]), _mean(by_outcome[False]), len(by_outcome[True]), len(by_outcome[False])
            )
        )
    return EvaluationTable(rows, counts[True], counts[False])

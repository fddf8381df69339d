"""Reading the critic's criteria and the quantifier's grades out of their answers.

Problems are raised as :class:`~autogen.agentchat.contrib.model_answers.AnswerError` whose feedback tells
the agent what to fix; :class:`AgentEvalError` is what the public functions raise once retries are spent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from ....exception_utils import AutoGenError
from ..model_answers import AnswerError, extract_json

if TYPE_CHECKING:
    from .criterion import Criterion

__all__ = ["AgentEvalError", "match_value", "parse_criteria", "parse_grades"]


class AgentEvalError(AutoGenError, ValueError):
    """An evaluation agent's answers could not be used; the message says what was wrong."""


def parse_criteria(text: str) -> List[Criterion]:
    """The criteria of a critic's (or sub-critic's) answer."""
    from .criterion import criteria_from_data

    data = extract_json(text)
    try:
        return criteria_from_data(data)
    except (ValueError, TypeError) as err:  # pydantic's ValidationError is a ValueError
        raise AnswerError(
            f"The criteria are not in the expected format: {err}",
            f"Your criteria could not be used: {err}. Reply with the JSON list only, each item "
            '{"name": "...", "description": "...", "accepted_values": ["worst", ..., "best"]}.',
        ) from err


def _norm(value: Any) -> str:
    return str(value).strip().rstrip(".").strip().lower()


def match_value(value: Any, accepted: List[str]) -> Optional[str]:
    """The accepted value ``value`` stands for (same text ignoring case and a final period, or same number)."""
    wanted = _norm(value)
    for candidate in accepted:
        if _norm(candidate) == wanted:
            return candidate
    try:
        number = float(wanted)
    except ValueError:
        return None
    for candidate in accepted:
        try:
            if float(_norm(candidate)) == number:
                return candidate
        except ValueError:
            continue
    return None


def _lookup(data: Dict[str, Any], key: str) -> Tuple[bool, Any]:
    if key in data:
        return True, data[key]
    lowered = {str(k).strip().lower(): v for k, v in data.items()}
    if key.lower() in lowered:
        return True, lowered[key.lower()]
    return False, None


def _grade_of(data: Dict[str, Any], path: str) -> Tuple[bool, Any]:
    """The grade at ``path`` ("name" or "name/sub"): nested objects, or a flat "name/sub" or "sub" key."""
    parts = path.split("/")
    node: Any = data
    for part in parts:
        found, node = _lookup(node, part) if isinstance(node, dict) else (False, None)
        if not found:
            break
    else:
        return True, node
    found, value = _lookup(data, path)
    if found:
        return True, value
    return _lookup(data, parts[-1]) if len(parts) > 1 else (False, None)


def parse_grades(text: str, criteria: List[Criterion]) -> Dict[str, str]:
    """The quantifier's grades: ``{path: accepted value}`` for each graded criterion (``"name/sub"`` for sub-criteria)."""
    data = extract_json(text)
    if not isinstance(data, dict):
        raise AnswerError(
            "The grades are not a JSON object.",
            "Your answer is not a JSON object. Reply with a JSON object mapping each criterion name to its grade.",
        )
    grades: Dict[str, str] = {}
    problems: List[str] = []
    for path, criterion in (leaf for c in criteria for leaf in c.leaves()):
        found, value = _grade_of(data, path)
        if not found or isinstance(value, (dict, list)):
            problems.append(f"{path!r} has no grade")
            continue
        matched = match_value(value, criterion.accepted_values)
        if matched is None:
            problems.append(f"{path!r} has the grade {value!r}, which is not one of {criterion.accepted_values}")
        else:
            grades[path] = matched
    if problems:
        listed = "; ".join(problems)
        raise AnswerError(
            f"The grades are incomplete or invalid: {listed}.",
            f"Your grades could not be used: {listed}. Reply with the complete JSON object of grades only, using "
            "the accepted values exactly as written.",
        )
    return grades


def nest_grades(grades: Dict[str, str]) -> Dict[str, Any]:
    """``{"a/b": v}`` as ``{"a": {"b": v}}`` (the format the quantifier is asked for)."""
    nested: Dict[str, Any] = {}
    for path, value in grades.items():
        node = nested
        *parents, leaf = path.split("/")
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return nested
